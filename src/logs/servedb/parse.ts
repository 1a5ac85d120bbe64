/**
 * Pure parser and validator of a serve set (the JSON in `serves.new` / `serves.loaded`):
 * `{"serves": [{"i": identity, "p": socket, "t": token} | {"i", "p", "url": "https://token:SECRET@host/logs"}]}`,
 * each with an optional `"name"`, `"format"` and `"max_record_bytes"`; other keys are allowed and ignored, as in the original.
 * A problem is reported as one readable line that never contains a token.
 * @module
 */
import { resolve } from "node:path";
import { quoteValue } from "../quote-value.ts";
import { type LogplexTarget, parseLogplexUrl, redactUrl } from "./logplex-url.ts";
import { MAX_RECORD_BYTES, MIN_RECORD_BYTES, type Serve, SERVE_FORMATS, type ServeFormat } from "./serve.ts";

/** What parsing needs from outside: the `LOGPLEX_URL` target that `"t"` serves post to. */
export interface ServeSetContext {
  /** Parsed `LOGPLEX_URL`; absent when it is not set. */
  readonly logplexUrl?: LogplexTarget;
}

/** A valid serve set, or the reason it is not one. */
export type ServeSetResult = { readonly ok: true; readonly serves: readonly Serve[] } | {
  readonly ok: false;
  readonly error: string;
};

/** Longest unix socket path Linux accepts (sun_path is 108 bytes including the NUL). */
const MAX_SOCKET_PATH_BYTES = 107;

/** Thrown inside this module only; `parseServeSet` turns it into a result. */
class InvalidServeSet extends Error {}

type Json = Record<string, unknown>;

/** Parses and validates a serve set; never throws for bad input. */
export function parseServeSet(text: string, context: ServeSetContext): ServeSetResult {
  try {
    return { ok: true, serves: validateServes(parseJson(text), context) };
  } catch (error) {
    if (error instanceof InvalidServeSet) return { ok: false, error: error.message };
    throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // The engine's message may quote the input, and the input holds tokens: say only where it breaks.
    throw new InvalidServeSet(`Cannot parse the serve set: not valid JSON${jsonErrorPlace(text, error)}`);
  }
}

/** ` (line L, column C)` when the engine reports a position (V8 does, JavaScriptCore does not). */
function jsonErrorPlace(text: string, error: unknown): string {
  const position = /position (\d+)/.exec(String((error as Error)?.message));
  if (!position) return "";
  const before = text.slice(0, Number(position[1])).split("\n");
  return ` (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
}

function validateServes(document: unknown, context: ServeSetContext): Serve[] {
  if (!isObject(document) || !Array.isArray(document.serves)) {
    throw new InvalidServeSet(`Cannot use the serve set: expected an object with a "serves" array`);
  }
  const serves = document.serves.map((raw, index) => parseServe(raw, `serves[${index}]`, context));
  rejectDuplicatePaths(serves);
  return serves;
}

function rejectDuplicatePaths(serves: readonly Serve[]): void {
  const seen = new Map<string, number>();
  serves.forEach((serve, index) => {
    const first = seen.get(serve.socketPath);
    if (first !== undefined) {
      throw new InvalidServeSet(
        `Cannot use socket path ${quoteValue(serve.socketPath)} for serves[${index}]: serves[${first}] already uses it`,
      );
    }
    seen.set(serve.socketPath, index);
  });
}

function parseServe(raw: unknown, where: string, context: ServeSetContext): Serve {
  if (!isObject(raw)) throw new InvalidServeSet(`Cannot use ${where}: expected an object, got ${typeName(raw)}`);
  const identity = stringKey(raw, "i", where);
  const named = `${where} (${quoteValue(identity)})`;
  const socketPath = socketPathOf(stringKey(raw, "p", named), named);
  const target = targetOf(raw, named, context);
  const name = optionalStringKey(raw, "name", named);
  const format = formatOf(raw, named);
  const maxRecordBytes = maxRecordBytesOf(raw, named);
  return {
    identity,
    socketPath,
    ...target,
    ...(name !== undefined && { name }),
    ...(format && { format }),
    ...(maxRecordBytes !== undefined && { maxRecordBytes }),
  };
}

/** The socket path in normal form: `/x/./b.sock`, `/x//b.sock` and `/x/b.sock` are one socket. */
function socketPathOf(given: string, where: string): string {
  if (!given.startsWith("/")) {
    throw new InvalidServeSet(`Cannot use socket path ${quoteValue(given)} for ${where}: it must be absolute`);
  }
  const path = resolve(given);
  if (path.includes("\0")) {
    throw new InvalidServeSet(`Cannot use socket path ${quoteValue(path)} for ${where}: it contains a NUL byte`);
  }
  const bytes = new TextEncoder().encode(path).length;
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new InvalidServeSet(
      `Cannot use socket path ${
        quoteValue(path)
      } for ${where}: it is ${bytes} bytes, the limit is ${MAX_SOCKET_PATH_BYTES}`,
    );
  }
  return path;
}

