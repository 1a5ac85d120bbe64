/**
 * Memory for frames split across reads, shared by every connection of every serve. A header costs
 * 5 bytes to send and announces up to 1 MiB, so buffers grow only as bytes arrive, each growth is
 * reserved from the shared budget, and split frames together hold at most a share of it (the rest
 * stays for batches bound for logplex). When a reservation does not fit, the connection whose split
 * frame started first is evicted (closed): pg_logfebe writes a frame with one blocking send, so a
 * genuine split frame completes within milliseconds, and the oldest one is the likeliest to be a
 * stalled or hostile writer.
 * @module
 */
import type { FrameMemory } from "../febe/decode.ts";
import type { MemoryBudget } from "../logplex/budget.ts";

/** One connection's reservations; `evict` must give them back synchronously. */
export interface ConnectionMemory extends FrameMemory {
  /** Bytes this connection holds. */
  readonly held: number;
}

/** The shared pool of split-frame memory. */
export interface SplitFrameMemory {
  /** An account for one connection; `evict` closes it (and releases what it holds) when room is needed. */
  account(evict: () => void): ConnectionMemory;
  /** Bytes held by all split frames. */
  readonly used: number;
  /** Most bytes split frames may hold together. */
  readonly limit: number;
  /** Connections evicted to make room. */
  readonly evictions: number;
}

/**
 * Asks the engine to collect now. Released split frames are garbage the engine does not count against
 * its own heap (array buffers live outside it), so under a stream of half frames it lets them pile up
 * far past the budget before it collects (with --max-memory 64MiB, 1,500 half frames took RSS to
 * 290 MB; with this, 118 MB). One full collection per quarter of the limit released (at least 4 MiB):
 * rare in normal traffic, where split frames are records that straddle two reads. Bun only (the
 * compiled binary); other runtimes collect on their own schedule.
 */
function collectGarbage(): void {
  (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(true);
}

/** Creates the pool: at most `limit` bytes, each also reserved from `budget`. */
export function createSplitFrameMemory(budget: MemoryBudget, limit: number): SplitFrameMemory {
  /** Accounts holding memory, in the order their split frame started (a Map keeps insertion order). */
  const holders = new Map<Account, () => void>();
  let used = 0;
  let evictions = 0;
  let releasedSinceCollect = 0;
  const collectEvery = Math.max(limit / 4, 4 * 1024 * 1024);

  class Account implements ConnectionMemory {
    held = 0;
    readonly #evict: () => void;

    constructor(evict: () => void) {
      this.#evict = evict;
    }

    tryReserve(n: number): boolean {
      while (used + n > limit || !budget.tryReserve(n)) {
        if (!this.#evictOldest()) return false;
      }
      used += n;
      if (this.held === 0) holders.set(this, this.#evict);
      this.held += n;
      return true;
    }

    release(n: number): void {
      budget.release(n);
      used -= n;
      this.held -= n;
      if (this.held === 0) holders.delete(this);
      releasedSinceCollect += n;
      if (releasedSinceCollect >= collectEvery) {
        releasedSinceCollect = 0;
        collectGarbage();
      }
    }

    /** Evicts the oldest other holder; false when there is none. */
    #evictOldest(): boolean {
      for (const [account, evict] of holders) {
        if (account === this) continue;
        holders.delete(account); // even if its evict() forgot to release, never pick it twice
        evictions++;
        evict();
        return true;
      }
      return false;
    }
  }

  return {
    account: (evict) => new Account(evict),
    get used() {
      return used;
    },
    limit,
    get evictions() {
      return evictions;
    },
  };
}
