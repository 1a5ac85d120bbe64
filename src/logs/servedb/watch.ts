/**
 * When to look at `serves.new`: every poll interval, on demand (SIGHUP), and shortly after a
 * file-system event in the directory where the platform reports one. Polls never overlap; requests
 * that arrive during a poll collapse into one more poll.
 * @module
 */
import { type FSWatcher, watch } from "node:fs";
import { type PollOutcome, SERVE_DB_FILES, takeNewServes } from "./store.ts";
import type { ServeSetContext } from "./parse.ts";

/** Options of `watchServeDb`. */
export interface ServeDbWatchOptions {
  readonly dir: string;
  readonly context: ServeSetContext;
  /** Time between polls. */
  readonly intervalMs: number;
  /** Called with every outcome other than "none"; awaited before the next poll starts. */
  readonly onOutcome: (outcome: PollOutcome) => Promise<void> | void;
  /** Called when a poll fails on I/O; the files are left as they were and the next poll retries. */
  readonly onFailure: (error: Error) => void;
  /**
   * Wait this long after the last file-system event before polling, so a writer that creates
   * `serves.new` in several writes is not read half way (writers should still rename into place).
   * @default 250
   */
  readonly settleMs?: number;
}

/** A running watcher. */
export interface ServeDbWatcher {
  /** Polls now (or right after the poll in progress) and resolves when that poll is done. */
  poll(): Promise<void>;
  /** Stops the timer and the file-system watch. */
  close(): void;
}

/** Starts watching the serve database directory. Does not poll until the first tick or `poll()`. */
export function watchServeDb(options: ServeDbWatchOptions): ServeDbWatcher {
  const poll = serialized(() => pollOnce(options));
  const timer = setInterval(() => void poll(), options.intervalMs);
  let settle: ReturnType<typeof setTimeout> | undefined;
  const fsWatcher = watchDirectory(options.dir, () => {
    clearTimeout(settle);
    settle = setTimeout(() => void poll(), options.settleMs ?? 250);
  });
  return {
    poll,
    close() {
      clearInterval(timer);
      clearTimeout(settle);
      fsWatcher?.close();
    },
  };
}

async function pollOnce(options: ServeDbWatchOptions): Promise<void> {
  try {
    const outcome = await takeNewServes(options.dir, options.context);
    if (outcome.kind !== "none") await options.onOutcome(outcome);
  } catch (error) {
    options.onFailure(error as Error);
  }
}

/** Watches the directory for `serves.new`; returns undefined where the platform cannot watch. */
function watchDirectory(dir: string, onChange: () => void): FSWatcher | undefined {
  try {
    const watcher = watch(dir, { persistent: false }, (_event, file) => {
      if (file === null || file === SERVE_DB_FILES.new) onChange();
    });
    watcher.on("error", () => watcher.close()); // the interval keeps polling
    return watcher;
  } catch {
    return undefined;
  }
}

/** Wraps `run` so calls never overlap and calls made while one waits share that one. */
function serialized(run: () => Promise<void>): () => Promise<void> {
  let tail: Promise<void> = Promise.resolve();
  let waiting: Promise<void> | undefined;
  return () => {
    if (waiting) return waiting;
    const next = tail.then(() => {
      waiting = undefined;
      return run();
    });
    waiting = next;
    tail = next;
    return next;
  };
}
