/**
 * The catalogue a `check` or `serve-metrics` run works with: the built-in checks, plus the custom
 * checks the target servers say are installed (learnt before the run, so the configuration's
 * per-check settings, -w/-c and every output format treat them like built-in ones). Servers are asked
 * beforehand only when the run names a check the binary does not know (command line or configuration);
 * `--check all` learns them within each host's own session instead (`learnDuringRun` in src/check/targets.ts), so it costs no
 * extra connection.
 * @module
 */
import { catalogue } from "../catalogue/catalogue.generated.ts";
import { withCustomChecks } from "../catalogue/custom.ts";
import type { CheckDefinition } from "../catalogue/definition.ts";
import { learnCustomChecks } from "../check/custom-definitions.ts";
import type { ConnectionEnvironment } from "../config/connection.ts";
import type { PosemoConfig } from "../config/parse.ts";
import { checkTargets, commandLineChecks } from "../check/targets.ts";
import { commandConfig } from "./load-config.ts";
import type { TargetFlags } from "../check/targets.ts";

/** What decides the run's catalogue. */
export interface RunCatalogueSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly connectionEnv: ConnectionEnvironment;
  readonly version: string;
  /** `check --list`: ask a server only when one is named (flags or configured hosts). */
  readonly listing?: boolean;
}

/** The catalogue and the configuration read against it. */
export interface RunCatalogue {
  readonly catalogue: readonly CheckDefinition[];
  readonly config: PosemoConfig | undefined;
}

function namesServer(flags: TargetFlags, config: PosemoConfig | undefined): boolean {
  return flags.host !== undefined || flags.dsn !== undefined ||
    (config?.hosts.length ?? 0) + (config?.groups.length ?? 0) > 0;
}

function mayInvolveCustom(
  flags: TargetFlags,
  unknown: readonly string[],
  sources: RunCatalogueSources,
  config: PosemoConfig | undefined,
): boolean {
  if (sources.listing) return namesServer(flags, config);
  return unknown.length > 0 || flags.check.some((name) => name !== "all" && !catalogue.some((c) => c.name === name));
}

/** Every distinct custom check the targets report (the first host's definition of a name wins). */
async function learnFrom(
  flags: TargetFlags,
  config: PosemoConfig | undefined,
  sources: RunCatalogueSources,
): Promise<CheckDefinition[]> {
  const targets = checkTargets(flags, {
    config,
    connectionEnv: sources.connectionEnv,
    commandLine: commandLineChecks(catalogue, ["alive"]),
    version: sources.version,
  });
  const learnt = await Promise.all(
    targets.map((
      t,
    ) => ("problem" in t.connection ? [] : learnCustomChecks(t.connection, t.options.schema, t.options.timeoutMs))),
  );
  const byName = new Map<string, CheckDefinition>();
  for (const check of learnt.flat()) if (!byName.has(check.name)) byName.set(check.name, check);
  return [...byName.values()].filter((c) => c.replacesBuiltin || !catalogue.some((b) => b.name === c.name));
}

/** Reads the configuration and learns the servers' custom checks when the run may need them. */
export async function runCatalogue(
  flags: TargetFlags & { readonly config?: string },
  sources: RunCatalogueSources,
): Promise<RunCatalogue> {
  const unknown: string[] = [];
  const lenient = commandConfig({ path: flags.config, env: sources.env, catalogue, unknown });
  if (!mayInvolveCustom(flags, unknown, sources, lenient)) {
    return {
      catalogue,
      config: unknown.length > 0 ? commandConfig({ path: flags.config, env: sources.env, catalogue }) : lenient,
    };
  }
  const known = withCustomChecks(catalogue, await learnFrom(flags, lenient, sources));
  return { catalogue: known, config: commandConfig({ path: flags.config, env: sources.env, catalogue: known }) };
}
