/**
 * Thresholds for one value of one row (a "cell"), for checks with several columns and rows: a
 * configuration file may set ranges per column (`activity` idle_in_transaction) and per row (the
 * cache-hit ratio of database `reporting`), which the original could not (one pair for everything, B14).
 *
 * For each level (warning, critical) independently the first range found wins, most specific first:
 * `rows[R].columns[K]`, `rows[R]`, `columns[K]`, then the check's own range. A range without a column
 * (the check's, or a row's) judges the check's threshold columns: the catalogue's, or every numeric
 * column when the catalogue names none.
 * @module
 */
import type { CheckDefinition } from "./definition.ts";
import { valueColumns } from "./definition.ts";
import type { Range } from "./range.ts";

/** The ranges in force for one check (defaults, a configuration file, or -w/-c). */
export interface Thresholds {
  readonly warning?: Range;
  readonly critical?: Range;
  /** Ranges for particular columns and rows, more specific than the two above (see below). */
  readonly cells?: CellOverrides;
}

/** A warning and a critical range, either optional. */
export interface Ranges {
  readonly warning?: Range;
  readonly critical?: Range;
}

/** Ranges for one row (matched by its title, e.g. a database name or `!TOTAL`), optionally per column. */
export interface RowRanges extends Ranges {
  readonly columns?: Readonly<Record<string, Ranges>>;
}

/** Per-column and per-row ranges of one check. */
export interface CellOverrides {
  readonly columns?: Readonly<Record<string, Ranges>>;
  readonly rows?: Readonly<Record<string, RowRanges>>;
}

/** The ranges in force for one cell; `judged` is false when no range could apply to it. */
export interface CellRanges extends Ranges {
  readonly judged: boolean;
}

/**
 * Columns a range without a column judges: the catalogue's threshold columns, else the column named
 * like the check (`wal_files`, not its byte size beside it), else every numeric one (a configuration
 * file refuses a range with a unit over columns of different units; -w/-c refuse a mix outright).
 */
export function thresholdColumns(check: CheckDefinition): readonly string[] {
  if (check.thresholds?.columns.length) return check.thresholds.columns;
  const numeric = valueColumns(check).filter((c) => c.type !== "text").map((c) => c.name);
  return numeric.includes(check.name) ? [check.name] : numeric;
}

function pick(level: keyof Ranges, chain: readonly (Ranges | undefined)[]): Range | undefined {
  for (const ranges of chain) {
    if (ranges?.[level]) return ranges[level];
  }
  return undefined;
}

/** The ranges for column `column` of the row titled `title` (undefined for single-row checks). */
export function cellRanges(
  check: CheckDefinition,
  title: string | undefined,
  column: string,
  base: Ranges,
  overrides: CellOverrides = {},
): CellRanges {
  const whole = thresholdColumns(check).includes(column);
  const row = title === undefined ? undefined : overrides.rows?.[title];
  const chain = [
    row?.columns?.[column],
    whole ? row : undefined,
    overrides.columns?.[column],
    whole ? base : undefined,
  ];
  const warning = pick("warning", chain);
  const critical = pick("critical", chain);
  const judged = (whole && (check.thresholds?.columns.includes(column) ?? false)) || warning !== undefined ||
    critical !== undefined;
  return { judged, ...(warning ? { warning } : {}), ...(critical ? { critical } : {}) };
}
