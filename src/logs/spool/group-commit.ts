/**
 * Group commit: entries appended to a spool wait in memory and are written to their segment files
 * together, when the interval passes or enough is waiting, then flushed. A failed write costs the
 * records concerned (counted dropped) and the file is cut back so later entries follow valid ones.
 * @module
 */
import { releaseBytes } from "../release-bytes.ts";
import { appendDurably, truncateQuietly } from "./segment-io.ts";
import type { SegmentTable } from "./segment-table.ts";
import type { Segment } from "./segment.ts";
import { errorText, type SpoolHealth } from "./spool-health.ts";

/** What group commit needs from its spool. */
export interface CommitContext {
  readonly table: SegmentTable;
  readonly health: SpoolHealth;
  /** Group commit: entries are written at most this long after they were appended. */
  readonly intervalMs: number;
  /** Write at once once this much is waiting. */
  readonly commitBytes: number;
  /** Makes sure the spool directory exists; false when it cannot be made. */
  readonly ensureDir: () => Promise<boolean>;
  /** Flushes the cursor to the disk, after each commit. */
  readonly syncCursor: () => Promise<void>;
}

export class GroupCommit {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #writtenWaiters: Array<() => void> = [];
  #stopped = false;

  constructor(readonly context: CommitContext) {}

  /** True while a commit is writing. */
  get running(): boolean {
    return this.#running !== undefined;
  }

  /** Something was appended: commits at once if enough waits, else within the interval. */
  schedule(): void {
    if (this.#running) return; // the running commit looks again when it ends
    if (this.context.table.waitingBytes >= this.context.commitBytes) void this.#commit();
    else this.#timer ??= setTimeout(() => void this.#commit(), this.context.intervalMs);
  }

  /** Resolves once what is waiting now was written to the files (readable), starting a commit if none runs. */
  written(): Promise<void> {
    if (!this.context.table.segments.some((s) => s.pending.length > 0 || s.writing.length > 0)) {
      return Promise.resolve();
    }
    const wait = new Promise<void>((resolve) => this.#writtenWaiters.push(resolve));
    if (!this.#running) void this.#commit();
    return wait;
  }

  /** Writes what is waiting now, without waiting for the interval. */
  async now(): Promise<void> {
    while (this.#running) await this.#running;
    if (this.#hasPending()) await this.#commit();
  }

  /** No more commits (the spool closed). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #hasPending(): boolean {
    return this.context.table.segments.some((s) => s.pending.length > 0);
  }

  #wakeReaders(): void {
    for (const resolve of this.#writtenWaiters.splice(0)) resolve();
  }

  #commit(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#running ??= this.#writeWaiting().finally(() => {
      this.#running = undefined;
      this.#wakeReaders();
      if (!this.#stopped && this.#hasPending()) this.schedule();
    });
    return this.#running;
  }

  async #writeWaiting(): Promise<void> {
    await this.context.ensureDir();
    for (const segment of this.context.table.segments.filter((s) => s.pending.length > 0)) {
      await this.#writeSegment(segment);
    }
    await this.context.syncCursor();
  }

  async #writeSegment(segment: Segment): Promise<void> {
    // Given up (drop-oldest) while an earlier segment was written: nothing to write, and no file to make again.
    if (segment.pending.length === 0) return;
    segment.writing = segment.pending;
    segment.pending = [];
    const bytes = segment.writing.reduce((n, b) => n + b.used, 0);
    try {
      // Readable once in the file: the reader need not wait for the flush (what it sends is acknowledged
      // by logplex before it leaves the spool, so a power loss before the flush loses nothing sent).
      await appendDurably(segment.path, segment.writing.map((b) => b.bytes.subarray(0, b.used)), () => {
        segment.committed += bytes;
        this.#wakeReaders();
      });
    } catch (error) {
      await this.#lose(segment, bytes, error as Error);
    }
    this.context.table.waitingBytes -= bytes;
    const written = segment.writing;
    segment.writing = [];
    for (const block of written) releaseBytes(block.bytes); // on disk (or lost): the memory goes back now
    this.context.table.tidy(segment);
  }

  /** A write failed: its records are dropped and counted; the file is cut back so later entries follow valid ones. */
  async #lose(segment: Segment, bytes: number, error: Error): Promise<void> {
    const { table, health } = this.context;
    const records = segment.writing.reduce((n, b) => n + b.records, 0);
    table.unbook(segment, bytes, records);
    table.countDropped(records);
    health.noteProblem(`cannot write "${segment.path}": ${errorText(error)}`, `; ${records} records dropped`);
    if (!(await truncateQuietly(segment.path, segment.committed)) && segment === table.active) table.rotate();
  }
}
