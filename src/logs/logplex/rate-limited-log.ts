/**
 * Log lines limited per kind: a sick logplex or a reconnecting backend would otherwise print the same
 * complaint several times a second. The first line of a kind goes out at once; repeats within the
 * interval are counted and the count is appended to the next line of that kind.
 * @module
 */

/** Logs `line` under `kind`, at most once per interval per kind. */
export type RateLimitedLog = (kind: string, line: string) => void;

/** Options of {@link createRateLimitedLog}. */
export interface RateLimitedLogOptions {
  /** Minimum time between two lines of one kind. @default 10000 */
  readonly intervalMs?: number;
  /** Clock. @default Date.now */
  readonly now?: () => number;
}

/** Wraps `log` so each kind of line is printed at most once per interval. */
export function createRateLimitedLog(log: (line: string) => void, options: RateLimitedLogOptions = {}): RateLimitedLog {
  const intervalMs = options.intervalMs ?? 10_000;
  const now = options.now ?? Date.now;
  const last = new Map<string, { at: number; suppressed: number }>();
  return (kind, line) => {
    const seen = last.get(kind);
    const at = now();
    if (seen && at - seen.at < intervalMs) {
      seen.suppressed++;
      return;
    }
    const more = seen?.suppressed
      ? ` (${seen.suppressed} more like this in the last ${Math.round((at - seen.at) / 1000)} s)`
      : "";
    last.set(kind, { at, suppressed: 0 });
    log(line + more);
  };
}
