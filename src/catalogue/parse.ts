/**
 * Parses and validates one `checks/<name>/check.yaml`. Unknown keys and wrong types are errors that
 * name the file, the line and the value: `warning_levle: 3` must fail loudly, not be ignored.
 * @module
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type {
  ArgumentDefinition,
  CheckDefinition,
  ColumnDefinition,
  ColumnType,
  RangePair,
  ThresholdDefinition,
  Unit,
} from "./definition.ts";
import { parseRange } from "./range.ts";
import { atLine, entries, type NodeReader, nodeReader } from "../yaml-reader.ts";
import { type DeclaredPrivilege, parseIdentifier, parseQualifiedName } from "./privileges.ts";

/** A check definition without its SQL, as read from check.yaml. */
export type CheckMetadata = Omit<CheckDefinition, "variants">;

/** A problem in a catalogue file, with where it is. */
export class CatalogueError extends Error {
  constructor(message: string, readonly file: string, readonly line?: number) {
    super(atLine(message, file, line));
    this.name = "CatalogueError";
  }
}

const CHECK_NAME = /^[a-z][a-z0-9_]{0,62}$/;
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

/** Rejects anything but a mapping, and keys not in `allowed`. */
function rejectUnknownKeys(map: Node, allowed: readonly string[], where: string, reader: NodeReader): void {
  entries(map, where, reader, allowed);
}

function nodeAt(map: Node, key: string): Node | null {
  return isMap(map) ? ((map.get(key, true) as Node | undefined) ?? null) : null;
}

function str(map: Node, key: string, reader: NodeReader, fallback?: string): string {
  const node = nodeAt(map, key);
  if (!node) return fallback ?? reader.fail(`missing key "${key}"`, map);
  if (!isScalar(node) || typeof node.value !== "string") {
    reader.fail(`"${key}" must be a string: got ${String(isScalar(node) ? node.value : "a collection")}`, node);
  }
  return node.value as string;
}

function num(map: Node, key: string, reader: NodeReader): number | undefined {
  const node = nodeAt(map, key);
  if (!node) return undefined;
  if (!isScalar(node) || typeof node.value !== "number") {
    reader.fail(`"${key}" must be a number: got ${String(isScalar(node) ? node.value : "a collection")}`, node);
  }
  return node.value as number;
}

function bool(map: Node, key: string, reader: NodeReader): boolean {
  const node = nodeAt(map, key);
  if (!node) return false;
  if (!isScalar(node) || typeof node.value !== "boolean") {
    reader.fail(`"${key}" must be true or false: got ${String(isScalar(node) ? node.value : "a collection")}`, node);
  }
  return node.value as boolean;
}

function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  what: string,
  node: Node | null,
  reader: NodeReader,
): T {
  if (!allowed.includes(value as T)) {
    reader.fail(`${what} "${value}" is not one of: ${allowed.map((a) => `"${a}"`).join(", ")}`, node);
  }
  return value as T;
}

function seq(map: Node, key: string, reader: NodeReader): Node[] {
  const node = nodeAt(map, key);
  if (!node) return [];
  if (!isSeq(node)) reader.fail(`"${key}" must be a list`, node);
  return node.items as Node[];
}

function parseColumn(node: Node, reader: NodeReader): ColumnDefinition {
  rejectUnknownKeys(node, ["name", "type", "unit"], "a column", reader);
  const name = str(node, "name", reader);
  if (!/^[a-z][a-z0-9_]*$/.test(name)) reader.fail(`column name "${name}" must be snake_case`, node);
  const type = oneOf(str(node, "type", reader), COLUMN_TYPES, "column type", nodeAt(node, "type"), reader);
  const unit = nodeAt(node, "unit")
    ? oneOf(str(node, "unit", reader), UNITS, "unit", nodeAt(node, "unit"), reader)
    : undefined;
  return unit === undefined ? { name, type } : { name, type, unit };
}

function parseArgument(node: Node, reader: NodeReader): ArgumentDefinition {
  rejectUnknownKeys(node, ["name", "type", "default", "format", "description"], "an argument", reader);
  const type = oneOf(
    str(node, "type", reader),
    ["text", "integer", "interval"] as const,
    "argument type",
    nodeAt(node, "type"),
    reader,
  );
  const format = nodeAt(node, "format")
    ? {
      format: oneOf(
        str(node, "format", reader),
        ["size", "regex"] as const,
        "argument format",
        nodeAt(node, "format"),
        reader,
      ),
    }
    : {};
  const description = nodeAt(node, "description") ? { description: str(node, "description", reader) } : {};
  return { name: str(node, "name", reader), type, default: str(node, "default", reader), ...format, ...description };
}

function rangePair(node: Node, reader: NodeReader): RangePair {
  const ranges: { warning?: string; critical?: string } = {};
  for (const level of ["warning", "critical"] as const) {
    if (!nodeAt(node, level)) continue;
    const text = str(node, level, reader);
    const parsed = parseRange(text);
    if (typeof parsed === "string") reader.fail(parsed, nodeAt(node, level));
    ranges[level] = text;
  }
  return ranges;
}

