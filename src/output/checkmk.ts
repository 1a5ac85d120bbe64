/**
 * check_mk local checks: one line per service, `<state> "<service>" <metrics> <text>`, in a
 * `<<<local:sep(0)>>>` section; for several hosts each host's section is wrapped in piggyback markers
 * `<<<<host>>>>` … `<<<<>>>>` so its services appear on that host in Checkmk.
 *
 * Fixes of the original's output (posemo.md B5-B8): levels are written warn before crit; a check that
 * could not run still yields its service (UNKNOWN or CRITICAL with the reason); per-database
 * services (checkmk-services.ts) have their own state instead of the whole check's; the text is
 * never lost.
 * Grammar (Checkmk's local-check parser): metrics `name=value;warn;crit;min;max` joined by `|`, or `-`;
 * levels `N` (upper), `N:` (lower) or `L:U` (both); a literal `\n` in the text starts the details.
 * @module
 */
import {
  type CheckResult,
  type FleetReport,
  type HostReport,
  type Measurement,
  STATUS_CODES,
} from "../check/result.ts";
import { parseRange } from "../catalogue/range.ts";
import { type CheckmkService, checkmkServices, type ServiceOptions } from "./checkmk-services.ts";
import { perfNumber } from "./perfdata.ts";
import { printableNoBackslash, visibleEscape } from "../safe-text.ts";

/** How checks become Checkmk services and sections. */
export interface CheckmkOptions extends ServiceOptions {
  /** Wrap each host in piggyback markers. @default true when the fleet has more than one host */
  readonly piggyback?: boolean;
}

/**
 * Service names may hold neither quote (the parser forbids them) nor control characters: those and a
 * backslash become visible `\xNN` escapes, so two databases never share a service (`it's`, `it_s`).
 */
export function checkmkServiceName(parts: readonly string[]): string {
  return printableNoBackslash(parts.join(" ")).replace(/["']/g, visibleEscape);
}

/** Piggyback host names: letters, digits, `.`, `-` and `_`; anything else becomes `_`. */
export function checkmkHostName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** Text on one line; backslashes escaped, so no name can write the `\n` that starts the details. */
function oneLine(text: string): string {
  return printableNoBackslash(text.replace(/\r?\n/g, " ")).trim();
}

/** ms become seconds, Checkmk's base unit; everything else keeps its unit. */
function scaleOf(m: Measurement): number {
  return m.unit === "ms" ? 0.001 : 1;
}

/** A Nagios range as Checkmk levels: `N` upper, `N:` lower, `L:U` both; `@` ranges have no equivalent. */
export function checkmkLevel(range: string | undefined, scale = 1): string {
  const parsed = range === undefined ? undefined : parseRange(range);
  if (parsed === undefined || typeof parsed === "string" || parsed.inside) return "";
  const lower = Number.isFinite(parsed.start) && parsed.start !== 0 ? perfNumber(parsed.start * scale) : undefined;
  const upper = Number.isFinite(parsed.end) ? perfNumber(parsed.end * scale) : undefined;
  if (lower !== undefined) return `${lower}:${upper ?? ""}`;
  return upper ?? "";
}

/** `check`, `check_column`, and with titles (one service per check) `check_title[_column]`. */
function metricName(result: CheckResult, m: Measurement, withTitle: boolean): string {
  const parts = [result.name, withTitle ? m.title : undefined, m.column !== result.name ? m.column : undefined];
  return parts.filter((p) => p !== undefined).join("_").replace(/[^A-Za-z0-9_]/g, "_");
}

function metric(result: CheckResult, m: Measurement, withTitle: boolean): string | undefined {
  if (m.value === null) return undefined;
  const scale = scaleOf(m);
  const value = typeof m.value === "boolean" ? perfNumber(m.value) : perfNumber(m.value * scale);
  const bound = (n: number | undefined) => (n === undefined ? "" : perfNumber(n * scale));
  const fields = [
    `${metricName(result, m, withTitle)}=${value}`,
    checkmkLevel(m.warning, scale),
    checkmkLevel(m.critical, scale),
    bound(m.min),
    bound(m.max),
  ];
  while (fields.length > 1 && fields[fields.length - 1] === "") fields.pop();
  return fields.join(";");
}

/** Titles go into metric names only where a service holds values of several rows. */
function line(result: CheckResult, service: CheckmkService): string {
  const withTitle = new Set(service.measurements.map((m) => m.title)).size > 1;
  const metrics = service.measurements.map((m) => metric(result, m, withTitle)).filter((m) => m !== undefined);
  const text = service.text.map(oneLine).filter((t) => t !== "").join("\\n");
  return `${STATUS_CODES[service.status]} "${checkmkServiceName(service.name)}" ${
    metrics.length > 0 ? metrics.join("|") : "-"
  } ${text || "-"}`;
}

/** The local-check lines of one host (without section header). */
export function checkmkLines(host: HostReport, options: CheckmkOptions = {}): string[] {
  return host.report.results.flatMap((result) =>
    checkmkServices(result, options).map((service) => line(result, service))
  );
}

/** Renders a fleet as check_mk agent output (ends with a newline). */
export function formatCheckmk(fleet: FleetReport, options: CheckmkOptions = {}): string {
  const piggyback = options.piggyback ?? fleet.hosts.length > 1;
  const out: string[] = [];
  for (const host of fleet.hosts) {
    if (piggyback) out.push(`<<<<${checkmkHostName(host.name)}>>>>`);
    out.push("<<<local:sep(0)>>>", ...checkmkLines(host, options));
    if (piggyback) out.push("<<<<>>>>");
  }
  return out.join("\n") + "\n";
}
