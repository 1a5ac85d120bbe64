/**
 * Runs the checks at most once per minimum interval, however often Prometheus scrapes: scrapes
 * while a run is under way wait for that run, scrapes within the interval after it get its result.
 * The interval counts from the end of the last run, so the database sees a quiet gap of at least
 * the interval between two runs even when a run is slow. A failed run is not kept: the next scrape
 * tries again.
 * @module
 */

/** Options of {@link createSharedRun}. */
export interface SharedRunOptions<T> {
  /** Does one run; called at most once at a time. */
  readonly run: () => Promise<T>;
  /** Minimum time from the end of one run to the start of the next, in milliseconds. */
  readonly minIntervalMs: number;
  /** Monotonic clock in milliseconds. @default performance.now */
  readonly now?: () => number;
}

/** What a caller gets: the value, and whether it came from an earlier run. */
export interface SharedResult<T> {
  readonly value: T;
  readonly cached: boolean;
}

/** A gate in front of `run`. */
export interface SharedRun<T> {
  /** The latest result, running the checks only when the last result is older than the interval. */
  latest(): Promise<SharedResult<T>>;
  /** How many runs were started so far. */
  readonly runs: number;
}

/** Creates the gate. */
export function createSharedRun<T>(options: SharedRunOptions<T>): SharedRun<T> {
  const now = options.now ?? (() => performance.now());
  let inFlight: Promise<T> | undefined;
  let last: { value: T; finishedAt: number } | undefined;
  let runs = 0;
  const start = (): Promise<T> => {
    runs++;
    const running = options.run().then((value) => {
      last = { value, finishedAt: now() };
      return value;
    });
    inFlight = running.finally(() => (inFlight = undefined));
    return inFlight;
  };
  return {
    get runs() {
      return runs;
    },
    async latest() {
      if (inFlight) return { value: await inFlight, cached: false };
      if (last && now() - last.finishedAt < options.minIntervalMs) return { value: last.value, cached: true };
      return { value: await start(), cached: false };
    },
  };
}
