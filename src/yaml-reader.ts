/**
 * Strict reading of a YAML document, shared by the configuration file (src/config/parse.ts) and the
 * check definitions (src/catalogue/parse.ts): every node is checked for its type and every mapping for
 * unknown keys, and each problem names the file, the line and the offending value, so `warnig: 5`
 * fails loudly instead of being ignored.
 * @module
 */
import { isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from "yaml";

/** The error a reader throws: its message is prefixed with `file:line:` (ConfigError, CatalogueError). */
export type FileErrorClass = new (message: string, file: string, line?: number) => Error;

/** `file:line: message`, or `file: message` when the line is not known. */
export function atLine(message: string, file: string, line?: number): string {
  return `${file}${line ? `:${line}` : ""}: ${message}`;
}

/** Reads nodes of one document; `fail` throws a ConfigError at the node's line. */
export interface NodeReader {
  readonly file: string;
  fail(message: string, node?: Node | null): never;
  line(node: Node | null | undefined): number | undefined;
}

/** A reader for one file's nodes, with positions from its LineCounter; problems are thrown as `errorClass`. */
export function nodeReader(file: string, lines: LineCounter, errorClass: FileErrorClass): NodeReader {
  const line = (node: Node | null | undefined) => {
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : lines.linePos(offset).line;
  };
  return {
    file,
    line,
    fail(message, node) {
      throw new errorClass(message, file, line(node));
    },
  };
}

/** How a node looks in a message: a string quoted, a number or boolean bare, else what kind of collection it is. */
export function shown(node: Node | null | undefined): string {
  if (node === null || node === undefined) return "nothing";
  if (isScalar(node)) return typeof node.value === "string" ? JSON.stringify(node.value) : String(node.value);
  return isMap(node) ? "a mapping" : isSeq(node) ? "a list" : "an alias";
}

/** One key of a mapping with its value node. */
export interface Entry {
  readonly key: string;
  readonly keyNode: Node;
  readonly value: Node | null;
}

function entryOf(pair: Pair, where: string, reader: NodeReader): Entry {
  const keyNode = pair.key as Node;
  if (!isScalar(keyNode) || typeof keyNode.value !== "string" && typeof keyNode.value !== "number") {
    reader.fail(`keys in ${where} must be names: got ${shown(keyNode)}`, keyNode);
  }
  return { key: String(keyNode.value), keyNode, value: (pair.value as Node | null) ?? null };
}

/** The entries of a mapping; rejects anything else, and keys not in `allowed` (when given). */
export function entries(node: Node | null, where: string, reader: NodeReader, allowed?: readonly string[]): Entry[] {
  if (!isMap(node)) reader.fail(`${where} must be a mapping: got ${shown(node)}`, node);
  const list = node.items.map((pair) => entryOf(pair as Pair, where, reader));
  const unknown = allowed ? list.find((e) => !allowed.includes(e.key)) : undefined;
  if (unknown) {
    reader.fail(`unknown key "${unknown.key}" in ${where} (allowed: ${allowed!.join(", ")})`, unknown.keyNode);
  }
  return list;
}

/** The items of a list. */
export function items(node: Node | null, where: string, reader: NodeReader): Node[] {
  if (!isSeq(node)) reader.fail(`${where} must be a list: got ${shown(node)}`, node);
  return node.items as Node[];
}

/** A string scalar. */
export function text(node: Node | null, where: string, reader: NodeReader): string {
  if (!isScalar(node) || typeof node.value !== "string" || node.value === "") {
    reader.fail(`${where} must be a non-empty string: got ${shown(node)}`, node);
  }
  return node.value as string;
}

/** A whole number within [min, max]. */
export function wholeNumber(node: Node | null, where: string, min: number, max: number, reader: NodeReader): number {
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    reader.fail(`${where} must be a whole number from ${min} to ${max}: got ${shown(node)}`, node);
  }
  return value;
}

/** true or false. */
export function flag(node: Node | null, where: string, reader: NodeReader): boolean {
  if (!isScalar(node) || typeof node.value !== "boolean") {
    reader.fail(`${where} must be true or false: got ${shown(node)}`, node);
  }
  return node.value as boolean;
}

/** A string or a number, as text: ranges and durations may be written either way (`5`, `"80:"`). */
export function textOrNumber(node: Node | null, where: string, reader: NodeReader): string {
  if (!isScalar(node) || (typeof node.value !== "string" && typeof node.value !== "number")) {
    reader.fail(`${where} must be a string or a number: got ${shown(node)}`, node);
  }
  return String(node.value);
}
