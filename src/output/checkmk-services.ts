/**
 * Which Checkmk services a check result becomes. One service per check, named `<prefix> <check>`;
 * checks whose rows are databases (title column `database`, or database scope) also get one
 * service per database, `<prefix> <check> <database>`, with that database's own state and values,
 * so one database below its limit does not turn the whole check red. Object rows of database-scope
 * checks (`app/public.orders`) count towards their database's service: its state is the worst of
 * them and its text names the alerting ones, but they add no metrics (a metric per table would make
 * services of unbounded size). Other multi-row checks (per standby, per slot, per statement) stay one
 * service, rows in the details, because their rows come and go. Pure.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import { alertWords, showValue } from "../check/words.ts";
import { databaseTitle } from "../check/per-database.ts";
import { type CheckResult, type Measurement, type Status, worse } from "../check/result.ts";
import { isSummaryRow, type ResultRow, rowsOf, worstOf } from "./rows.ts";

/** One local-check service before it is written as a line. */
export interface CheckmkService {
  /** Name parts, joined by spaces and cleaned when written. */
  readonly name: readonly string[];
  readonly status: Status;
  readonly measurements: readonly Measurement[];
  /** Summary, then detail lines. */
  readonly text: readonly string[];
}

/** How results become services. */
export interface ServiceOptions {
  /** Services per database row where rows are databases. @default true */
  readonly perRow?: boolean;
  /** @default "PostgreSQL" */
  readonly servicePrefix?: string;
  /** Check definitions: which checks have database rows. Without it every check is one service. */
  readonly catalogue?: readonly CheckDefinition[];
}

const MAX_NAMED = 5;

function describe(m: Measurement, withTitle: boolean): string {
  const name = [withTitle ? m.title : undefined, m.column].filter((p) => p !== undefined).join(" ");
  const alert = alertWords(m);
  return `${name} ${showValue(m)}${alert ? ` (${alert})` : ""}`;
}

function listed(measurements: readonly Measurement[], withTitle: boolean): string {
  const shown = measurements.slice(0, MAX_NAMED).map((m) => describe(m, withTitle)).join(", ");
  return measurements.length > MAX_NAMED ? `${shown}, and ${measurements.length - MAX_NAMED} more` : shown;
}

function titleCount(measurements: readonly Measurement[]): number {
  return new Set(measurements.map((m) => m.title)).size;
}

/** The whole check as one service: its state, every value, the message, the rows' values as details. */
function wholeCheck(result: CheckResult, prefix: string): CheckmkService {
  const details = titleCount(result.measurements) > 1 ? result.measurements.map((m) => describe(m, true)) : [];
  return {
    name: [prefix, result.name],
    status: result.status,
    measurements: result.measurements,
    text: [result.message, ...details],
  };
}

/** `2 databases: 1 CRITICAL, 1 OK`, for a check service without values of its own. */
function databaseCount(services: readonly CheckmkService[]): string {
  const order: readonly Status[] = ["critical", "warning", "unknown", "ok"];
  const counts = order.map((s) => [s, services.filter((d) => d.status === s).length] as const).filter(([, n]) => n > 0);
  return `${services.length} databases: ${counts.map(([s, n]) => `${n} ${s.toUpperCase()}`).join(", ")}`;
}

/** The check's own service beside per-database ones: summary rows, and whatever kept the check from running. */
function checkService(
  result: CheckResult,
  own: readonly Measurement[],
  databases: readonly CheckmkService[],
  prefix: string,
): CheckmkService {
  const failed = result.error !== undefined;
  const status = result.measurements.length === 0 ? result.status : worse(worstOf(own), failed ? "unknown" : "ok");
  const text = failed ? result.message : own.length > 0 ? listed(own, titleCount(own) > 1) : databaseCount(databases);
  return { name: [prefix, result.name], status, measurements: own, text: [text] };
}

/** One database: its own row's values; its objects' alerts in state and text. */
function databaseService(
  result: CheckResult,
  database: string,
  rows: readonly ResultRow[],
  prefix: string,
): CheckmkService {
  const isOwn = (r: ResultRow) =>
    r.title === database || (r.measurements[0]?.database === database && r.title === databaseTitle(database));
  const own = rows.filter(isOwn).flatMap((r) => r.measurements);
  const objects = rows.filter((r) => !isOwn(r)).flatMap((r) => r.measurements);
  const alerting = objects.filter((m) => m.status !== "ok");
  const parts = [
    own.length > 0 ? listed(own, false) : undefined,
    alerting.length > 0
      ? listed(alerting, true)
      : objects.length > 0
      ? `${new Set(objects.map((m) => m.title)).size} objects OK`
      : undefined,
  ];
  const text = parts.filter((p) => p !== undefined).join("; ") || "no values";
  return {
    name: [prefix, result.name, database],
    status: worse(worstOf(own), worstOf(objects)),
    measurements: own,
    text: [text],
  };
}

function databaseRows(definition: CheckDefinition | undefined): "no" | "titles" | "prefixes" {
  if (definition?.scope === "database") return "prefixes";
  return definition?.titleColumn === "database" ? "titles" : "no";
}

/** Rows by database: the database a merged row came from, else (rows that are databases) the title. */
function byDatabase(rows: readonly ResultRow[], split: boolean): Map<string, ResultRow[]> {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = split ? (row.measurements[0]?.database ?? row.title!.split("/")[0]!) : row.title!;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return groups;
}

/** The services of one check result. */
export function checkmkServices(result: CheckResult, options: ServiceOptions = {}): CheckmkService[] {
  const prefix = options.servicePrefix ?? "PostgreSQL";
  const mode = databaseRows(options.catalogue?.find((c) => c.name === result.name));
  const rows = rowsOf(result);
  if (options.perRow === false || mode === "no" || rows.every(isSummaryRow)) return [wholeCheck(result, prefix)];
  const own = rows.filter(isSummaryRow).flatMap((r) => r.measurements);
  const groups = byDatabase(rows.filter((r) => !isSummaryRow(r)), mode === "prefixes");
  const databases = [...groups].map(([database, group]) => databaseService(result, database, group, prefix));
  return [checkService(result, own, databases, prefix), ...databases];
}