function parsePerColumn(
  node: Node | null,
  columns: readonly ColumnDefinition[],
  judged: readonly string[],
  reader: NodeReader,
): Record<string, RangePair> | undefined {
  if (!node) return undefined;
  if (!isMap(node)) reader.fail("thresholds.per_column must be a mapping of column to {warning, critical}", node);
  const out: Record<string, RangePair> = {};
  for (const pair of node.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : "?";
    const column = columns.find((c) => c.name === name);
    if (!column || column.type === "text") {
      reader.fail(`per_column "${name}" is not a numeric or boolean column of the check`, pair.key as Node);
    }
    if (judged.includes(name)) {
      reader.fail(`per_column "${name}" is already judged by the check's own warning/critical`, pair.key as Node);
    }
    rejectUnknownKeys(pair.value as Node, ["warning", "critical"], `per_column ${name}`, reader);
    out[name] = rangePair(pair.value as Node, reader);
  }
  return out;
}

function parseThresholds(
  map: Node,
  columns: readonly ColumnDefinition[],
  reader: NodeReader,
): ThresholdDefinition | undefined {
  const node = nodeAt(map, "thresholds");
  if (!node) return undefined;
  rejectUnknownKeys(node, ["columns", "warning", "critical", "per_column", "why"], "thresholds", reader);
  const names = seq(node, "columns", reader).map((
    c,
  ) => (isScalar(c) ? String(c.value) : reader.fail("threshold columns must be names", c)));
  for (const name of names) {
    if (!columns.some((c) => c.name === name)) {
      reader.fail(`threshold column "${name}" is not a column of the check`, node);
    }
  }
  const perColumn = parsePerColumn(nodeAt(node, "per_column"), columns, names, reader);
  const why = nodeAt(node, "why") ? str(node, "why", reader) : undefined;
  return { columns: names, ...rangePair(node, reader), ...optional("perColumn", perColumn), ...optional("why", why) };
}

function ownedBy(node: Node, reader: NodeReader): { ownedBy?: string } {
  if (!nodeAt(node, "owned_by")) return {};
  const role = parseIdentifier(str(node, "owned_by", reader));
  if (typeof role !== "string") reader.fail(`owned_by: ${role.problem}`, nodeAt(node, "owned_by"));
  return { ownedBy: role };
}

function parsePrivilege(node: Node, reader: NodeReader): DeclaredPrivilege {
  rejectUnknownKeys(
    node,
    ["select", "usage", "owned_by"],
    "a privilege (select: schema.table, or usage: schema; owned_by: role)",
    reader,
  );
  if (nodeAt(node, "select") && nodeAt(node, "usage")) {
    reader.fail("a privilege names one of select or usage, not both", node);
  }
  if (nodeAt(node, "select")) {
    const name = parseQualifiedName(str(node, "select", reader));
    if (typeof name === "string") reader.fail(`select: ${name}`, nodeAt(node, "select"));
    return { privilege: "SELECT", kind: "table", schema: name.schema, table: name.table, ...ownedBy(node, reader) };
  }
  if (!nodeAt(node, "usage")) reader.fail("a privilege needs select: schema.table or usage: schema", node);
  const schema = parseIdentifier(str(node, "usage", reader));
  if (typeof schema !== "string") reader.fail(`usage: ${schema.problem}`, nodeAt(node, "usage"));
  return { privilege: "USAGE", kind: "schema", schema, ...ownedBy(node, reader) };
}

function customKeys(
  root: Node,
  custom: boolean,
  reader: NodeReader,
): Pick<CheckMetadata, "privileges" | "custom" | "replacesBuiltin"> {
  if (!custom) return {};
  const privileges = seq(root, "privileges", reader).map((p) => parsePrivilege(p, reader));
  return {
    custom: true,
    ...(privileges.length > 0 ? { privileges } : {}),
    ...(bool(root, "replaces_builtin", reader) ? { replacesBuiltin: true } : {}),
  };
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
  return {
    name,
    description: str(root, "description", reader),
    columns,
    ...(titleColumn ? { titleColumn } : {}),
    unit: oneOf(str(root, "unit", reader, ""), UNITS, "unit", nodeAt(root, "unit"), reader),
    ...optional("thresholds", parseThresholds(root, columns, reader)),
    arguments: seq(root, "arguments", reader).map((a) => parseArgument(a, reader)),
    ...optional("min", num(root, "min", reader)),
    ...optional("max", num(root, "max", reader)),
    counter: bool(root, "counter", reader),
    writes: bool(root, "writes", reader),
    ...(bool(root, "rates", reader) ? { rates: true } : {}),
    role: oneOf(
      str(root, "role", reader, "any"),
      ["any", "primary", "standby"] as const,
      "role",
      nodeAt(root, "role"),
      reader,
    ),
    scope: oneOf(
      str(root, "scope", reader, "cluster"),
      ["cluster", "database"] as const,
      "scope",
      nodeAt(root, "scope"),
      reader,
    ),
    ...(nodeAt(root, "needs") ? { needs: str(root, "needs", reader) } : {}),
    language: oneOf(
      str(root, "language", reader, "sql"),
      ["sql", "plpgsql"] as const,
      "language",
      nodeAt(root, "language"),
      reader,
    ),
    ...customKeys(root, custom, reader),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
