/**
 * Checks many hosts: each host runs `runChecks` over its own connection with its own timeouts, a
 * bounded number at a time, so a fleet of unreachable hosts costs about one connect timeout per
 * `concurrency` hosts rather than one per host (and never one per check: see run.ts).
 * @module
 */
import type { ConnectionSettings } from "../db/settings.ts";
import { failedCheck } from "./evaluate.ts";
import type { FleetReport, HostReport, RunReport } from "./result.ts";
import { runChecks } from "./run.ts";
import type { RunOptions } from "./run-options.ts";

/** Where a host's connection settings could not be resolved (e.g. its password file is missing). */
export interface UnresolvedConnection {
  readonly problem: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

/** One host to check. */
export interface FleetTarget {
  readonly name: string;
  readonly group?: string;
  readonly connection: ConnectionSettings | UnresolvedConnection;
  readonly options: RunOptions;
}

/** Options for `runFleet`. */
export interface FleetOptions {
  /** Hosts checked at once. @default 8 */
  readonly concurrency?: number;
  /** The per-host runner; tests inject one. @default runChecks */
  readonly run?: (settings: ConnectionSettings, options: RunOptions) => Promise<RunReport>;
}

/** The default number of hosts checked at once. */
export const DEFAULT_CONCURRENCY = 8;

/** A host that was not contacted: every check UNKNOWN with the reason. */
function unresolvedReport(connection: UnresolvedConnection, options: RunOptions): RunReport {
  const { problem, host, port, database } = connection;
  return {
    host,
    port,
    database,
    startedAt: new Date(),
    durationMs: 0,
    results: options.checks.map((c) => failedCheck(c, `not run: ${problem}`)),
    skipped: [],
  };
}

async function runTarget(target: FleetTarget, run: NonNullable<FleetOptions["run"]>): Promise<HostReport> {
  const report = "problem" in target.connection
    ? unresolvedReport(target.connection, target.options)
    : await run(target.connection, target.options);
  return { name: target.name, ...(target.group !== undefined ? { group: target.group } : {}), report };
}

/** Runs every target, at most `concurrency` at once; the report keeps the targets' order. */
export async function runFleet(targets: readonly FleetTarget[], options: FleetOptions = {}): Promise<FleetReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const run = options.run ?? runChecks;
  const hosts: HostReport[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      hosts[i] = await runTarget(targets[i]!, run);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, targets.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return { hosts, startedAt, durationMs: performance.now() - t0 };
}
