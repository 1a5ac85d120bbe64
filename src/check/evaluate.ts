/**
 * Judges the rows a check function returned: types every value, applies the Nagios ranges to the
 * threshold columns, and words one line for people. Pure: rows and thresholds in, a CheckResult out.
 * NULL is "no value" and is never judged (the original counted it as 0).
 * @module
 */
import type { CheckDefinition, ColumnDefinition } from "../catalogue/definition.ts";
import { NOT_JUDGED, UNKNOWN_REASON, valueColumns } from "../catalogue/definition.ts";
import { cellRanges, type Thresholds } from "../catalogue/cell-thresholds.ts";
import { alerts } from "../catalogue/range.ts";
import { type CheckResult, isSummaryTitle, type Measurement, realTitle, type Status, worse } from "./result.ts";
import { alertMessage, okMessage } from "./words.ts";

export { showValue } from "./words.ts";

type Row = Readonly<Record<string, unknown>>;

/** Converts a driver value to its typed JSON value: bigint and numeric arrive as strings. */
export function typedValue(column: ColumnDefinition, raw: unknown): number | boolean | string | null {
  if (raw === null || raw === undefined) return null;
  if (column.type === "boolean") return raw === true || raw === "t" || raw === "true";
  if (column.type === "text") return String(raw);
  const n = typeof raw === "number" ? raw : Number(raw);
  return Number.isFinite(n) ? n : null;
}

function judge(value: number | boolean | null, thresholds: Omit<Thresholds, "cells">): Status {
  if (value === null) return "ok";
  const n = typeof value === "boolean" ? Number(value) : value;
  if (thresholds.critical && alerts(thresholds.critical, n)) return "critical";
  if (thresholds.warning && alerts(thresholds.warning, n)) return "warning";
  return "ok";
}

function label(check: CheckDefinition, column: string, title: string | undefined): string {
  const parts = [check.name];
  if (title !== undefined) parts.push(title);
  if (valueColumns(check).filter((c) => c.type !== "text").length > 1) parts.push(column);
  return parts.join(".");
}

/** Where a merged row came from (per-database.ts sets it): the database, apart from the title. */
export const DATABASE_OF_ROW = "\u0000database";

/**
 * Row titles as the formats see them. When the first row is the check's summary (`!TOTAL`), a real
 * row named like a summary gets one more `!`, so it can neither collide with it nor pass for it.
 */
function rowTitles(check: CheckDefinition, rows: readonly Row[]): (string | undefined)[] {
  if (!check.titleColumn) return rows.map(() => undefined);
  const titles = rows.map((r) => String(r[check.titleColumn!] ?? ""));
  if (!isSummaryTitle(titles[0])) return titles;
  return titles.map((t, i) => (i === 0 ? t : realTitle(t)));
}

function measure(
  check: CheckDefinition,
  row: Row,
  title: string | undefined,
  column: ColumnDefinition,
  thresholds: Thresholds,
): Measurement {
  const database = row[DATABASE_OF_ROW];
  const value = typedValue(column, row[column.name]) as number | boolean | null;
  const ranges = cellRanges(check, title, column.name, thresholds, thresholds.cells);
  const judged = ranges.judged;
  return {
    label: label(check, column.name, title),
    column: column.name,
    ...(title !== undefined ? { title } : {}),
    ...(typeof database === "string" ? { database } : {}),
    value,
    unit: column.unit ?? check.unit,
    status: judged ? judge(value, ranges) : "ok",
    ...(judged && ranges.warning ? { warning: ranges.warning.text } : {}),
    ...(judged && ranges.critical ? { critical: ranges.critical.text } : {}),
    ...bounds(check, column),
    ...rowContext(check, row),
  };
}

/** The row's non-null text columns other than its title and the unknown_reason escape hatch. */
function rowContext(check: CheckDefinition, row: Row): { context?: Record<string, string> } {
  const texts = valueColumns(check).filter((c) =>
    c.type === "text" && row[c.name] !== null && row[c.name] !== undefined
  );
  if (texts.length === 0) return {};
  return { context: Object.fromEntries(texts.map((c) => [c.name, String(row[c.name])])) };
}

/** The check's min/max describe values in the check's unit; a column with a unit of its own (a count beside a percentage) has none. */
function bounds(check: CheckDefinition, column: ColumnDefinition): { min?: number; max?: number } {
  if (column.unit !== undefined && column.unit !== check.unit) return {};
  return {
    ...(check.min !== undefined ? { min: check.min } : {}),
    ...(check.max !== undefined ? { max: check.max } : {}),
  };
}

/**
 * What the rows could not judge: each distinct unknown_reason (the SQL's "I cannot see part of what
 * I need", e.g. sequences the owner cannot read). It never hides what could be judged.
 */
