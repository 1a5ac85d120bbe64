/**
 * Run reports for the output tests: built by hand, so the formats are tested apart from any server.
 * @module
 */
import type { CheckResult, Measurement, RunReport } from "../../src/check/result.ts";

/** A measurement with defaults. */
export function measurement(overrides: Partial<Measurement> = {}): Measurement {
  return { label: "check", column: "value", value: 1, unit: "", status: "ok", ...overrides };
}

/** A check result with defaults. */
export function result(name: string, overrides: Partial<CheckResult> = {}): CheckResult {
  return {
    name,
    description: `the ${name} check`,
    status: "ok",
    message: `${name} fine`,
    measurements: [measurement({ label: name })],
    ...overrides,
  };
}

/** A run report with defaults. */
export function report(results: readonly CheckResult[], overrides: Partial<RunReport> = {}): RunReport {
  return {
    host: "/tmp/sock",
    port: 5432,
    database: "posemo",
    serverVersion: "16.4",
    serverVersionNum: 160004,
    startedAt: new Date("2024-05-01T12:00:00.000Z"),
    durationMs: 12.3456,
    results,
    skipped: [],
    ...overrides,
  };
}
