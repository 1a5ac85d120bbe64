/**
 * The bookkeeping of one spool's segments: which exist, how many records and bytes each holds, how
 * far each was read and settled, the bounds (per serve and shared), giving segments up, and the
 * cursor position. Synchronous: the counters change in the same step as the segments, so the serve's
 * counters balance whenever anyone looks. File work is left to the caller (`onRemove`).
 * @module
 */
import type { SpoolPosition } from "./cursor.ts";
import type { DiskBudget } from "./disk-budget.ts";
import type { EntryMeta } from "./entry.ts";
import { finished, newSegment, type Segment, unsettled } from "./segment.ts";

/** The serve counters the spool keeps (a subset of the serve's). */
export interface SpoolCounters {
  /** Records taken in; the spool adds the records it resumes from an earlier run. */
  received: number;
  /** Records in the spool now (written or about to be, read or not, not yet settled). */
  spooled: number;
  /** Records the spool gave up on; they are in `dropped` too. */
  spoolDropped: number;
  dropped: number;
}

/** What to give up when the spool is full. */
export type OverflowPolicy = "drop-oldest" | "drop-newest";

/** What the table needs from its spool. */
export interface TableContext {
  readonly dir: string;
  readonly counters: SpoolCounters;
  readonly maxBytes: number;
  readonly budget: DiskBudget;
  readonly overflow: OverflowPolicy;
  readonly segmentBytes: number;
  readonly report: (kind: string, line: string) => void;
  /** A segment is no longer needed: delete its file. */
  readonly onRemove: (segment: Segment) => void;
  /** The bytes of `segment` from `from` to its end were given up: a restart must not read them again. */
  readonly onGivenUp: (segment: Segment, from: number) => void;
}

export class SegmentTable {
  readonly segments: Segment[] = [];
  active: Segment;
  /** Bytes of all segments, written or waiting. */
  bytes = 0;
  /** Bytes of entries waiting for a commit or being written. */
  waitingBytes = 0;

  constructor(readonly context: TableContext, firstSeq: number) {
    this.active = newSegment(context.dir, firstSeq);
    this.segments.push(this.active);
  }

  /** Takes over a segment file of an earlier run (sealed, records unknown until scanned), before the active one. */
  adopt(segment: Segment): void {
    this.hold(segment.bytes);
    this.segments.splice(this.segments.indexOf(this.active), 0, segment);
  }

