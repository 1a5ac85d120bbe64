/**
 * Fleet reports for the output tests: a realistic single host (single-row, multi-row, counter,
 * millisecond, boolean, errored and no-value results) and a fleet of two hosts, built by hand.
 * @module
 */
import type { CheckResult, FleetReport, HostReport, RunReport } from "../../src/check/result.ts";
import { measurement, report, result } from "./report-fixtures.ts";

/** A fleet of the given hosts. */
export function fleet(hosts: readonly HostReport[]): FleetReport {
  return { hosts, startedAt: new Date("2024-05-01T12:00:00.000Z"), durationMs: 20.5 };
}

/** A host report with a name. */
export function host(name: string, run: RunReport, group?: string): HostReport {
  return { name, report: run, ...(group ? { group } : {}) };
}

/** The results of a plausible run: every shape a format must handle. */
export function sampleResults(): CheckResult[] {
  return [
    result("alive", {
      message: "alive true",
      measurements: [measurement({ label: "alive", column: "alive", value: true })],
    }),
    result("cache_hit_ratio", {
      status: "warning",
      description: "Share of block requests served from shared buffers per database.",
      message: "app cache_hit_ratio 71.2% (warning at < 80%)",
      measurements: [
        measurement({
          label: "cache_hit_ratio.!TOTAL",
          column: "cache_hit_ratio",
          title: "!TOTAL",
          value: 95.5,
          unit: "%",
          warning: "80:",
          critical: "60:",
          min: 0,
          max: 100,
        }),
        measurement({
          label: "cache_hit_ratio.app",
          column: "cache_hit_ratio",
          title: "app",
          value: 71.2,
          unit: "%",
          status: "warning",
          warning: "80:",
          critical: "60:",
          min: 0,
          max: 100,
        }),
        measurement({
          label: "cache_hit_ratio.idle db",
          column: "cache_hit_ratio",
          title: 'idle "db"',
          value: null,
          unit: "%",
          warning: "80:",
          critical: "60:",
          min: 0,
          max: 100,
        }),
      ],
    }),
    result("connection_limit", {
      message: "connection_limit 6.25%, connections 6, usable_connections 96",
      measurements: [
        measurement({
          label: "connection_limit.connection_limit",
          column: "connection_limit",
          value: 6.25,
          unit: "%",
          warning: "75",
          critical: "90",
          min: 0,
          max: 100,
        }),
        measurement({ label: "connection_limit.connections", column: "connections", value: 6, unit: "" }),
        measurement({
          label: "connection_limit.usable_connections",
          column: "usable_connections",
          value: 96,
          unit: "",
        }),
      ],
    }),
    result("checkpoint_time", {
      message: "write_time 1500 ms, sync_time 20 ms",
      measurements: [
        measurement({ label: "checkpoint_time.write_time", column: "write_time", value: 1500, unit: "ms", min: 0 }),
        measurement({ label: "checkpoint_time.sync_time", column: "sync_time", value: 20, unit: "ms", min: 0 }),
      ],
    }),
    result("transactions", {
      message: "!TOTAL xact_commit 1000, !TOTAL xact_rollback 3 (1 databases)",
      measurements: [
        measurement({
          label: "transactions.!TOTAL.xact_commit",
          column: "xact_commit",
          title: "!TOTAL",
          value: 1000,
          unit: "c",
          min: 0,
        }),
        measurement({
          label: "transactions.!TOTAL.xact_rollback",
          column: "xact_rollback",
          title: "!TOTAL",
          value: 3,
          unit: "c",
          min: 0,
        }),
        measurement({
          label: "transactions.app.xact_commit",
          column: "xact_commit",
          title: "app",
          value: 1000,
          unit: "c",
          min: 0,
        }),
        measurement({
          label: "transactions.app.xact_rollback",
          column: "xact_rollback",
          title: "app",
          value: 3,
          unit: "c",
          min: 0,
        }),
      ],
    }),
    result("backup_age", {
      status: "unknown",
      message: "no WAL archiving configured",
      error: "no WAL archiving configured",
      measurements: [],
    }),
  ];
}

/** One host with the sample results. */
export function singleHost(): FleetReport {
  return fleet([host("db1.example.org", report(sampleResults()))]);
}

/** Two hosts: db1 with the sample results, db2 unreachable. */
export function twoHosts(): FleetReport {
  const down = report([
    result("alive", {
      status: "critical",
      message: "cannot connect: connection refused",
      error: "cannot connect: connection refused",
      measurements: [],
    }),
    result("cache_hit_ratio", {
      status: "unknown",
      message: "not run: cannot connect: connection refused",
      error: "not run: cannot connect: connection refused",
      measurements: [],
    }),
  ], { host: "db2.example.org", serverVersion: undefined, serverVersionNum: undefined });
  return fleet([host("db1.example.org", report(sampleResults()), "prod"), host("db2.example.org", down, "prod")]);
}