function unknownReasons(rows: readonly Row[]): string[] {
  const reasons = rows.map((r) => r[UNKNOWN_REASON]).filter((v) => v !== null && v !== undefined).map(String);
  return [...new Set(reasons)];
}

function message(check: CheckDefinition, measurements: readonly Measurement[], rowCount: number): string {
  const alerting = measurements.filter((m) => m.status !== "ok");
  if (alerting.length > 0) return alertMessage(alerting, measurements);
  if (rowCount === 0) return "no rows";
  return okMessage(measurements, rowCount, check.titleColumn !== undefined);
}

/** The `not_judged` notes of the rows, each after its row's title when it has one of its own (a database). */
function notJudged(check: CheckDefinition, rows: readonly Row[]): string[] {
  return rows.filter((r) => r[NOT_JUDGED] !== null && r[NOT_JUDGED] !== undefined).map((r) => {
    const title = check.titleColumn ? String(r[check.titleColumn] ?? "") : "";
    return title && !isSummaryTitle(title) ? `${title}: ${String(r[NOT_JUDGED])}` : String(r[NOT_JUDGED]);
  });
}

/**
 * One value per label. A check without a title column that returns several rows, or two rows with
 * one title (a custom check's SQL), would give two series one name: Prometheus refuses the whole
 * scrape, Zabbix keeps either, Nagios graphs either. The worst value of each label is kept, and
 * the check says what it could not tell apart.
 */
function oneValuePerLabel(
  check: CheckDefinition,
  measurements: readonly Measurement[],
  rowCount: number,
): { measurements: Measurement[]; clash?: string } {
  const byLabel = new Map<string, Measurement>();
  for (const m of measurements) {
    const kept = byLabel.get(m.label);
    if (!kept || worse(kept.status, m.status) !== kept.status) byLabel.set(m.label, m);
  }
  if (byLabel.size === measurements.length) return { measurements: [...measurements] };
  const clash = check.titleColumn
    ? `several rows titled ${
      [...new Set(clashingTitles(measurements))].map((t) => `"${t}"`).join(", ")
    }: the worst of each kept`
    : `the check returned ${rowCount} rows but has no title_column to tell them apart: the worst kept`;
  return { measurements: [...byLabel.values()], clash };
}

function clashingTitles(measurements: readonly Measurement[]): string[] {
  const seen = new Set<string>();
  return measurements.filter((m) => (seen.has(m.label) ? true : (seen.add(m.label), false))).map((m) => m.title ?? "");
}

/**
 * Numeric cells that hold no number (NaN, Infinity: numeric and float columns can): they would read
 * "no value", like a NULL, and pass as OK. Named, so the check is at least UNKNOWN.
 */
function notNumbers(
  columns: readonly ColumnDefinition[],
  rows: readonly Row[],
  titles: readonly (string | undefined)[],
): string[] {
  return rows.flatMap((row, i) =>
    columns.filter((c) => c.type !== "boolean" && row[c.name] !== null && row[c.name] !== undefined)
      .filter((c) => typedValue(c, row[c.name]) === null)
      .map((c) => `${titles[i] !== undefined ? `${titles[i]}: ` : ""}${c.name} is ${String(row[c.name])}, not a number`)
  );
}

/** Evaluates the rows of one check. */
export function evaluateCheck(check: CheckDefinition, rows: readonly Row[], thresholds: Thresholds): CheckResult {
  const base = { name: check.name, description: check.description };
  if (rows.length === 0 && !check.titleColumn) {
    return {
      ...base,
      status: "unknown",
      message: "the check returned no row",
      error: "the check returned no row",
      measurements: [],
    };
  }
  const columns = valueColumns(check).filter((c) => c.type !== "text");
  const titles = rowTitles(check, rows);
  const all = rows.flatMap((row, i) => columns.map((c) => measure(check, row, titles[i], c, thresholds)));
  const { measurements, clash } = oneValuePerLabel(check, all, rows.length);
  const judged = measurements.reduce<Status>((acc, m) => worse(acc, m.status), "ok");
  const reasons = [...unknownReasons(rows), ...notNumbers(columns, rows, titles), ...(clash ? [clash] : [])];
  const notes = [...notJudged(check, rows), ...reasons];
  const seen = message(check, measurements, rows.length) +
    (notes.length > 0 ? `; not judged: ${notes.join("; ")}` : "");
  if (reasons.length === 0) return { ...base, status: judged, message: seen, measurements };
  // What was judged stands (CRITICAL and WARNING beat UNKNOWN); an OK over partial data is not OK.
  return { ...base, status: worse(judged, "unknown"), message: seen, error: reasons.join("; "), measurements };
}

/** A check that could not run: UNKNOWN with the reason. */
export function failedCheck(
  check: Pick<CheckDefinition, "name" | "description">,
  reason: string,
  status: Status = "unknown",
): CheckResult {
  return { name: check.name, description: check.description, status, message: reason, error: reason, measurements: [] };
}
