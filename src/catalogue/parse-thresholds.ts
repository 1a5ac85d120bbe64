/**
 * check.yaml's `thresholds`: which columns the check's warning and critical ranges judge, and ranges
 * of their own for other columns (`per_column`). Every range is parsed here, so a bad one names its line.
 * @module
 */
import { isMap, isScalar, type Node } from "yaml";
import type { ColumnDefinition, RangePair, ThresholdDefinition } from "./definition.ts";
import { parseRange } from "./range.ts";
import type { NodeReader } from "../yaml-reader.ts";
import { nodeAt, optional, rejectUnknownKeys, seq, str } from "./check-keys.ts";

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

export function parseThresholds(
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
