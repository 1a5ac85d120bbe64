/**
 * The fault options of fake-logplexd, resolved per request: a fixed status, a delay, a probability of
 * 503, or never answering. A seed makes the 503s repeatable in tests.
 * @module
 */

/** Fault options. */
export interface FaultOptions {
  /** Answer every well-formed request with this status (a 2xx still records the messages). */
  readonly status?: number;
  /** Wait this long before looking at a request. @default 0 */
  readonly delayMs?: number;
  /** Answer 503 with this probability, 0 to 1. @default 0 */
  readonly failRate?: number;
  /** Seed for the failRate draws. @default a random draw per request (Math.random) */
  readonly seed?: number;
  /** Never answer (until the client gives up). @default false */
  readonly hang?: boolean;
  /** Answer 400 to a request any of whose messages contains this text, as logplex does for one malformed message. */
  readonly refuse?: string;
}

/** mulberry32: a tiny seedable PRNG, good enough to pick which requests fail. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves after `ms`, or at once when the request is abandoned. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** Never resolves while the client waits; resolves when it goes away, so nothing leaks. */
export function hang(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
