/**
 * Nagios plugin output: a first line `POSEMO <STATE> - <summary> | <perfdata>`, then one line per
 * check. The summary names the checks that are not OK, worst first, so the first line alone (all that
 * some notification setups show) says what is wrong.
 * @module
 */
import { overallStatus, type CheckResult, type RunReport, type Status } from "../check/result.ts";
import { perfItem } from "./perfdata.ts";

const ORDER: readonly Status[] = ["critical", "warning", "unknown", "ok"];

function stateWord(status: Status): string {
  return status.toUpperCase();
}

function summary(results: readonly CheckResult[]): string {
  if (results.length === 1) return `${results[0]!.name}: ${results[0]!.message}`;
  const parts = ORDER.map((status) => {
    const names = results.filter((r) => r.status === status).map((r) => r.name);
    if (names.length === 0) return undefined;
    return status === "ok" ? `${names.length} OK` : `${names.length} ${stateWord(status)} (${names.join(", ")})`;
  });
  return `${results.length} checks: ${parts.filter(Boolean).join(", ")}`;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n|]+/g, " ");
}

/** Renders a report as Nagios plugin output (ends with a newline). */
export function formatNagios(report: RunReport): string {
  const status = overallStatus(report.results);
  const perf = report.results.flatMap((r) => r.measurements.map(perfItem)).join(" ");
  const head = `POSEMO ${stateWord(status)} - ${oneLine(summary(report.results))}${perf ? ` | ${perf}` : ""}`;
  const lines = report.results.map((r) => `${stateWord(r.status)} ${r.name}: ${oneLine(r.message)}`);
  const skipped = report.skipped.length > 0 ? [`skipped (not on this PostgreSQL version): ${report.skipped.join(", ")}`] : [];
  return [head, ...(report.results.length > 1 ? lines : []), ...skipped].join("\n") + "\n";
}
