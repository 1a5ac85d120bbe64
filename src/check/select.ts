/**
 * Which checks a `check` invocation runs, and the thresholds each is judged by. `-w`/`-c` replace the
 * catalogue defaults and need exactly one check: one range cannot mean the same thing for a
 * percentage, a byte count and a number of seconds.
 * @module
 */
import type { CheckDefinition, RangePair } from "../catalogue/definition.ts";
import type { Ranges } from "./cell-thresholds.ts";
import { valueColumns } from "../catalogue/definition.ts";
import type { Thresholds } from "./evaluate.ts";
import { parseRange, type Range } from "./range.ts";

/** The checks to run, or a one-line reason why the names are wrong. */
export function selectChecks(catalogue: readonly CheckDefinition[], names: readonly string[]): { checks: CheckDefinition[]; all: boolean } | string {
  if (names.length === 1 && names[0] === "all") return { checks: [...catalogue], all: true };
  const unknown = names.find((n) => !catalogue.some((c) => c.name === n));
  if (unknown !== undefined) return `Cannot run unknown check "${unknown}": see posemo check --list (or use --check all)`;
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
  const cells = perColumn.length > 0 ? { cells: { columns: Object.fromEntries(perColumn.map(([name, pair]) => [name, ranges(pair)])) } } : {};
  return { ...ranges(check.thresholds), ...cells };
}

/** A check whose thresholds judge every numeric value column when the catalogue names none. */
export function withJudgedColumns(check: CheckDefinition): CheckDefinition {
  if (check.thresholds?.columns.length) return check;
  const columns = valueColumns(check).filter((c) => c.type !== "text").map((c) => c.name);
  return { ...check, thresholds: { ...check.thresholds, columns } };
}

/**
 * Builds the thresholds lookup. Throws SyntaxError for a bad range and RangeError when -w/-c are
 * given with more than one check.
 */
export function thresholdsFor(checks: readonly CheckDefinition[], warning?: string, critical?: string): (check: CheckDefinition) => Thresholds {
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