  /** Books an entry of `bytes` into the active segment, making room first; false when it does not fit. */
  add(bytes: number, meta: EntryMeta): Segment | undefined {
    if (!this.#makeRoom(bytes)) return undefined;
    if (this.active.bytes > 0 && this.active.bytes + bytes > this.context.segmentBytes) this.rotate();
    const segment = this.active;
    segment.bytes += bytes;
    segment.records += meta.records;
    if (segment.firstTimeMs === 0) segment.firstTimeMs = meta.timeMs;
    segment.lastTimeMs = meta.timeMs;
    this.hold(bytes);
    this.context.counters.spooled += meta.records;
    return segment;
  }

  /** Takes `records` in `bytes` out of `segment` without counting a loss (taken back, or lost by the caller who counts it). */
  unbook(segment: Segment, bytes: number, records: number): void {
    segment.records -= records;
    segment.bytes -= bytes;
    this.unhold(bytes);
    this.context.counters.spooled -= records;
  }

  /** Closes the active segment and starts the next. */
  rotate(): void {
    this.active.sealed = true;
    this.active = newSegment(this.context.dir, this.active.seq + 1);
    this.segments.push(this.active);
  }

  /** The segment the reader continues in: the oldest with records no batch has taken. */
  reading(): Segment | undefined {
    return this.segments.find((s) => !s.dropped && s.readRecords < s.records);
  }

  /** True while some record has not been taken by a batch (or an earlier run's segments are still being counted). */
  hasUnread(): boolean {
    return this.segments.some(hasUnreadRecords);
  }

  /** True while a segment other than `segment` has records no batch has taken (or is still being counted). */
  unreadOutside(segment: Segment): boolean {
    return this.segments.some((s) => s !== segment && hasUnreadRecords(s));
  }

  /** A batch of `records` from `segment` settled: they leave the spool. */
  settle(segment: Segment, records: number): void {
    segment.inFlight--;
    segment.settledRecords += records;
    this.context.counters.spooled -= records;
    this.tidy(segment);
  }

  /**
   * Gives up the records of `segment` no batch has taken, counting them dropped; frees its bytes if
   * `freeBytes`. Entries still waiting for a commit are discarded unwritten.
   */
  giveUp(segment: Segment, freeBytes: boolean): number {
    const lost = segment.records - segment.readRecords;
    const from = segment.readOffset;
    this.waitingBytes -= segment.pending.splice(0).reduce((n, b) => n + b.used, 0);
    segment.sealed = true;
    segment.readRecords = segment.records;
    segment.settledRecords += lost;
    segment.readOffset = segment.committed;
    this.context.counters.spooled -= lost;
    this.countDropped(lost);
    if (freeBytes) {
      segment.dropped = true;
      this.unhold(segment.bytes);
      segment.bytes = 0;
    }
    if (from < segment.committed) this.context.onGivenUp(segment, from);
    this.tidy(segment);
    return lost;
  }

  /** Gives up whole segments whose newest record is older than `limitMs`; returns the records given up. */
  expire(limitMs: number): number {
    let lost = 0;
    for (const segment of [...this.segments]) {
      if (segment.scanning || segment.records === 0 || segment.lastTimeMs >= limitMs || segment.writing.length > 0) {
        break;
      }
      if (segment === this.active) this.rotate();
      if (!segment.dropped) lost += this.giveUp(segment, true);
    }
    return lost;
  }

  countDropped(records: number): void {
    this.context.counters.dropped += records;
    this.context.counters.spoolDropped += records;
  }

  /** Removes `segment` once nothing in it is needed (never the active one). */
  tidy(segment: Segment): void {
    if (finished(segment) && segment !== this.active) this.remove(segment);
  }

  /** Forgets `segment` and has its file deleted. */
  remove(segment: Segment): void {
    const index = this.segments.indexOf(segment);
    if (index < 0) return;
    this.segments.splice(index, 1);
    this.unhold(segment.bytes);
    segment.bytes = 0;
    this.context.onRemove(segment);
  }

  /** Everything before it is settled: the start of the oldest batch in flight, else the read position. */
  position(inFlight: Iterable<{ readonly segment: Segment; readonly start: number }>): SpoolPosition {
    const reading = this.reading() ?? this.active;
    let best: SpoolPosition = { seq: reading.seq, offset: reading.readOffset };
    for (const batch of inFlight) {
      if (batch.segment.seq < best.seq || (batch.segment.seq === best.seq && batch.start < best.offset)) {
        best = { seq: batch.segment.seq, offset: batch.start };
      }
    }
    return best;
  }

  /** Receive time of the oldest record not settled (segment precision). */
  oldestTimeMs(): number | undefined {
    return this.segments.find((s) => unsettled(s) > 0 && s.firstTimeMs > 0)?.firstTimeMs;
  }

  hold(bytes: number): void {
    this.bytes += bytes;
    this.context.budget.reserve(bytes);
  }

  unhold(bytes: number): void {
    this.bytes -= bytes;
    this.context.budget.release(bytes);
  }

  /** A segment drop-oldest may give up: not the one appended to, not being written, not already given up. */
  #givable(segment: Segment): boolean {
    return segment !== this.active && !segment.dropped && !segment.scanning && segment.writing.length === 0;
  }

  /** Makes room for `bytes` under both bounds, giving up the oldest segments when the policy says so. */
  #makeRoom(bytes: number): boolean {
    const { maxBytes, budget, overflow } = this.context;
    while (this.bytes + bytes > maxBytes || !budget.fits(bytes)) {
      if (overflow === "drop-newest") return false;
      if (this.active.records > 0 && this.active.writing.length === 0 && !this.segments.some((s) => this.#givable(s))) {
        this.rotate();
      }
      const victim = this.segments.find((s) => this.#givable(s));
      if (!victim) return false;
      const lost = this.giveUp(victim, true);
      if (lost > 0) {
        this.context.report(
          "overflow",
          `spool "${this.context.dir}": the spool is full (--spool-max), gave up its ${lost} oldest records`,
        );
      }
    }
    return true;
  }
}

function hasUnreadRecords(segment: Segment): boolean {
  return segment.scanning || (!segment.dropped && segment.readRecords < segment.records);
}
