/**
 * Flag value parsers. Each throws a one-line message naming the bad value; the error line starts with
 * the flag's name (describeArgumentError in src/cli/exit-code.ts), so the user sees which input to fix.
 * @module
 */
import { identifierProblem } from "../db/quote.ts";

/** A whole number from `min` to `max` written in digits only, or a RangeError calling it `what`. */
function wholeNumber(input: string, what: string, min: number, max: number): number {
  const n = Number(input);
  if (!/^\d+$/.test(input) || n < min || n > max) {
    throw new RangeError(`Cannot use "${input}" as ${what}: expected a whole number from ${min} to ${max}`);
  }
  return n;
}

/** A finite number in decimal or exponent notation ("NaN", "Infinity", "" and "0x10" are refused). */
export function parseNumber(input: string): number {
  const n = Number(input);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(input) || !Number.isFinite(n)) {
    throw new SyntaxError(`Cannot use "${input}" as a number`);
  }
  return n;
}

/** A TCP port, 1 to 65535. */
export function parsePort(input: string): number {
  return wholeNumber(input, "a port", 1, 65535);
}

/** A comma-separated list of names; empty entries are rejected rather than ignored. */
export function parseNameList(input: string): string[] {
  const names = input.split(",").map((name) => name.trim());
  const empty = names.findIndex((name) => name === "");
  if (empty >= 0) throw new SyntaxError(`Cannot use "${input}" as a list: entry ${empty + 1} is empty`);
  return names;
}

/** A PostgreSQL major version we support, given as `15` or `150004`. */
export function parseServerVersion(input: string): number {
  const n = Number(input);
  if (!/^\d+$/.test(input)) {
    throw new SyntaxError(`Cannot use "${input}" as a server version: expected a major version such as 16`);
  }
  const major = n >= 100000 ? Math.floor(n / 10000) : n;
  if (major < 12 || major > 18) {
    throw new RangeError(`Cannot use "${input}" as a server version: posemo supports PostgreSQL 12 to 18`);
  }
  return major;
}

/** How many hosts to check at once: 1 to 1000. */
export function parseConcurrency(input: string): number {
  return wholeNumber(input, "a concurrency", 1, 1000);
}

/** A schema, role or database name as PostgreSQL takes it: not empty, no NUL, at most 63 bytes. */
export function parseIdentifier(input: string): string {
  const problem = identifierProblem(input);
  if (problem !== undefined) throw new RangeError(`Cannot use "${input}" as a name: ${problem}`);
  return input;
}
