/**
 * The rows of a check result, as the formats that give each row its own service, item or label see
 * them: measurements grouped by row title in the order the check returned them. Titles that start
 * with `!` (`!TOTAL`, `!MAX`) are summary rows and belong to the check itself.
 * @module
 */
import { type CheckResult, isSummaryTitle, type Measurement, type Status, worse } from "../check/result.ts";

/** The measurements of one row; `title` is undefined for single-row checks. */
export interface ResultRow {
  readonly title?: string;
  readonly measurements: readonly Measurement[];
}

/** Groups a result's measurements by row title, keeping the check's order. */
export function rowsOf(result: CheckResult): ResultRow[] {
  const rows = new Map<string | undefined, Measurement[]>();
  for (const m of result.measurements) {
    const row = rows.get(m.title);
    row ? row.push(m) : rows.set(m.title, [m]);
  }
  return [...rows].map(([title, measurements]) => (title === undefined ? { measurements } : { title, measurements }));
}

/** True for rows that summarise the others (`!TOTAL`, `!MAX`) and for untitled rows. */
export function isSummaryRow(row: ResultRow): boolean {
  return row.title === undefined || isSummaryTitle(row.title);
}

/** The worst status of some measurements (OK when there are none). */
export function worstOf(measurements: readonly Measurement[]): Status {
  return measurements.reduce<Status>((acc, m) => worse(acc, m.status), "ok");
}
