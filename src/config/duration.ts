/**
 * Durations as users write them, on the command line and in the configuration file alike.
 * @module
 */

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
    throw new SyntaxError(
      `Cannot use "${input}" as a duration: expected a number with an optional unit ms, s, m or h (e.g. 10s)`,
    );
  }
  const ms = Math.round(Number(match[1]) * (durationUnits[match[2] ?? "s"] ?? 1000));
  if (ms < 1) throw new RangeError(`Cannot use "${input}" as a duration: it must be at least 1 ms`);
  if (ms > MAX_DURATION_MS) {
    throw new RangeError(
      `Cannot use "${input}" as a duration: it must be at most ${MAX_DURATION_MS} ms (24 days 20 hours)`,
    );
  }
  return ms;
}