function targetOf(raw: Json, where: string, context: ServeSetContext): LogplexTarget {
  if ("t" in raw && "url" in raw) throw new InvalidServeSet(`Cannot use ${where}: it has both "t" and "url"; give one`);
  if ("url" in raw) return targetFromUrl(stringKey(raw, "url", where), where);
  if (!("t" in raw)) throw new InvalidServeSet(`Cannot use ${where}: missing key "url" (or "t" with LOGPLEX_URL)`);
  const token = stringKey(raw, "t", where);
  if (token === "") throw new InvalidServeSet(`Cannot use ${where}: "t" is empty`);
  checkToken(token, where);
  if (!context.logplexUrl) {
    throw new InvalidServeSet(`Cannot use ${where}: it gives a token ("t") but LOGPLEX_URL is not set`);
  }
  return { endpoint: context.logplexUrl.endpoint, user: context.logplexUrl.user, token };
}

function targetFromUrl(text: string, where: string): LogplexTarget {
  const target = parseLogplexUrl(text);
  if (typeof target === "string") {
    throw new InvalidServeSet(`Cannot use "url" ${redactUrl(text)} for ${where}: ${target}`);
  }
  if (target.token === "") {
    throw new InvalidServeSet(
      `Cannot use "url" "${target.endpoint}" for ${where}: it has no token (expected https://token:TOKEN@host/logs)`,
    );
  }
  checkToken(target.token, where);
  return target;
}

/** The token is the syslog APP-NAME of every message: 1 to 48 printable ASCII characters, no space (RFC 5424). */
function checkToken(token: string, where: string): void {
  if (!/^[!-~]{1,48}$/.test(token)) {
    throw new InvalidServeSet(
      `Cannot use the token of ${where}: it must be 1 to 48 printable ASCII characters without spaces (it is the syslog APP-NAME of every message)`,
    );
  }
}

function formatOf(raw: Json, where: string): ServeFormat | undefined {
  const format = optionalStringKey(raw, "format", where);
  if (format === undefined || (SERVE_FORMATS as readonly string[]).includes(format)) {
    return format as ServeFormat | undefined;
  }
  throw new InvalidServeSet(
    `Cannot use format ${quoteValue(format)} for ${where}: expected ${SERVE_FORMATS.join(", ")}`,
  );
}

/** The per-record byte cap, bounded like the `--max-record-bytes` flag. */
function maxRecordBytesOf(raw: Json, where: string): number | undefined {
  if (!("max_record_bytes" in raw)) return undefined;
  const value = raw.max_record_bytes;
  if (
    typeof value !== "number" || !Number.isSafeInteger(value) || value < MIN_RECORD_BYTES || value > MAX_RECORD_BYTES
  ) {
    throw new InvalidServeSet(
      `Cannot use "max_record_bytes" ${
        typeof value === "number" ? String(value) : (JSON.stringify(value) ?? String(value))
      } for ${where}: expected a whole number of bytes from ${MIN_RECORD_BYTES} to ${MAX_RECORD_BYTES}`,
    );
  }
  return value;
}

function stringKey(raw: Json, key: string, where: string): string {
  if (!(key in raw)) throw new InvalidServeSet(`Cannot use ${where}: missing key "${key}"`);
  const value = raw[key];
  if (typeof value !== "string") {
    throw new InvalidServeSet(`Cannot use ${where}: "${key}" must be a string, got ${typeName(value)}`);
  }
  return value;
}

function optionalStringKey(raw: Json, key: string, where: string): string | undefined {
  return key in raw ? stringKey(raw, key, where) : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}
