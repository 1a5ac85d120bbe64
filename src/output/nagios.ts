/**
 * Nagios plugin output: a first line `POSEMO <STATE> - <summary> | <perfdata>`, then one line per
 * check. The summary names the checks that are not OK, worst first, so the first line alone (all that
 * some notification setups show) says what is wrong. With several hosts the summary counts hosts by
 * state, each host gets a line with its own summary and then its check lines, and perfdata labels
 * start with the host name (`db1:alive`).
 * @module
 */
import { fleetStatus, hostsByStatus, hostStatus, STATUS_ORDER } from "../check/fleet-status.ts";
import {
  type CheckResult,
  type FleetReport,
  type HostReport,
  overallStatus,
  type RunReport,
  type Status,
} from "../check/result.ts";
import { perfItem } from "./perfdata.ts";
import { printable } from "../safe-text.ts";

const ORDER = STATUS_ORDER;
/** At most this many host names per state on the first line; the host lines name them all. */
const NAMED_HOSTS = 10;

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

/** Plugin output text: one line, no `|` (it starts the perfdata), control characters visible. */
function oneLine(text: string): string {
  return printable(text.replace(/[\r\n|]+/g, " "));
}

/** Renders a report as Nagios plugin output (ends with a newline). */
export function formatNagios(report: RunReport): string {
  const status = overallStatus(report.results);
  const perf = report.results.flatMap((r) => r.measurements.map(perfItem)).join(" ");
  const head = `POSEMO ${stateWord(status)} - ${oneLine(summary(report.results))}${perf ? ` | ${perf}` : ""}`;
  const lines = report.results.map((r) => `${stateWord(r.status)} ${r.name}: ${oneLine(r.message)}`);
  const skipped = report.skipped.length > 0
    ? [`skipped (not on this PostgreSQL version): ${report.skipped.join(", ")}`]
    : [];
  return [head, ...(report.results.length > 1 ? lines : []), ...skipped].join("\n") + "\n";
}

function named(names: readonly string[]): string {
  const shown = names.slice(0, NAMED_HOSTS).join(", ");
  return names.length > NAMED_HOSTS ? `${shown}, and ${names.length - NAMED_HOSTS} more` : shown;
}

function hostsSummary(fleet: FleetReport): string {
  const byStatus = hostsByStatus(fleet);
  const parts = ORDER.filter((s) => byStatus[s].length > 0).map((s) => {
    const names = byStatus[s];
    return s === "ok" ? `${names.length} OK` : `${names.length} ${stateWord(s)} (${named(names)})`;
  });
  return `${fleet.hosts.length} hosts: ${parts.join(", ")}`;
}

/** A host with one check gets just that check's line; with several, a summary line and then theirs. */
function hostLines(host: HostReport): string[] {
  const { results, skipped } = host.report;
  const checkLines = results.map((r) => `${stateWord(r.status)} ${host.name} ${r.name}: ${oneLine(r.message)}`);
  const head = results.length === 1 ? [] : [
    `${stateWord(hostStatus(host))} ${host.name}: ${results.length === 0 ? "no checks" : oneLine(summary(results))}`,
  ];
  const lines = [...head, ...checkLines];
  const skip = skipped.length > 0
    ? [`${host.name} skipped (not on this PostgreSQL version): ${skipped.join(", ")}`]
    : [];
  return [...lines, ...skip];
}

function hostPerfdata(host: HostReport): string[] {
  return host.report.results.flatMap((r) =>
    r.measurements.map((m) => perfItem({ ...m, label: `${host.name}:${m.label}` }))
  );
}

/**
 * Renders a fleet as Nagios plugin output (ends with a newline). One host renders exactly as
 * `formatNagios` does, so a single-host invocation's output does not depend on a configuration file.
 */
export function formatNagiosFleet(fleet: FleetReport): string {
  if (fleet.hosts.length === 1) return formatNagios(fleet.hosts[0]!.report);
  const perf = fleet.hosts.flatMap(hostPerfdata).join(" ");
  const head = `POSEMO ${stateWord(fleetStatus(fleet))} - ${
    fleet.hosts.length === 0 ? "no hosts" : hostsSummary(fleet)
  }${perf ? ` | ${perf}` : ""}`;
  return [head, ...fleet.hosts.flatMap(hostLines)].join("\n") + "\n";
}
