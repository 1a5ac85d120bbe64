/**
 * The catalogue a `check` or `serve-metrics` run works with: the built-in checks, plus the custom
 * checks the target servers say are installed. `check --list` asks the servers beforehand. A run that
 * names checks the binary does not know (command line or configuration) learns them within each host's
 * own session of the run (`learnDuringRun` in src/check/targets.ts), as `--check all` does: one
 * connection per host, and a host that is down is judged down (alive CRITICAL with the reason), not
 * turned into a usage error because nothing could be learnt from it. Until a host answered, such a
 * name stands for a placeholder definition; a name that no reachable server knows is a usage error
 * once the run is over (`lateVerdict`).
 * @module
 */
import { catalogue } from "../catalogue/catalogue.generated.ts";
import { withCustomChecks } from "../catalogue/custom.ts";
import { type CheckDefinition, SUPPORTED_MAJORS } from "../catalogue/definition.ts";
import { learnCustomChecks } from "../check/custom-definitions.ts";
import type { ConnectionEnvironment } from "../config/connection.ts";
import type { PosemoConfig } from "../config/parse.ts";
import { checkTargets, commandLineChecks, type LateCustom, type LatePlanner } from "../check/targets.ts";
export { lateCustom } from "../check/targets.ts";
import { selectChecks } from "../check/select.ts";
import { UserError } from "../errors.ts";
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
  /** Named checks the binary does not know, learnt in each host's session; `late` plans the host then. */
  readonly pending: readonly string[];
  readonly late?: LatePlanner;
}

function namesServer(flags: TargetFlags, config: PosemoConfig | undefined): boolean {
  return flags.host !== undefined || flags.dsn !== undefined ||
    (config?.hosts.length ?? 0) + (config?.groups.length ?? 0) > 0;
}

const isBuiltIn = (name: string) => catalogue.some((c) => c.name === name);

/** What a named custom check is until a host told its definition (what a down host reports it as). */
function placeholder(name: string): CheckDefinition {
  return {
    name,
    description: `custom check ${name} (its definition is read from the server)`,
    columns: [],
    unit: "",
    arguments: [],
    counter: false,
    writes: false,
    role: "any",
    scope: "cluster",
    language: "sql",
    custom: true,
    variants: [{ minMajor: SUPPORTED_MAJORS[0], body: "", hash: "" }],
  };
}

/** Every distinct custom check the targets report, asked beforehand (`check --list`; the first host's definition of a name wins). */
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
  return [...byName.values()].filter((c) => c.replacesBuiltin || !isBuiltIn(c.name));
}

/**
 * A host's plan with its own custom checks: undefined (its placeholders then read "not installed")
 * when it lacks a name the run gives it, or when the plan is refused (kept in `found.problems`).
 */
function latePlanner(flags: TargetFlags, sources: RunCatalogueSources, pending: readonly string[]): LatePlanner {
  return (commandLine, found) => (index, custom) => {
    const fromHost = custom.filter((c) => c.replacesBuiltin || !isBuiltIn(c.name));
    for (const c of fromHost) if (!found.learnt.has(c.name)) found.learnt.set(c.name, c);
    const absent = pending.filter((name) => !fromHost.some((c) => c.name === name));
    for (const name of absent) found.missing.add(name);
    // A name only the configuration gives may belong to another host; one the command line gives may not.
    if (absent.some((name) => flags.check.includes(name))) return undefined;
    const known = withCustomChecks(catalogue, fromHost);
    try {
      const config = commandConfig({ path: flags.config, env: sources.env, catalogue: known, unknown: [] });
      const { connectionEnv, version } = sources;
      return checkTargets(flags, { config, connectionEnv, commandLine: commandLine(known), version })[index]?.options;
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      found.problems.push(error);
      return undefined;
    }
  };
}

/**
 * After the run: the usage error for a name no reachable server knew (the command line's, else the
 * configuration's `file:line` one), or a host's plan that was refused.
 */
export function lateVerdict(flags: TargetFlags, env: RunCatalogueSources["env"], found: LateCustom): void {
  if (found.problems[0]) throw found.problems[0];
  const unknown = [...found.missing].filter((name) => !found.learnt.has(name));
  if (unknown.length === 0) return;
  const named = selectChecks(catalogue, unknown.filter((name) => flags.check.includes(name)));
  if (typeof named === "string") throw new UserError(named);
  commandConfig({ path: flags.config, env, catalogue: withCustomChecks(catalogue, [...found.learnt.values()]) });
}

/** Reads the configuration; asks the servers beforehand only for `check --list`. */
export async function runCatalogue(
  flags: TargetFlags & { readonly config?: string },
  sources: RunCatalogueSources,
): Promise<RunCatalogue> {
  const unknown: string[] = [];
  const lenient = commandConfig({ path: flags.config, env: sources.env, catalogue, unknown });
  if (sources.listing && namesServer(flags, lenient)) {
    const known = withCustomChecks(catalogue, await learnFrom(flags, lenient, sources));
    const config = commandConfig({ path: flags.config, env: sources.env, catalogue: known });
    return { catalogue: known, config, pending: [] };
  }
  const named = flags.check.filter((name) => name !== "all" && !isBuiltIn(name));
  const pending = [...new Set([...named, ...unknown])];
  if (pending.length === 0) return { catalogue, config: lenient, pending };
  return {
    catalogue: withCustomChecks(catalogue, pending.map(placeholder)),
    config: lenient,
    pending,
    late: latePlanner(flags, sources, pending),
  };
}
