/**
 * Per-serve counters for serve-logs. The invariant the tests hold us to:
 * received = forwarded + dropped + rejected + failed + pending + spooled.
 * @module
 */

/** Counters of one serve (one socket / identity). All are monotonic except `pending`. */
export interface ServeCounters {
  /** Log records decoded from the socket, and records resumed from the spool of an earlier run. */
  received: number;
  /** Records logplex accepted (2xx). */
  forwarded: number;
  /** Records dropped because a memory bound was reached. */
  dropped: number;
  /** Records logplex refused with a non-retryable 4xx. */
  rejected: number;
  /** Records given up on after retries were exhausted. */
  failed: number;
  /** Records queued or in flight from memory, not yet settled. */
  pending: number;
  /** Records in the serve's spool on disk (`--spool-dir`), read or not, not yet settled. */
  spooled: number;
  /** Records the spool gave up on (--spool-max, --spool-max-age, a failed write, damage); also in `dropped`. */
  spoolDropped: number;
  /** Records PostgreSQL failed to deliver, seen as SeqNum gaps. */
  lostUpstream: number;
  /** Connections accepted. */
  connections: number;
  /** Connections closed for a protocol error (bad frame, oversize, identity mismatch). */
  protocolErrors: number;
}

/** A zeroed set of counters. */
export function emptyCounters(): ServeCounters {
  return {
    received: 0,
    forwarded: 0,
    dropped: 0,
    rejected: 0,
    failed: 0,
    pending: 0,
    spooled: 0,
    spoolDropped: 0,
    lostUpstream: 0,
    connections: 0,
    protocolErrors: 0,
  };
}

/** True when every received record is accounted for. */
export function countersBalance(counters: ServeCounters): boolean {
  return counters.received ===
    counters.forwarded + counters.dropped + counters.rejected + counters.failed + counters.pending + counters.spooled;
}
