/**
 * The last resort for a server that stops answering mid-run (a network black hole after login, a
 * frozen backend). It fires only when nothing answered for a whole window: every statement already
 * has its own statement_timeout, so a run of many slow answers (several checks each waiting out a
 * lock, a hundred databases) is a server answering, not one that stopped.
 * @module
 */

/** Calls `expire` once no `touch` came for `idleMs`; `stop` disarms it. */
export interface Watchdog {
  readonly touch: () => void;
  readonly stop: () => void;
}

/** Arms a watchdog now. */
export function startWatchdog(idleMs: number, expire: () => void): Watchdog {
  let timer = setTimeout(expire, idleMs);
  return {
    touch: () => {
      clearTimeout(timer);
      timer = setTimeout(expire, idleMs);
    },
    stop: () => clearTimeout(timer),
  };
}

/** Resolves with `work`, or with `expired()` once the watchdog fired; `touch` is what `work` calls on each answer. */
export async function guarded<T>(
  idleMs: number,
  work: (touch: () => void) => Promise<T>,
  expired: () => T,
): Promise<T> {
  let dog: Watchdog | undefined;
  const fired = new Promise<T>((done) => (dog = startWatchdog(idleMs, () => done(expired()))));
  try {
    return await Promise.race([work(() => dog!.touch()), fired]);
  } finally {
    dog!.stop();
  }
}
