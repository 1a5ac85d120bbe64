/**
 * A table for people at a terminal: per host a heading, one row per check (status, name, message),
 * then a summary line. Colour (ANSI) only when asked for: the command decides from the terminal and
 * NO_COLOR, so pipes and files get plain text. Pure.
 * @module
 */
import { type FleetReport, type HostReport, overallStatus, type Status } from "../check/result.ts";
import { printable } from "../safe-text.ts";

/** How to render. */
export interface TextOptions {
  /** ANSI colours for the states and headings. @default false */
  readonly color?: boolean;
}

const ORDER: readonly Status[] = ["critical", "warning", "unknown", "ok"];
const COLORS: Readonly<Record<Status, string>> = { ok: "32", warning: "33", critical: "31", unknown: "35" };

type Paint = (text: string, code: string) => string;

function painter(color: boolean): Paint {
  return color ? (text, code) => `\x1b[${code}m${text}\x1b[0m` : (text) => text;
}

/** `3 OK, 1 WARNING`: counts by state, worst first, states with no member left out. */
export function countByStatus(statuses: readonly Status[]): string {
  return ORDER.filter((s) => statuses.includes(s)).map((s) =>
    `${statuses.filter((x) => x === s).length} ${s.toUpperCase()}`
  ).join(", ");
}

/** One line, with nothing a terminal would obey (escape sequences from a name become visible `\x1b`). */
function oneLine(text: string): string {
  return printable(text.replace(/\r?\n/g, " "));
}

function heading(host: HostReport, paint: Paint): string {
  const run = host.report;
  const status = overallStatus(run.results);
  const version = run.serverVersion ? `PostgreSQL ${run.serverVersion}` : "no connection";
  const parts = [
    paint(host.name, "1"),
    host.group ? `(${host.group})` : undefined,
    version,
    `${Math.round(run.durationMs)} ms`,
    paint(status.toUpperCase(), COLORS[status]),
  ];
  return parts.filter((p) => p !== undefined).join("  ");
}

function table(host: HostReport, paint: Paint): string[] {
  const results = host.report.results;
  if (results.length === 0) return ["  (no checks ran)"];
  const nameWidth = Math.max(5, ...results.map((r) => r.name.length));
  const head = `  ${"STATUS".padEnd(8)}  ${"CHECK".padEnd(nameWidth)}  MESSAGE`;
  const rows = results.map((r) =>
    `  ${paint(r.status.toUpperCase().padEnd(8), COLORS[r.status])}  ${r.name.padEnd(nameWidth)}  ${oneLine(r.message)}`
  );
  return [paint(head, "2"), ...rows];
}

function hostBlock(host: HostReport, paint: Paint): string[] {
  const skipped = host.report.skipped.length > 0
    ? [`  skipped (not on this PostgreSQL version): ${host.report.skipped.join(", ")}`]
    : [];
  return [heading(host, paint), ...table(host, paint), ...skipped];
}

function summary(fleet: FleetReport): string {
  if (fleet.hosts.length === 1) {
    const results = fleet.hosts[0]!.report.results;
    return `${results.length} checks: ${countByStatus(results.map((r) => r.status)) || "none"}`;
  }
  return `${fleet.hosts.length} hosts: ${
    countByStatus(fleet.hosts.map((h) => overallStatus(h.report.results))) || "none"
  }`;
}

/** Renders a fleet as a table for people (ends with a newline). */
export function formatText(fleet: FleetReport, options: TextOptions = {}): string {
  const paint = painter(options.color ?? false);
  const blocks = fleet.hosts.map((host) => hostBlock(host, paint).join("\n"));
  return [...blocks, summary(fleet)].join("\n\n") + "\n";
}

/**
 * Whether to colour: only on a terminal, never with NO_COLOR set to anything non-empty
 * (https://no-color.org) or TERM=dumb.
 */
export function colorWanted(isTTY: boolean | undefined, env: Readonly<Record<string, string | undefined>>): boolean {
  return isTTY === true && !env.NO_COLOR && env.TERM !== "dumb";
}
