/**
 * The bytes every serve's spool may hold together (`--spool-max-total`). Unlike the memory budget it
 * can be over-committed: spools resumed from an earlier run count what they already hold, and new
 * records then make room (or are dropped) until it fits again.
 * @module
 */

/** Bytes held by spools out of a fixed total. */
export interface DiskBudget {
  readonly total: number;
  readonly used: number;
  /** True when `n` more bytes fit. */
  fits(n: number): boolean;
  /** Counts `n` bytes, whether they fit or not. */
  reserve(n: number): void;
  /** Gives back `n` bytes. */
  release(n: number): void;
}

/**
 * Creates a budget of `totalBytes`.
 * @throws {RangeError} when `totalBytes` is not a positive integer.
 */
export function createDiskBudget(totalBytes: number): DiskBudget {
  if (!Number.isSafeInteger(totalBytes) || totalBytes <= 0) {
    throw new RangeError(`Cannot use ${totalBytes} as a spool size: expected a positive whole number of bytes`);
  }
  let used = 0;
  return {
    total: totalBytes,
    get used() {
      return used;
    },
    fits: (n) => used + n <= totalBytes,
    reserve(n) {
      used += n;
    },
    release(n) {
      if (n > used) throw new RangeError(`Cannot release ${n} spool bytes: only ${used} are held`);
      used -= n;
    },
  };
}
