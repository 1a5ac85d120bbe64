/**
 * One segment of a serve's spool as the spool tracks it in memory, and the segment file names
 * (`000000000042.seg`: the number orders them, oldest first).
 * @module
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";

/** An encoded entry taken back before it was written. */
export interface PendingEntry {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly messages: number;
  readonly records: number;
}

/**
 * Encoded entries waiting for the next group commit, back to back in one buffer (one allocation per
 * block rather than per record: a burst of small typed arrays is what makes a process's RSS balloon).
 */
export interface PendingBlock {
  readonly bytes: Uint8Array<ArrayBuffer>;
  used: number;
  records: number;
}

/** Bytes of a pending block, unless an entry needs more. */
export const PENDING_BLOCK_BYTES = 256 * 1024;

/** A segment file and what the spool knows about it. */
export interface Segment {
  readonly seq: number;
  readonly path: string;
  /** Bytes of the file plus bytes waiting to be written to it. */
  bytes: number;
  /** Bytes written to the file by completed commits: the reader never reads past them. */
  committed: number;
  /** Records in its entries (for a resumed segment: found by the scan, past the cursor). */
  records: number;
  /** Records handed to a batch, or given up on (dropped, damaged). */
  readRecords: number;
  /** Records whose batch settled, or given up on. Deletable when this reaches `records`. */
  settledRecords: number;
  /** Where the reader continues. */
  readOffset: number;
  /** Batches read from it and not settled. */
  inFlight: number;
  /** Receive time of its first and last record (ms), for the oldest-record age and --spool-max-age. */
  firstTimeMs: number;
  lastTimeMs: number;
  /** No more appends: full, resumed from an earlier run, or its file went bad. */
  sealed: boolean;
  /** Entries appended and not yet committed, and those being written now. */
  pending: PendingBlock[];
  writing: PendingBlock[];
  /** A resumed segment whose records are not counted yet. */
  scanning: boolean;
  /** Resumed from an earlier run (its damage was reported by the scan). */
  scanned: boolean;
  /** Given up on (--spool-max, --spool-max-age): its unread records were dropped. */
  dropped: boolean;
  /** Byte ranges settled by an earlier run after its cursor: not counted, not read again. Ascending. */
  skips: Array<{ readonly start: number; readonly end: number }>;
}

const SEGMENT_NAME = /^(\d{12})\.seg$/;

/** The file name of segment `seq`. */
export function segmentName(seq: number): string {
  return `${String(seq).padStart(12, "0")}.seg`;
}

/** A fresh, empty segment. */
export function newSegment(dir: string, seq: number, sealed = false): Segment {
  return {
    seq,
    path: join(dir, segmentName(seq)),
    bytes: 0,
    committed: 0,
    records: 0,
    readRecords: 0,
    settledRecords: 0,
    readOffset: 0,
    inFlight: 0,
    firstTimeMs: 0,
    lastTimeMs: 0,
    sealed,
    pending: [],
    writing: [],
    scanning: false,
    scanned: false,
    dropped: false,
    skips: [],
  };
}

/** Sequence numbers of the segment files in `dir`, oldest first; none when it cannot be read. */
export function listSegmentSeqs(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const match = SEGMENT_NAME.exec(name);
    return match ? [Number(match[1])] : [];
  }).sort((a, b) => a - b);
}

/** Records that are still the spool's: read or not, not yet settled. */
export function unsettled(segment: Segment): number {
  return segment.records - segment.settledRecords;
}

/** True once nothing in the segment is needed any more and no write to it is pending. */
export function finished(segment: Segment): boolean {
  return segment.sealed && !segment.scanning && segment.pending.length === 0 && segment.writing.length === 0 &&
    segment.settledRecords >= segment.records && segment.inFlight === 0;
}
