/**
 * Which checks a `check` invocation runs, and the thresholds each is judged by. `-w`/`-c` replace the
 * catalogue defaults, need exactly one check and aim at one column (or a check's judged columns of
 * one unit): one range cannot mean the same thing for a percentage, a byte count and a number of
 * seconds.
 * @module
 */
import type { CheckDefinition, RangePair } from "../catalogue/definition.ts";
import type { Ranges } from "../catalogue/cell-thresholds.ts";
import { valueColumns } from "../catalogue/definition.ts";
import type { Thresholds } from "../catalogue/cell-thresholds.ts";
import { parseRange, type Range } from "../catalogue/range.ts";
import { thresholdColumns } from "../catalogue/cell-thresholds.ts";

/** The checks to run, or a one-line reason why the names are wrong. */
export function selectChecks(
  catalogue: readonly CheckDefinition[],
  names: readonly string[],
): { checks: CheckDefinition[]; all: boolean } | string {
  if (names.length === 1 && names[0] === "all") return { checks: [...catalogue], all: true };
  const unknown = names.find((n) => !catalogue.some((c) => c.name === n));
  if (unknown !== undefined) {
    return `Cannot run unknown check "${unknown}": see posemo check --list (or use --check all)`;
  }
  return { checks: catalogue.filter((c) => names.includes(c.name)), all: false };
}

function range(flag: string, text: string | undefined): Range | undefined {
  if (text === undefined) return undefined;
  const parsed = parseRange(text);
  if (typeof parsed === "string") throw new SyntaxError(`${flag}: ${parsed}`);
  return parsed;
}

function ranges(pair: RangePair | undefined): Ranges {
  return {
    ...(pair?.warning ? { warning: parseRange(pair.warning) as Range } : {}),
    ...(pair?.critical ? { critical: parseRange(pair.critical) as Range } : {}),
  };
}

/** The catalogue's defaults: the check's own ranges, and per-column ones for columns of another unit. */
function defaults(check: CheckDefinition): Thresholds {
  const perColumn = Object.entries(check.thresholds?.perColumn ?? {});
  const cells = perColumn.length > 0
    ? { cells: { columns: Object.fromEntries(perColumn.map(([name, pair]) => [name, ranges(pair)])) } }
    : {};
  return { ...ranges(check.thresholds), ...cells };
}

function unitOf(check: CheckDefinition, column: string): string {
  return check.columns.find((c) => c.name === column)?.unit ?? check.unit;
}

/**
 * The column(s) -w/-c judge: `--column NAME`, else the check's judged columns (of one unit), else
 * the column named like the check, else its only numeric column. Anything else is ambiguous, and a
 * range must never land on a column of another unit (a byte count judged against a file count):
 * returns a one-line refusal instead.
 */
export function aimedColumns(check: CheckDefinition, column?: string): readonly string[] | string {
  const numeric = valueColumns(check).filter((c) => c.type !== "text").map((c) => c.name);
  if (column !== undefined) {
    return numeric.includes(column)
      ? [column]
      : `Cannot aim -w/-c at column "${column}": check "${check.name}" has the numeric columns ${numeric.join(", ")}`;
  }
  const judged = thresholdColumns(check);
  if (
    judged.length > 0 && new Set(judged.map((c) => unitOf(check, c))).size === 1 &&
    (judged.length === 1 || check.thresholds?.columns.length)
  ) return judged;
  return `Cannot apply -w/-c to check "${check.name}": it has several columns (${
    numeric.join(", ")
  }); name one with --column NAME`;
}

/** The check with -w/-c aimed at its column (see aimedColumns); throws RangeError when that is ambiguous. */
export function withAimedColumn(check: CheckDefinition, column?: string): CheckDefinition {
  const columns = aimedColumns(check, column);
  if (typeof columns === "string") throw new RangeError(columns);
  return { ...check, thresholds: { ...check.thresholds, columns } };
}

/**
 * Builds the thresholds lookup. Throws SyntaxError for a bad range and RangeError when -w/-c are
 * given with more than one check.
 */
export function thresholdsFor(
  checks: readonly CheckDefinition[],
  warning?: string,
  critical?: string,
): (check: CheckDefinition) => Thresholds {
  if (warning === undefined && critical === undefined) return defaults;
  if (checks.length !== 1) throw new RangeError("Cannot apply -w/-c to several checks: select one with --check NAME");
  const override = flagRanges(warning, critical);
  return (check) => ({ ...defaults(check), ...override });
}

/** Only the ranges given as -w/-c (none, one or both). Throws SyntaxError for a bad range. */
export function flagRanges(warning?: string, critical?: string): Thresholds {
  const w = range("-w", warning);
  const c = range("-c", critical);
  return { ...(w ? { warning: w } : {}), ...(c ? { critical: c } : {}) };
}
