/**
 * Opening a spool: its directory (made 0700 when missing), and the segment files an earlier run
 * left, adopted sealed and then counted past the cursor (their records added to received and
 * spooled; batches the earlier run settled past its cursor are skipped).
 * @module
 */
import { mkdirSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { readCursor, type SettledRange, type SpoolCursor } from "./cursor.ts";
import { scanSegment } from "./segment-io.ts";
import type { SegmentTable, SpoolCounters } from "./segment-table.ts";
import { listSegmentSeqs, newSegment, type Segment } from "./segment.ts";
import { errorText, type SpoolHealth } from "./spool-health.ts";

/** The spool directory, and whether it exists (it is made again at the next commit when it could not be). */
export class SpoolDir {
  ready: boolean;

  constructor(readonly path: string, readonly health: SpoolHealth) {
    this.ready = this.#makeSync();
  }

  /** Makes the directory if it was not there; false when it cannot be made. */
  async ensure(): Promise<boolean> {
    if (!this.ready) {
      this.ready = await mkdir(this.path, { recursive: true, mode: 0o700 }).then(() => true, () => false);
    }
    return this.ready;
  }

  /** The sequence numbers of the segment files there, oldest first. */
  segmentSeqs(): number[] {
    return this.ready ? listSegmentSeqs(this.path) : [];
  }

  #makeSync(): boolean {
    try {
      mkdirSync(this.path, { recursive: true, mode: 0o700 });
      return true;
    } catch (error) {
      this.health.noteProblem(`cannot create "${this.path}": ${errorText(error as Error)}`);
      return false;
    }
  }
}

/** Takes over the segment files `seqs` of an earlier run: sealed, their records counted by `resumeSegments`. */
export function adoptSegments(table: SegmentTable, dir: string, seqs: readonly number[]): void {
  for (const seq of seqs) {
    const segment = newSegment(dir, seq, true);
    try {
      segment.bytes = segment.committed = statSync(segment.path).size;
    } catch {
      continue;
    }
    segment.scanning = segment.scanned = true;
    table.adopt(segment);
  }
}

/** What resuming needs from its spool. */
export interface ResumeContext {
  readonly dir: string;
  readonly table: SegmentTable;
  readonly counters: SpoolCounters;
  readonly health: SpoolHealth;
  /** Settled ranges of the earlier run past its cursor, for the new cursor. */
  readonly settledAhead: (range: SettledRange) => void;
}

/** Counts the adopted segments past the cursor; those before it were settled and are removed. */
export async function resumeSegments(context: ResumeContext): Promise<void> {
  const cursor = await readCursor(join(context.dir, "cursor"));
  if (cursor === "damaged") {
    context.health.report(
      "cursor",
      `spool "${context.dir}": the cursor is damaged; resending from the oldest segment`,
    );
  }
  const position: SpoolCursor = typeof cursor === "object" ? cursor : { seq: 0, offset: 0, settled: [] };
  for (const segment of context.table.segments.filter((s) => s.scanning)) {
    if (segment.seq < position.seq) {
      segment.scanning = false;
      context.table.remove(segment); // settled before the restart; its removal had not happened yet
      continue;
    }
    const from = segment.seq === position.seq ? Math.min(position.offset, segment.committed) : 0;
    const settled = position.settled.filter((r) => r.seq === segment.seq && r.start >= from);
    segment.skips = settled.map(({ start, end }) => ({ start, end })).sort((a, b) => a.start - b.start);
    settled.forEach(context.settledAhead);
    await countSegment(context, segment, from);
  }
}

async function countSegment(context: ResumeContext, segment: Segment, from: number): Promise<void> {
  const { table, health, counters } = context;
  const scan = await scanSegment(segment.path, from, segment.skips).catch((error: Error) => error);
  segment.scanning = false;
  if (scan instanceof Error) {
    health.noteDamage(segment.path, `cannot be read (${errorText(scan)}), left in place and skipped`, 0);
    table.segments.splice(table.segments.indexOf(segment), 1);
    return table.unhold(segment.bytes);
  }
  Object.assign(segment, {
    records: scan.records,
    readOffset: from,
    firstTimeMs: scan.firstTimeMs,
    lastTimeMs: scan.lastTimeMs,
  });
  if (scan.damagedBytes > 0) {
    health.noteDamage(segment.path, `${scan.damagedBytes} bytes of damaged entries skipped`, scan.damagedBytes);
  }
  counters.received += scan.records;
  counters.spooled += scan.records;
  table.tidy(segment);
}
