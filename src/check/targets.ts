/**
 * Which hosts `posemo check` and `posemo serve-metrics` run against, and with what. Three cases:
 * - `-H`/`--dsn` given: that one host, with the file's `defaults` (its hosts are ignored);
 * - the file lists hosts: those hosts (filtered by `--host-name`/`--group`), each with its merged settings;
 * - otherwise: one host from flags and `PG*` variables, exactly as without a file, plus its `defaults`.
 * Command-line flags override the file for every host.
 * @module
 */
import type { ConnectionFlags } from "../config/connection.ts";
import { UserError } from "../errors.ts";
import type { CheckDefinition } from "../catalogue/definition.ts";
import { DEFAULT_CONCURRENCY, type FleetTarget } from "./fleet.ts";
import type { RunOptions } from "./run-options.ts";
import { flagRanges, selectChecks, thresholdsFor, withAimedColumn } from "./select.ts";
import { type ConnectionEnvironment, type FileConnection, resolveConnection } from "../config/connection.ts";
import { type CommandLineChecks, hostCheckPlan } from "../config/host-checks.ts";
import { commandLineArguments } from "../config/check-arguments.ts";
import { type ConfiguredHost, configuredHosts } from "../config/merge.ts";
import type { LevelSettings, PosemoConfig } from "../config/parse.ts";

