/**
 * Per-serve counters for serve-logs. The invariant the tests hold us to:
 * received = forwarded + dropped + rejected + failed + pending.
 * @module
 */

/** Counters of one serve (one socket / identity). All are monotonic except `pending`. */
export interface ServeCounters {
  /** Log records decoded from the socket. */
  received: number;
  /** Records logplex accepted (2xx). */
  forwarded: number;
  /** Records dropped because a memory bound was reached. */
  dropped: number;
  /** Records logplex refused with a non-retryable 4xx. */
  rejected: number;
  /** Records given up on after retries were exhausted. */
  failed: number;
  /** Records queued or in flight, not yet settled. */
  pending: number;
  /** Records PostgreSQL failed to deliver, seen as SeqNum gaps. */
  lostUpstream: number;
  /** Connections accepted. */
  connections: number;
  /** Connections closed for a protocol error (bad frame, oversize, identity mismatch). */
  protocolErrors: number;
}

/** A zeroed set of counters. */
export function emptyCounters(): ServeCounters {
  return { received: 0, forwarded: 0, dropped: 0, rejected: 0, failed: 0, pending: 0, lostUpstream: 0, connections: 0, protocolErrors: 0 };
}

/** True when every received record is accounted for. */
export function countersBalance(c: ServeCounters): boolean {
  return c.received === c.forwarded + c.dropped + c.rejected + c.failed + c.pending;
}
