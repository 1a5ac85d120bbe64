/**
 * Flag value parsers. Each throws a one-line message naming the bad value; stricli prefixes it with
 * the flag name, so the user sees exactly which input to fix.
 * @module
 */

/** A TCP port, 1 to 65535. */
export function parsePort(input: string): number {
  const port = Number(input);
  if (!/^\d+$/.test(input) || port < 1 || port > 65535) {
    throw new RangeError(`Cannot use "${input}" as a port: expected a whole number from 1 to 65535`);
  }
  return port;
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The longest duration accepted, 2^31-1 ms (24d 20h 31m 23.647s): JavaScript timers and PostgreSQL's
 * statement_timeout both hold a signed 32-bit count of milliseconds, and a timer given more fires
 * after 1 ms instead.
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * A duration in whole milliseconds, 1 to {@link MAX_DURATION_MS}: `10s`, `250ms`, `5m`, `1h`, or a
 * bare number of seconds (`10`, `0.5`). Bare numbers are seconds because that is what `--timeout 10`
 * means to a Nagios user. Fractions of a millisecond are rounded.
 */
export function parseDurationMs(input: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(input.trim());
  if (!match) {
    throw new SyntaxError(`Cannot use "${input}" as a duration: expected a number with an optional unit ms, s, m or h (e.g. 10s)`);
  }
  const ms = Math.round(Number(match[1]) * (durationUnits[match[2] ?? "s"] ?? 1000));
  if (ms < 1) throw new RangeError(`Cannot use "${input}" as a duration: it must be at least 1 ms`);
  if (ms > MAX_DURATION_MS) throw new RangeError(`Cannot use "${input}" as a duration: it must be at most ${MAX_DURATION_MS} ms (24 days 20 hours)`);
  return ms;
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
  if (!/^\d+$/.test(input)) throw new SyntaxError(`Cannot use "${input}" as a server version: expected a major version such as 16`);
  const major = n >= 100000 ? Math.floor(n / 10000) : n;
  if (major < 12 || major > 18) throw new RangeError(`Cannot use "${input}" as a server version: posemo supports PostgreSQL 12 to 18`);
  return major;
}

/** How many hosts to check at once: 1 to 1000. */
export function parseConcurrency(input: string): number {
  const n = Number(input);
  if (!/^\d+$/.test(input) || n < 1 || n > 1000) throw new RangeError(`Cannot use "${input}" as a concurrency: expected a whole number from 1 to 1000`);
  return n;
}
