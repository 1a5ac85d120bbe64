/**
 * Upstream loss from SeqNum gaps. pg_logfebe numbers every record of a process before trying to send
 * it, and drops a record it cannot send (collector down, connection closed), so a jump in one session's
 * SeqNum is exactly the number of records PostgreSQL lost. Sessions outlive
 * connections (a backend reconnects after EPIPE), so the tracker belongs to the serve, not to one
 * connection. Pure: values in, values out.
 * @module
 */

/** Default number of sessions remembered; the least recently seen is forgotten past it, bounding memory. */
export const DEFAULT_MAX_SESSIONS = 10_000;

/**
 * The largest jump counted as loss: more records than a backend logging flat out (~155,000 a second)
 * writes in three hours. A larger one, like a SeqNum that is not a positive whole number, says the
 * frame was forged (the socket is world-writable) or the session id reused: not counted, and the
 * session's baseline starts again there.
 */
export const MAX_COUNTED_GAP = 2 ** 31;

/** Remembers the last SeqNum of recent sessions. */
export class SeqTracker {
  readonly #last = new Map<string, number>();

  constructor(readonly maxSessions = DEFAULT_MAX_SESSIONS) {}

  /**
   * Records `seqNum` for `sessionId` and returns how many records are missing before it (0 when none).
   * The first record seen of a session sets its baseline: what PostgreSQL sent before this collector
   * (or this serve) existed went to nobody and is not counted.
   */
  observe(sessionId: string, seqNum: number): number {
    if (!Number.isSafeInteger(seqNum) || seqNum < 1) return 0; // PostgreSQL numbers from 1
    const last = this.#last.get(sessionId);
    if (last === undefined) {
      this.#remember(sessionId, seqNum);
      return 0;
    }
    if (seqNum <= last) return 0; // a replay or a reused session id: nothing is known to be lost
    // Delete and set again so the Map's order is least recently seen first (eviction takes the head).
    this.#last.delete(sessionId);
    this.#last.set(sessionId, seqNum);
    const gap = seqNum - last - 1;
    return gap > MAX_COUNTED_GAP ? 0 : gap;
  }

  /** Sessions currently remembered. */
  get size(): number {
    return this.#last.size;
  }

  #remember(sessionId: string, seqNum: number): void {
    if (this.#last.size >= this.maxSessions) {
      const oldest = this.#last.keys().next().value;
      if (oldest !== undefined) this.#last.delete(oldest);
    }
    this.#last.set(sessionId, seqNum);
  }
}
