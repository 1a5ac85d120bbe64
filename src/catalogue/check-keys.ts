/**
 * Typed readers for check.yaml's keys: each returns the value of one key of a mapping node, or fails
 * through the reader with a message naming the key, the value found and the line.
 * @module
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import { entries, type NodeReader } from "../yaml-reader.ts";

/** Rejects anything but a mapping, and keys not in `allowed`. */
export function rejectUnknownKeys(map: Node, allowed: readonly string[], where: string, reader: NodeReader): void {
  entries(map, where, reader, allowed);
}

/** How a wrong value shows in a message: the scalar as written, else "a collection". */
function found(node: Node): string {
  return String(isScalar(node) ? node.value : "a collection");
}

/** The value node of `key`, or null when the mapping lacks it (or is no mapping). */
export function nodeAt(map: Node, key: string): Node | null {
  return isMap(map) ? ((map.get(key, true) as Node | undefined) ?? null) : null;
}

/** A string key; `fallback` when absent, else absent is an error. */
export function str(map: Node, key: string, reader: NodeReader, fallback?: string): string {
  const node = nodeAt(map, key);
  if (!node) return fallback ?? reader.fail(`missing key "${key}"`, map);
  if (!isScalar(node) || typeof node.value !== "string") {
    reader.fail(`"${key}" must be a string: got ${found(node)}`, node);
  }
  return node.value as string;
}

/** A number key, or undefined when absent. */
export function num(map: Node, key: string, reader: NodeReader): number | undefined {
  const node = nodeAt(map, key);
  if (!node) return undefined;
  if (!isScalar(node) || typeof node.value !== "number") {
    reader.fail(`"${key}" must be a number: got ${found(node)}`, node);
  }
  return node.value as number;
}

/** A boolean key, false when absent. */
export function bool(map: Node, key: string, reader: NodeReader): boolean {
  const node = nodeAt(map, key);
  if (!node) return false;
  if (!isScalar(node) || typeof node.value !== "boolean") {
    reader.fail(`"${key}" must be true or false: got ${found(node)}`, node);
  }
  return node.value as boolean;
}

/**
 * A string key that must be one of `allowed` (`fallback` when absent, else absent is an error); the
 * error calls it `what`.
 */
export function choice<T extends string>(
  map: Node,
  key: string,
  allowed: readonly T[],
  what: string,
  reader: NodeReader,
  fallback?: T,
): T {
  const value = str(map, key, reader, fallback);
  if (!allowed.includes(value as T)) {
    reader.fail(`${what} "${value}" is not one of: ${allowed.map((a) => `"${a}"`).join(", ")}`, nodeAt(map, key));
  }
  return value as T;
}

/** The items of a list key, none when absent. */
export function seq(map: Node, key: string, reader: NodeReader): Node[] {
  const node = nodeAt(map, key);
  if (!node) return [];
  if (!isSeq(node)) reader.fail(`"${key}" must be a list`, node);
  return node.items as Node[];
}

/** `{ key: value }`, or nothing when value is undefined (so absent keys stay absent). */
export function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