/** Target flags as parsed from the command line. */
export interface TargetFlags extends ConnectionFlags {
  readonly check: readonly string[];
  /** Statement timeout; unset: the configuration file's, else 10 s. */
  readonly timeout?: number;
  /** unset: the configuration file's, else `posemo`. */
  readonly schema?: string;
  readonly config?: string;
  readonly hostName?: readonly string[];
  readonly group?: readonly string[];
  readonly concurrency?: number;
  /** `[check.]name=value` values for check arguments (min_size, top_n, skip_db_re). */
  readonly arg?: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_SCHEMA = "posemo";

function fileConnection(s: LevelSettings): FileConnection {
  const { host, port, user, dbname, sslmode, connectTimeoutMs, passwordFile } = s;
  return Object.fromEntries(
    Object.entries({ host, port, user, dbname, sslmode, connectTimeoutMs, passwordFile }).filter(([, v]) =>
      v !== undefined
    ),
  );
}

function connectionFlags(flags: TargetFlags): ConnectionFlags {
  const { host, port, user, dbname, dsn, connectTimeout, passwordFile } = flags;
  return { host, port, user, dbname, dsn, connectTimeout, passwordFile };
}

/** What besides the flags decides the targets. */
export interface TargetSources {
  readonly config: PosemoConfig | undefined;
  readonly connectionEnv: ConnectionEnvironment;
  readonly commandLine: CommandLineChecks;
  /** posemo's version, which the installed functions must match. */
  readonly version: string;
}

function target(host: ConfiguredHost, flags: TargetFlags, sources: TargetSources, single: boolean): FleetTarget {
  const options = {
    schema: flags.schema ?? host.settings.schema ?? DEFAULT_SCHEMA,
    timeoutMs: flags.timeout ?? host.settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    version: sources.version,
    ...hostCheckPlan(sources.commandLine, host.settings.checks),
  };
  const group = host.group !== undefined ? { group: host.group } : {};
  try {
    const settings = resolveConnection(connectionFlags(flags), sources.connectionEnv, {
      file: fileConnection(host.settings),
    });
    return { name: single ? settings.host : host.name, ...group, connection: settings, options };
  } catch (error) {
    if (single || !(error instanceof UserError)) throw error;
    const s = host.settings;
    const problem = { problem: error.message, host: s.host ?? "", port: s.port ?? 5432, database: s.dbname ?? "" };
    return { name: host.name, ...group, connection: problem, options };
  }
}

function selectHosts(config: PosemoConfig, flags: TargetFlags): ConfiguredHost[] {
  const all = configuredHosts(config);
  const names = flags.hostName ?? [];
  const groups = flags.group ?? [];
  const unknownName = names.find((n) => !all.some((h) => h.name === n));
  if (unknownName) {
    throw new UserError(`Cannot select host "${unknownName}": "${config.file}" has no host of that name`);
  }
  const unknownGroup = groups.find((g) => !config.groups.some((cg) => cg.name === g));
  if (unknownGroup) {
    throw new UserError(`Cannot select group "${unknownGroup}": "${config.file}" has no group of that name`);
  }
  const selected = all.filter((h) =>
    (names.length === 0 || names.includes(h.name)) && (groups.length === 0 || groups.includes(h.group ?? ""))
  );
  if (selected.length === 0) {
    throw new UserError(
      `Cannot select hosts "${
        [...names, ...groups].join(",")
      }": no configured host matches both --host-name and --group`,
    );
  }
  return selected;
}

function refuseSelection(flags: TargetFlags, why: string): void {
  const used = flags.hostName ? "--host-name" : flags.group ? "--group" : undefined;
  if (used) throw new UserError(`Cannot use ${used}: ${why}`);
}

/** The hosts to check, each with its connection and run options. */
export function checkTargets(flags: TargetFlags, sources: TargetSources): FleetTarget[] {
  const config = sources.config;
  const defaults = { name: "", settings: config?.defaults ?? { checks: {} } };
  if (flags.host !== undefined || flags.dsn !== undefined) {
    refuseSelection(flags, "-H and --dsn name one host; select configured hosts without them");
    return [target(defaults, flags, sources, true)];
  }
  if (!config || configuredHosts(config).length === 0) {
    refuseSelection(
      flags,
      config ? `"${config.file}" configures no hosts` : "no configuration file (use --config FILE)",
    );
    return [target(defaults, flags, sources, true)];
  }
  return selectHosts(config, flags).map((h) => target(h, flags, sources, false));
}

/**
 * The checks named on the command line, with -w/-c ranges when given (only `check` has them). A
 * range overrides the checks' defaults and judges one column: `--column`, or the check's own.
 */
export function commandLineChecks(
  known: readonly CheckDefinition[],
  names: readonly string[],
  warning?: string,
  critical?: string,
  args: readonly string[] = [],
  column?: string,
): CommandLineChecks {
  const selected = selectChecks(known, names);
  if (typeof selected === "string") throw new UserError(selected);
  const overridden = warning !== undefined || critical !== undefined;
  if (column !== undefined && !overridden) {
    throw new UserError(`Cannot use --column ${column} without -w or -c: it names the column they judge`);
  }
  try {
    thresholdsFor(selected.checks, warning, critical);
    const checks = overridden ? selected.checks.map((c) => withAimedColumn(c, column)) : selected.checks;
    const argumentsFor = commandLineArguments(args, checks);
    return {
      checks,
      all: selected.all,
      defaults: thresholdsFor(checks),
      flags: flagRanges(warning, critical),
      arguments: argumentsFor,
    };
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

/** How many hosts run at once: the flag, else the configuration file, else the default. */
export function fleetConcurrency(flags: TargetFlags, config: PosemoConfig | undefined): number {
  return flags.concurrency ?? config?.concurrency ?? DEFAULT_CONCURRENCY;
}

/**
 * A host's options once its session told which custom checks it has, for a run that names checks the
 * binary does not know; undefined keeps the options it had (those names then read "not installed").
 */
export type Replan = (index: number, custom: readonly CheckDefinition[]) => RunOptions | undefined;

/** What the hosts' sessions told about the names the binary does not know. */
export interface LateCustom {
  /** The first definition a host gave of each custom check. */
  readonly learnt: Map<string, CheckDefinition>;
  /** Names a reachable host with posemo installed did not have. */
  readonly missing: Set<string>;
  /** A host's plan that could not be made once its checks were known (a -w/-c or --arg that does not fit). */
  readonly problems: UserError[];
}

/** Each host's plan once its session told its custom checks: the command line's checks for that catalogue. */
export type LatePlanner = (
  commandLine: (known: readonly CheckDefinition[]) => CommandLineChecks,
  found: LateCustom,
) => Replan;

/** An empty record of what the hosts' sessions tell. */
export function lateCustom(): LateCustom {
  return { learnt: new Map(), missing: new Set(), problems: [] };
}

/**
 * `--check all`: each target also runs the custom checks its server has (those the catalogue does not
 * have already); `learnt` collects their definitions for the output formats. With `replan` (a run
 * naming custom checks), every target learns them in its own session and runs with the options it gives.
 */
export function learnDuringRun(
  targets: readonly FleetTarget[],
  known: readonly CheckDefinition[],
  learnt: Map<string, CheckDefinition>,
  replan?: Replan,
): FleetTarget[] {
  return targets.map((t, index) => {
    if (!t.options.all && !replan) return t;
    const learn = (custom: readonly CheckDefinition[]) => {
      const options = replan?.(index, custom) ?? t.options;
      if (!options.all) return options;
      const extra = custom.filter((c) => !known.some((k) => k.name === c.name));
      for (const c of extra) if (!learnt.has(c.name)) learnt.set(c.name, c);
      return { ...options, checks: [...options.checks, ...extra] };
    };
    return { ...t, options: { ...t.options, learn } };
  });
}
