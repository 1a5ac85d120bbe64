/**
 * JSON output, schema `posemo.check/1` (documented in the README, "JSON format"). Numbers are JSON numbers,
 * booleans are booleans, absent values are null: nothing depends on a driver's typing.
 * @module
 */
import { EXIT_CODES, overallStatus, type CheckResult, type Measurement, type RunReport } from "../check/result.ts";

/** The schema identifier; bump the number on any incompatible change. */
export const JSON_SCHEMA = "posemo.check/1";

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
  };
}

function check(r: CheckResult) {
  return {
    name: r.name,
    description: r.description,
    status: r.status,
    exit_code: EXIT_CODES[r.status],
    message: r.message,
    error: r.error ?? null,
    values: r.measurements.map(value),
  };
}

/** Renders a report as one JSON document (ends with a newline). */
export function formatJson(report: RunReport, posemoVersion: string): string {
  const status = overallStatus(report.results);
  const doc = {
    schema: JSON_SCHEMA,
    posemo_version: posemoVersion,
    host: report.host,
    port: report.port,
    database: report.database,
    server_version: report.serverVersion ?? null,
    server_version_num: report.serverVersionNum ?? null,
    started_at: report.startedAt.toISOString(),
    duration_ms: Math.round(report.durationMs * 100) / 100,
    status,
    exit_code: EXIT_CODES[status],
    checks: report.results.map(check),
    skipped: report.skipped,
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
