/**
 * A byte budget shared by every serve's sender, so the total memory held in log batches stays bounded
 * however many serves there are (each sender also has its own per-serve bound).
 * @module
 */

/** The default total for all serves together: 64 MiB of framed log bytes. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 64 * 1024 * 1024;

/** Bytes reserved by senders out of a fixed total. */
export interface MemoryBudget {
  /** Reserves `n` bytes if they fit and says whether they did; never blocks. */
  tryReserve(n: number): boolean;
  /** Gives back `n` bytes reserved earlier. */
  release(n: number): void;
  /** Bytes currently reserved. */
  readonly used: number;
  /** The fixed total. */
  readonly total: number;
}

/**
 * Creates a budget of `totalBytes`.
 * @throws {RangeError} when `totalBytes` is not a positive integer.
 */
export function createMemoryBudget(totalBytes: number): MemoryBudget {
  if (!Number.isSafeInteger(totalBytes) || totalBytes <= 0) {
    throw new RangeError(`Cannot use ${totalBytes} as a memory budget: expected a positive whole number of bytes`);
  }
  let used = 0;
  return {
    tryReserve(n) {
      if (used + n > totalBytes) return false;
      used += n;
      return true;
    },
    release(n) {
      // Releasing more than was reserved is a sender bug; clamping would hide a leak in the other direction.
      if (n > used) throw new RangeError(`Cannot release ${n} bytes: only ${used} are reserved`);
      used -= n;
    },
    get used() {
      return used;
    },
    total: totalBytes,
  };
}
