/**
 * Parses and validates one `checks/<name>/check.yaml`. Unknown keys and wrong types are errors that
 * name the file, the line and the value: `warning_levle: 3` must fail loudly, not be ignored.
 * @module
 */
import { LineCounter, type Node, parseDocument } from "yaml";
import type { ArgumentDefinition, CheckDefinition, ColumnDefinition, ColumnType, Unit } from "./definition.ts";
import { atLine, type NodeReader, nodeReader } from "../yaml-reader.ts";
import { bool, choice, nodeAt, num, optional, rejectUnknownKeys, seq, str } from "./check-keys.ts";
import { parseThresholds } from "./parse-thresholds.ts";
import { customKeys } from "./parse-custom-keys.ts";

/** A check definition without its SQL, as read from check.yaml. */
export type CheckMetadata = Omit<CheckDefinition, "variants">;

/** A problem in a catalogue file, with where it is. */
export class CatalogueError extends Error {
  constructor(message: string, readonly file: string, readonly line?: number) {
    super(atLine(message, file, line));
    this.name = "CatalogueError";
  }
}

/** A check, column or argument name: PostgreSQL keeps 63 bytes of an identifier and cuts the rest silently. */
const CHECK_NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** posemo's own functions in the schema (`posemo_inventory`, `posemo_custom_definitions`) are named so. */
const RESERVED_PREFIX = "posemo_";
const COLUMN_TYPES: readonly ColumnType[] = [
  "boolean",
  "integer",
  "bigint",
  "real",
  "double precision",
  "numeric",
  "text",
];
const UNITS: readonly Unit[] = ["", "s", "ms", "%", "B", "c"];
const TOP_KEYS = [
  "description",
  "columns",
  "title_column",
  "unit",
  "thresholds",
  "arguments",
  "min",
  "max",
  "counter",
  "writes",
  "rates",
  "role",
  "scope",
  "needs",
  "language",
];
/** Keys only a custom check (a `--checks-dir` folder) may use. */
const CUSTOM_KEYS = ["privileges", "replaces_builtin"];

type Plain = Record<string, unknown>;

function parseColumn(node: Node, reader: NodeReader): ColumnDefinition {
  rejectUnknownKeys(node, ["name", "type", "unit"], "a column", reader);
  const name = str(node, "name", reader);
  if (!CHECK_NAME.test(name)) {
    reader.fail(`column name "${name}" must be snake_case of at most 63 characters (${CHECK_NAME})`, node);
  }
  const type = choice(node, "type", COLUMN_TYPES, "column type", reader);
  const unit = nodeAt(node, "unit") ? choice(node, "unit", UNITS, "unit", reader) : undefined;
  return unit === undefined ? { name, type } : { name, type, unit };
}

function parseArgument(node: Node, reader: NodeReader): ArgumentDefinition {
  rejectUnknownKeys(node, ["name", "type", "default", "format", "description"], "an argument", reader);
  const type = choice(node, "type", ["text", "integer", "interval"] as const, "argument type", reader);
  const format = nodeAt(node, "format")
    ? { format: choice(node, "format", ["size", "regex"] as const, "argument format", reader) }
    : {};
  const description = nodeAt(node, "description") ? { description: str(node, "description", reader) } : {};
  const name = str(node, "name", reader);
  const fallback = str(node, "default", reader);
  if (type === "integer" && !/^-?\d{1,10}$/.test(fallback)) {
    reader.fail(`argument "${name}": default "${fallback}" is not an integer`, nodeAt(node, "default"));
  }
  if (!CHECK_NAME.test(name)) {
    reader.fail(`argument name "${name}" must be snake_case of at most 63 characters (${CHECK_NAME})`, node);
  }
  return { name, type, default: fallback, ...format, ...description };
}

/** Columns and arguments share the function's parameter names, so one name may appear once. */
function refuseRepeatedNames(root: Node, names: readonly string[], reader: NodeReader): void {
  const at = names.findIndex((name, i) => names.indexOf(name) !== i);
  if (at < 0) return;
  const items = [...seq(root, "columns", reader), ...seq(root, "arguments", reader)];
  reader.fail(`"${names[at]}" names two columns or arguments: each name may appear once`, items[at] ?? root);
}

function refuseThresholdOnText(
  root: Node,
  columns: readonly ColumnDefinition[],
  judged: readonly string[],
  reader: NodeReader,
): void {
  const text = judged.find((name) => columns.find((c) => c.name === name)?.type === "text");
  if (text) {
    reader.fail(
      `threshold column "${text}" is a text column: only numeric and boolean columns can be judged`,
      nodeAt(root, "thresholds"),
    );
  }
}

function checkKeys(doc: Plain, file: string): void {
  if (typeof doc !== "object" || doc === null) throw new CatalogueError("check.yaml must be a mapping", file);
}

/**
 * Parses check.yaml text for the check in folder `name`; throws CatalogueError naming file and line.
 * `custom` (a `--checks-dir` folder) also allows the keys only custom checks have.
 */
export function parseCheckYaml(name: string, text: string, file: string, custom = false): CheckMetadata {
  if (!CHECK_NAME.test(name)) throw new CatalogueError(`check folder name "${name}" must match ${CHECK_NAME}`, file);
  if (name.startsWith(RESERVED_PREFIX)) {
    throw new CatalogueError(`check folder name "${name}": names starting "${RESERVED_PREFIX}" are posemo's own`, file);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) throw new CatalogueError(doc.errors[0]!.message.split("\n")[0]!, file);
  const reader = nodeReader(file, lines, CatalogueError);
  const root = doc.contents as Node;
  checkKeys(doc.toJS() as Plain, file);
  rejectUnknownKeys(root, custom ? [...TOP_KEYS, ...CUSTOM_KEYS] : TOP_KEYS, "check.yaml", reader);
  const columns = seq(root, "columns", reader).map((c) => parseColumn(c, reader));
  if (columns.length === 0) reader.fail("a check needs at least one column", root);
  const titleColumn = nodeAt(root, "title_column") ? str(root, "title_column", reader) : undefined;
  if (titleColumn && !columns.some((c) => c.name === titleColumn)) {
    reader.fail(`title_column "${titleColumn}" is not a column`, root);
  }
  const thresholds = parseThresholds(root, columns, reader);
  refuseThresholdOnText(root, columns, thresholds?.columns ?? [], reader);
  const args = seq(root, "arguments", reader).map((a) => parseArgument(a, reader));
  refuseRepeatedNames(root, [...columns, ...args].map((c) => c.name), reader);
  return {
    name,
    description: str(root, "description", reader),
    columns,
    ...(titleColumn ? { titleColumn } : {}),
    unit: choice(root, "unit", UNITS, "unit", reader, ""),
    ...optional("thresholds", thresholds),
    arguments: args,
    ...optional("min", num(root, "min", reader)),
    ...optional("max", num(root, "max", reader)),
    counter: bool(root, "counter", reader),
    writes: bool(root, "writes", reader),
    ...(bool(root, "rates", reader) ? { rates: true } : {}),
    role: choice(root, "role", ["any", "primary", "standby"] as const, "role", reader, "any"),
    scope: choice(root, "scope", ["cluster", "database"] as const, "scope", reader, "cluster"),
    ...(nodeAt(root, "needs") ? { needs: str(root, "needs", reader) } : {}),
    language: choice(root, "language", ["sql", "plpgsql"] as const, "language", reader, "sql"),
    ...customKeys(root, custom, reader),
  };
}
