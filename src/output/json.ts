/**
 * JSON output, schema `posemo.check/2` (documented in the README, "JSON format"): the fleet's state and
 * a `hosts` array, one entry per host with the fields a single-host run had in `posemo.check/1`.
 * Numbers are JSON numbers, booleans are booleans, absent values are null: nothing depends on a
 * driver's typing.
 * @module
 */
import { fleetStatus, hostsByStatus } from "../check/fleet-status.ts";
import {
  type CheckResult,
  type FleetReport,
  type HostReport,
  type Measurement,
  overallStatus,
  type RunReport,
  STATUS_CODES,
} from "../check/result.ts";

/** The schema identifier; bump the number on any incompatible change (2: hosts). */
export const JSON_SCHEMA = "posemo.check/2";

function value(m: Measurement) {
  return {
    label: m.label,
    ...(m.title !== undefined ? { row: m.title } : {}),
    column: m.column,
    value: m.value,
    unit: m.unit,
    status: m.status,
    warning: m.warning ?? null,
    critical: m.critical ?? null,
    min: m.min ?? null,
    max: m.max ?? null,
    context: m.context ?? null,
  };
}

function check(r: CheckResult) {
  return {
    name: r.name,
    description: r.description,
    status: r.status,
    exit_code: STATUS_CODES[r.status],
    message: r.message,
    error: r.error ?? null,
    values: r.measurements.map(value),
  };
}

function milliseconds(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function runFields(report: RunReport) {
  const status = overallStatus(report.results);
  return {
    host: report.host,
    port: report.port,
    database: report.database,
    server_version: report.serverVersion ?? null,
    server_version_num: report.serverVersionNum ?? null,
    started_at: report.startedAt.toISOString(),
    duration_ms: milliseconds(report.durationMs),
    status,
    exit_code: STATUS_CODES[status],
    checks: report.results.map(check),
    skipped: report.skipped,
  };
}

function host(h: HostReport) {
  return { name: h.name, group: h.group ?? null, ...runFields(h.report) };
}

/** Renders a fleet (one host or many) as one JSON document (ends with a newline). */
export function formatJson(fleet: FleetReport, posemoVersion: string): string {
  const status = fleetStatus(fleet);
  const byStatus = hostsByStatus(fleet);
  const doc = {
    schema: JSON_SCHEMA,
    posemo_version: posemoVersion,
    started_at: fleet.startedAt.toISOString(),
    duration_ms: milliseconds(fleet.durationMs),
    status,
    exit_code: STATUS_CODES[status],
    host_count: {
      ok: byStatus.ok.length,
      warning: byStatus.warning.length,
      critical: byStatus.critical.length,
      unknown: byStatus.unknown.length,
    },
    hosts: fleet.hosts.map(host),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
