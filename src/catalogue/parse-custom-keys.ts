/**
 * The keys only a custom check (a `--checks-dir` folder) may have: the privileges its SQL needs
 * (`select: schema.table` or `usage: schema`, with the role that owns them) and `replaces_builtin`.
 * @module
 */
import type { Node } from "yaml";
import type { CheckDefinition } from "./definition.ts";
import type { NodeReader } from "../yaml-reader.ts";
import { type DeclaredPrivilege, parseIdentifier, parseQualifiedName } from "./privileges.ts";
import { bool, nodeAt, rejectUnknownKeys, seq, str } from "./check-keys.ts";

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

export function customKeys(
  root: Node,
  custom: boolean,
  reader: NodeReader,
): Pick<CheckDefinition, "privileges" | "custom" | "replacesBuiltin"> {
  if (!custom) return {};
  const privileges = seq(root, "privileges", reader).map((p) => parsePrivilege(p, reader));
  return {
    custom: true,
    ...(privileges.length > 0 ? { privileges } : {}),
    ...(bool(root, "replaces_builtin", reader) ? { replacesBuiltin: true } : {}),
  };
}
