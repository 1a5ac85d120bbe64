/**
 * The `checks:` block of a configuration level: per check `enabled`, `warning`/`critical`, and ranges
 * per column (`columns:`) and per row (`rows:`, keyed by the row's title: a database name, `!TOTAL`).
 * Check and column names are validated against the catalogue and every range is converted into the
 * unit of the column it judges, so a mistake is reported with its line before anything connects.
 * @module
 */
import type { Node } from "yaml";
import type { CheckDefinition, ColumnDefinition, Unit } from "../catalogue/definition.ts";
import { valueColumns } from "../catalogue/definition.ts";
import { type Ranges, type RowRanges, thresholdColumns } from "../catalogue/cell-thresholds.ts";
import type { Range } from "../catalogue/range.ts";
import { parseUnitRange } from "./unit-range.ts";
import { argumentValue, type ArgumentValues, findArgument } from "./check-arguments.ts";
import { entries, flag, type NodeReader, textOrNumber } from "../yaml-reader.ts";

/** What one level says about one check; every part optional, merged key by key across levels. */
export interface CheckSettings extends Ranges {
  readonly enabled?: boolean;
  /** Values for the check function's arguments (`min_size: 10MB`), checked and converted (bytes). */
  readonly arguments?: ArgumentValues;
  readonly columns?: Readonly<Record<string, Ranges>>;
  readonly rows?: Readonly<Record<string, RowRanges>>;
}

const CHECK_KEYS = ["enabled", "warning", "critical", "columns", "rows", "arguments"];
const RANGE_KEYS = ["warning", "critical"];
const ROW_KEYS = ["warning", "critical", "columns"];

function numericColumns(check: CheckDefinition): readonly ColumnDefinition[] {
  return valueColumns(check).filter((c) => c.type !== "text");
}

/** The unit shared by the columns a column-less range judges; a mix means "bare numbers only". */
function sharedUnit(check: CheckDefinition): Unit | undefined {
  const units = new Set(
    thresholdColumns(check).map((name) => check.columns.find((c) => c.name === name)?.unit ?? check.unit),
  );
  return units.size === 1 ? [...units][0] : undefined;
}

function range(node: Node | null, unit: Unit | undefined, subject: string, reader: NodeReader): Range {
  const text = textOrNumber(node, subject, reader);
  if (unit === undefined && /[A-Za-z%]/.test(text)) {
    reader.fail(
      `Cannot use "${text}" as a range for ${subject}: its columns have different units, so write a bare number or set the range per column`,
      node,
    );
  }
  const parsed = parseUnitRange(text, unit ?? "", subject);
  if (typeof parsed === "string") reader.fail(parsed, node);
  return parsed;
}

function ranges(
  node: Node | null,
  unit: Unit | undefined,
  subject: string,
  reader: NodeReader,
  allowed = RANGE_KEYS,
): Ranges {
  const out: { warning?: Range; critical?: Range } = {};
  for (const e of entries(node, subject, reader, allowed)) {
    if (e.key === "warning" || e.key === "critical") out[e.key] = range(e.value, unit, `${subject}.${e.key}`, reader);
  }
  return out;
}

function columnRanges(
  node: Node | null,
  check: CheckDefinition,
  subject: string,
  reader: NodeReader,
): Record<string, Ranges> {
  const out: Record<string, Ranges> = {};
  for (const e of entries(node, subject, reader)) {
    const column = numericColumns(check).find((c) => c.name === e.key);
    if (!column) {
      reader.fail(
        `unknown column "${e.key}" in ${subject} (columns of ${check.name}: ${
          numericColumns(check).map((c) => c.name).join(", ")
        })`,
        e.keyNode,
      );
    }
    out[e.key] = ranges(e.value, column.unit ?? check.unit, `${subject}.${e.key}`, reader);
  }
  return out;
}

function rowRanges(
  node: Node | null,
  check: CheckDefinition,
  subject: string,
  reader: NodeReader,
): Record<string, RowRanges> {
  const out: Record<string, RowRanges> = {};
  for (const e of entries(node, subject, reader)) {
    const where = `${subject}.${e.key}`;
    const own = ranges(e.value, sharedUnit(check), where, reader, ROW_KEYS);
    const columns = entries(e.value, where, reader).find((c) => c.key === "columns");
    out[e.key] = columns ? { ...own, columns: columnRanges(columns.value, check, `${where}.columns`, reader) } : own;
  }
  return out;
}

function argumentValues(
  node: Node | null,
  check: CheckDefinition,
  subject: string,
  reader: NodeReader,
): ArgumentValues {
  const out: Record<string, string> = {};
  for (const e of entries(node, subject, reader)) {
    const argument = findArgument(check, e.key);
    if (typeof argument === "string") reader.fail(argument, e.keyNode);
    const checked = argumentValue(check, argument, textOrNumber(e.value, `${subject}.${e.key}`, reader));
    if ("problem" in checked) reader.fail(checked.problem, e.value);
    out[e.key] = checked.value;
  }
  return out;
}

function checkSettings(node: Node | null, check: CheckDefinition, subject: string, reader: NodeReader): CheckSettings {
  const found = entries(node, subject, reader, CHECK_KEYS);
  const value = (key: string) => found.find((e) => e.key === key);
  const enabled = value("enabled");
  const columns = value("columns");
  const rows = value("rows");
  const args = value("arguments");
  if (rows && !check.titleColumn && check.scope !== "database") {
    reader.fail(`${check.name} has one row: "rows" does not apply (use warning, critical or columns)`, rows.keyNode);
  }
  return {
    ...(enabled ? { enabled: flag(enabled.value, `${subject}.enabled`, reader) } : {}),
    ...ranges(node, sharedUnit(check), subject, reader, CHECK_KEYS),
    ...(columns ? { columns: columnRanges(columns.value, check, `${subject}.columns`, reader) } : {}),
    ...(rows ? { rows: rowRanges(rows.value, check, `${subject}.rows`, reader) } : {}),
    ...(args ? { arguments: argumentValues(args.value, check, `${subject}.arguments`, reader) } : {}),
  };
}

/**
 * Parses a `checks:` mapping (at `where`, e.g. `groups.prod.checks`); unknown checks are errors, or,
 * given `unknown`, collected there and left out (a custom check whose definition is on the server).
 */
export function parseChecks(
  node: Node | null,
  where: string,
  catalogue: readonly CheckDefinition[],
  reader: NodeReader,
  unknown?: string[],
): Record<string, CheckSettings> {
  const out: Record<string, CheckSettings> = {};
  for (const e of entries(node, where, reader)) {
    const check = catalogue.find((c) => c.name === e.key);
    if (!check && unknown) {
      unknown.push(e.key);
      continue;
    }
    if (!check) reader.fail(`unknown check "${e.key}" in ${where} (see posemo check --list)`, e.keyNode);
    out[e.key] = checkSettings(e.value, check, `${where}.${e.key}`, reader);
  }
  return out;
}
