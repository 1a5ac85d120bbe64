/**
 * The durable spool of one serve: an append-only sequence of segment files of checksummed entries
 * (each the logplex frames of one record, or of a put-back batch), written by group commit, read back
 * in order as batches that are settled only once logplex answered, so delivery is at-least-once.
 *
 * Nothing here blocks or throws at the caller: file work is asynchronous, and a full disk, an
 * unwritable directory or a damaged entry costs the records concerned, which are counted
 * (`spoolDropped`, and `dropped` so the serve's counters still balance) and reported by `stats()`.
 * @module
 */
import { mkdirSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { CursorFile, readCursor, type SettledRange } from "./cursor.ts";
import type { DiskBudget } from "./disk-budget.ts";
import { encodeEntryInto, ENTRY_HEADER_BYTES, type EntryMeta, parseEntries } from "./entry.ts";
import { appendDurably, removeFile, scanSegment, truncateQuietly } from "./segment-io.ts";
import { type OverflowPolicy, SegmentTable, type SpoolCounters } from "./segment-table.ts";
import {
  listSegmentSeqs,
  newSegment,
  PENDING_BLOCK_BYTES,
  type PendingBlock,
  type PendingEntry,
  type Segment,
  unsettled,
} from "./segment.ts";
import { readNextBatch, type SpoolBatch } from "./spool-reader.ts";

export type { SpoolBatch } from "./spool-reader.ts";
export type { OverflowPolicy, SpoolCounters } from "./segment-table.ts";
export type { PendingEntry } from "./segment.ts";

/** Options of {@link openSpool}. */
export interface SpoolOptions {
  /** The serve's spool directory (created 0700 when missing). */
  readonly dir: string;
  readonly counters: SpoolCounters;
  /** Most bytes of segment files this serve may hold. */
  readonly maxBytes: number;
  /** Bytes all serves' spools may hold. */
  readonly budget: DiskBudget;
  readonly overflow: OverflowPolicy;
  /** Group commit: entries are written and flushed to disk at most this long after they were appended. */
  readonly commitIntervalMs: number;
  /** Records older than this are given up on, a whole segment at a time; 0 keeps them. */
  readonly maxAgeMs: number;
  /** A segment is closed once it holds this much. @default maxBytes / 8, from 64 KiB to 16 MiB */
  readonly segmentBytes?: number;
  /** Write at once, without waiting for the interval, once this much is waiting (fewer, larger flushes under load). @default 4 MiB */
  readonly commitBytes?: number;
  /** Most bytes waiting for the disk; past it (a disk slower than the input) records are dropped. @default 16 MiB */
  readonly maxWaitingBytes?: number;
  /** Complaints, by kind (the caller rate-limits them). */
  readonly log: (kind: string, line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Figures for /metrics and /healthz. */
export interface SpoolStats {
  /** Bytes of segment files, written or waiting to be. */
  readonly bytes: number;
  readonly segments: number;
  /** Receive time of the oldest record still in the spool (segment precision), if any. */
  readonly oldestTimeMs: number | undefined;
  /** The last write problem, for a minute after it happened. */
  readonly problem: string | undefined;
  /** Bytes of damaged or torn entries skipped, and the last such finding. */
  readonly damagedBytes: number;
  readonly damage: string | undefined;
  /** Segments of an earlier run still being counted. */
  readonly resuming: boolean;
  /** Bytes appended and not yet written (group commit), or being written. */
  readonly waitingBytes: number;
}

const MIB = 1024 * 1024;
/** A write problem stays on /healthz this long after it last happened (a nearly full disk fails one write in a few). */
const PROBLEM_SHOWN_MS = 60_000;

/** Opens (and resumes) the spool in `options.dir`. Never throws: an unusable directory is a reported problem. */
export function openSpool(options: SpoolOptions): Spool {
  return new Spool(options);
}

export class Spool {
  readonly #options: SpoolOptions;
  readonly #table: SegmentTable;
  readonly #inFlight = new Set<SpoolBatch>();
  /** Batches settled while an older one was in flight: recorded with the cursor so a restart skips them. */
  #settledAhead: SettledRange[] = [];
  readonly #cursor: CursorFile;
  readonly #resumed: Promise<void>;
  #commitTimer: ReturnType<typeof setTimeout> | undefined;
  #committing: Promise<void> | undefined;
  #reading: Promise<unknown> = Promise.resolve();
  #writtenWaiters: Array<() => void> = [];
  #ageTimer: ReturnType<typeof setInterval> | undefined;
  #lastCursor = "";
  #problem: string | undefined;
  #problemAt = 0;
  #damagedBytes = 0;
  #damage: string | undefined;
  #dirReady: boolean;
  #closed = false;

  constructor(options: SpoolOptions) {
    this.#options = options;
    this.#cursor = new CursorFile(
      join(options.dir, "cursor"),
      (error) => this.#report("cursor", `spool: cannot write the cursor in "${options.dir}": ${errorText(error)}`),
    );
    this.#dirReady = this.#makeDirSync();
    const seqs = this.#dirReady ? listSegmentSeqs(options.dir) : [];
    const segmentBytes = options.segmentBytes ??
      Math.min(16 * MIB, Math.max(64 * 1024, Math.floor(options.maxBytes / 8)));
    const onRemove = (segment: Segment) =>
      void removeFile(segment.path).catch((error: Error) =>
        this.#report("remove", `spool: cannot remove "${segment.path}": ${errorText(error)}`)
      );
    this.#table = new SegmentTable({
      ...options,
      segmentBytes,
      report: (kind, line) => this.#report(kind, line),
      onRemove,
    }, (seqs.at(-1) ?? 0) + 1);
    for (const seq of seqs) this.#adopt(seq);
    this.#resumed = this.#resume();
    if (options.maxAgeMs > 0) {
      this.#ageTimer = setInterval(() => this.enforceMaxAge(), Math.min(1000, options.maxAgeMs));
      (this.#ageTimer as { unref?: () => void }).unref?.(); // the daemon lives on its stop signal, not on this timer
    }
  }

  /** Resolves once the segments of an earlier run are counted (their records added to received and spooled). */
  get resumed(): Promise<void> {
    return this.#resumed;
  }

  /**
   * Appends one entry (the frames of one record, or of a batch put back). False when it was dropped
   * (and counted): the spool is full under drop-newest, the disk is not keeping up, or it is closed.
   */
  append(payload: Uint8Array, meta: EntryMeta): boolean {
    const size = ENTRY_HEADER_BYTES + payload.length;
    if (this.#closed) return this.#drop(meta.records, undefined);
    if (this.#table.waitingBytes + size > (this.#options.maxWaitingBytes ?? 16 * MIB)) {
      return this.#drop(
        meta.records,
        `the disk is not keeping up (${this.#table.waitingBytes} bytes waiting), dropping new records`,
      );
    }
    const segment = this.#table.add(size, meta);
    if (!segment) {
      return this.#drop(
        meta.records,
        `the spool is full (${this.#table.bytes} bytes here, ${this.#options.budget.used} in all), dropping new records`,
      );
    }
    const block = blockWithRoom(segment, size);
    block.used = encodeEntryInto(block.bytes, block.used, payload, meta);
    block.records += meta.records;
    this.#table.waitingBytes += size;
    this.#scheduleCommit();
    return true;
  }

  /** True while records are in the spool that no batch has taken yet (written or waiting to be). */
  hasUnread(): boolean {
    return this.#table.hasUnread();
  }

  /**
   * The next batch of about `maxBytes` of frames (at least one entry), in order, from what was
   * written to disk; undefined when nothing written is left to read. Calls run one after the other.
   */
  readBatch(maxBytes: number): Promise<SpoolBatch | undefined> {
    const next = this.#reading.then(() => this.#readBatch(maxBytes));
    this.#reading = next.catch(() => {});
    return next;
  }

  /** The batch was sent (or refused for good): its records leave the spool. */
  settle(batch: SpoolBatch): void {
    if (!this.#inFlight.delete(batch)) return;
    this.#table.settle(batch.segment, batch.records);
    this.#settledAhead.push({ seq: batch.segment.seq, start: batch.start, end: batch.end });
    this.#saveCursor();
  }

  /** True when the batch's segment was given up (--spool-max-age, drop-oldest) while it was in flight. */
  givenUp(batch: SpoolBatch): boolean {
    return batch.segment.dropped;
  }

  /** Gives up a batch in flight (it failed and its segment was given up): its records are counted dropped. */
  abandon(batch: SpoolBatch): void {
    if (!this.#inFlight.delete(batch)) return;
    this.#table.settle(batch.segment, batch.records);
    this.#table.countDropped(batch.records);
    this.#settledAhead.push({ seq: batch.segment.seq, start: batch.start, end: batch.end });
    this.#saveCursor();
  }

  /**
   * When everything written has been read: takes back the entries still waiting for the disk (they
   * never reach it), so the caller can send them from memory. Undefined when that is not possible
   * now (a commit is running, older records are unread, or they are more than `maxBytes`).
   */
  takeWaiting(maxBytes: number): PendingEntry[] | undefined {
    const active = this.#table.active;
    if (this.#committing || active.pending.length === 0 || this.#table.waitingBytes > maxBytes) return undefined;
    const waitingRecords = active.pending.reduce((n, b) => n + b.records, 0);
    if (this.#table.segments.some((s) => s !== active && (s.scanning || (!s.dropped && s.readRecords < s.records)))) {
      return undefined;
    }
    if (active.records - active.readRecords !== waitingRecords) return undefined;
    const taken = active.pending.splice(0);
    const bytes = taken.reduce((n, b) => n + b.used, 0);
    this.#table.waitingBytes -= bytes;
    this.#table.unbook(active, bytes, waitingRecords);
    return taken.flatMap(entriesOf);
  }

  /** Resolves once what is waiting now was written to the files (readable), starting a commit if none runs. */
  written(): Promise<void> {
    if (!this.#table.segments.some((s) => s.pending.length > 0 || s.writing.length > 0)) return Promise.resolve();
    const wait = new Promise<void>((resolve) => this.#writtenWaiters.push(resolve));
    if (!this.#committing) void this.#commit();
    return wait;
  }

  #wakeReaders(): void {
    for (const resolve of this.#writtenWaiters.splice(0)) resolve();
  }

  /** Writes what is waiting now, without waiting for the interval. */
  async commitNow(): Promise<void> {
    while (this.#committing) await this.#committing;
    if (this.#table.segments.some((s) => s.pending.length > 0)) await this.#commit();
  }

  /** Gives up whole segments whose newest record is older than --spool-max-age (a timer calls it every second). */
  enforceMaxAge(): void {
    const lost = this.#table.expire((this.#options.now ?? Date.now)() - this.#options.maxAgeMs);
    if (lost > 0) {
      this.#report("age", `spool "${this.#options.dir}": gave up ${lost} records older than --spool-max-age`);
    }
    if (lost > 0) this.#saveCursor();
  }

  /** Writes everything waiting, flushes the cursor and stops. Batches in flight stay in the spool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#ageTimer);
    await this.#resumed;
    await this.commitNow();
    this.#closed = true;
    clearTimeout(this.#commitTimer);
    await this.#cursor.close();
  }

  /** True when the spool holds nothing (everything sent or given up on, nothing waiting). */
  isEmpty(): boolean {
    return this.#table.segments.every((s) =>
      !s.scanning && unsettled(s) === 0 && s.pending.length === 0 && s.writing.length === 0
    );
  }

  stats(): SpoolStats {
    const table = this.#table;
    return {
      bytes: table.bytes,
      segments: table.segments.filter((s) => s.bytes > 0).length,
      oldestTimeMs: table.oldestTimeMs(),
      problem: this.#problem && (this.#options.now ?? Date.now)() - this.#problemAt < PROBLEM_SHOWN_MS
        ? this.#problem
        : undefined,
      damagedBytes: this.#damagedBytes,
      damage: this.#damage,
      resuming: table.segments.some((s) => s.scanning),
      waitingBytes: table.waitingBytes,
    };
  }

  #drop(records: number, why: string | undefined): false {
    this.#table.countDropped(records);
    if (why) this.#report("overflow", `spool "${this.#options.dir}": ${why}`);
    return false;
  }

  #saveCursor(): void {
    // While an earlier run's segments are counted, the read position would skip them: no cursor yet.
    if (this.#closed || !this.#dirReady || this.#table.segments.some((s) => s.scanning)) return;
    const position = this.#table.position(this.#inFlight);
    const past = (r: SettledRange) => r.seq > position.seq || (r.seq === position.seq && r.start >= position.offset);
    this.#settledAhead = this.#settledAhead.filter(past).sort((a, b) => a.seq - b.seq || a.start - b.start);
    const key = `${position.seq}:${position.offset}:${this.#settledAhead.length}:${this.#settledAhead.at(-1)?.end}`;
    if (key === this.#lastCursor) return;
    this.#lastCursor = key;
    this.#cursor.set({ ...position, settled: this.#settledAhead });
  }

  #report(kind: string, line: string): void {
    this.#options.log(kind, line);
  }

  // ---- group commit ----------------------------------------------------------------------------

  #scheduleCommit(): void {
    if (this.#committing) return; // the running commit looks again when it ends
    if (this.#table.waitingBytes >= (this.#options.commitBytes ?? 4 * MIB)) void this.#commit();
    else this.#commitTimer ??= setTimeout(() => void this.#commit(), this.#options.commitIntervalMs);
  }

  #commit(): Promise<void> {
    clearTimeout(this.#commitTimer);
    this.#commitTimer = undefined;
    this.#committing ??= this.#writeWaiting().finally(() => {
      this.#committing = undefined;
      this.#wakeReaders();
      if (!this.#closed && this.#table.segments.some((s) => s.pending.length > 0)) this.#scheduleCommit();
    });
    return this.#committing;
  }

  async #writeWaiting(): Promise<void> {
    if (!this.#dirReady) {
      this.#dirReady = await mkdir(this.#options.dir, { recursive: true, mode: 0o700 }).then(() => true, () => false);
    }
    for (const segment of this.#table.segments.filter((s) => s.pending.length > 0)) {
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
      this.#table.waitingBytes -= bytes;
      segment.writing = [];
      this.#table.tidy(segment);
    }
    await this.#cursor.sync();
  }

  /** A write failed: its records are dropped and counted; the file is cut back so later entries follow valid ones. */
  async #lose(segment: Segment, bytes: number, error: Error): Promise<void> {
    const records = segment.writing.reduce((n, b) => n + b.records, 0);
    this.#table.unbook(segment, bytes, records);
    this.#table.countDropped(records);
    this.#problem = `cannot write "${segment.path}": ${errorText(error)}`;
    this.#problemAt = (this.#options.now ?? Date.now)();
    this.#report("write", `spool: ${this.#problem}; ${records} records dropped`);
    if (!(await truncateQuietly(segment.path, segment.committed)) && segment === this.#table.active) {
      this.#table.rotate();
    }
  }

  // ---- reading ---------------------------------------------------------------------------------

  async #readBatch(maxBytes: number): Promise<SpoolBatch | undefined> {
    await this.#resumed;
    for (;;) {
      const segment = this.#table.reading();
      if (!segment) return undefined;
      if (segment.readOffset >= segment.committed) {
        if (!segment.sealed || segment.pending.length > 0 || segment.writing.length > 0) return undefined; // the rest is not written yet
        this.#lostToDamage(segment, "fewer records than were written");
        continue;
      }
      const step = await readNextBatch(segment, maxBytes).catch((error: Error) => error);
      if (step instanceof Error) {
        this.#lostToDamage(segment, `cannot be read (${errorText(step)})`);
        continue;
      }
      if (step.damagedBytes > 0 && !segment.scanned) {
        this.#noteDamage(segment, `${step.damagedBytes} bytes of damaged entries skipped`, step.damagedBytes);
      }
      if (!step.batch) continue;
      segment.inFlight++;
      this.#inFlight.add(step.batch);
      return step.batch;
    }
  }

  /** The reader cannot go on in `segment`: its records no batch has taken are lost, and counted. */
  #lostToDamage(segment: Segment, why: string): void {
    const lost = this.#table.giveUp(segment, false);
    this.#noteDamage(segment, `${why}; ${lost} records lost`, 0);
    this.#saveCursor();
  }

  #noteDamage(segment: Segment, what: string, bytes: number): void {
    this.#damagedBytes += bytes;
    this.#damage = `"${segment.path}": ${what}`;
    this.#report("damage", `spool: ${this.#damage}`);
  }

  // ---- resuming --------------------------------------------------------------------------------

  #makeDirSync(): boolean {
    try {
      mkdirSync(this.#options.dir, { recursive: true, mode: 0o700 });
      return true;
    } catch (error) {
      this.#problem = `cannot create "${this.#options.dir}": ${errorText(error as Error)}`;
      this.#problemAt = (this.#options.now ?? Date.now)();
      this.#report("write", `spool: ${this.#problem}`);
      return false;
    }
  }

  /** Takes over a segment file of an earlier run: sealed, its records counted by the scan. */
  #adopt(seq: number): void {
    const segment = newSegment(this.#options.dir, seq, true);
    try {
      segment.bytes = segment.committed = statSync(segment.path).size;
    } catch {
      return;
    }
    segment.scanning = segment.scanned = true;
    this.#table.adopt(segment);
  }

  async #resume(): Promise<void> {
    const cursor = await readCursor(join(this.#options.dir, "cursor"));
    if (cursor === "damaged") {
      this.#report("cursor", `spool "${this.#options.dir}": the cursor is damaged; resending from the oldest segment`);
    }
    const position = typeof cursor === "object" ? cursor : { seq: 0, offset: 0, settled: [] };
    for (const segment of this.#table.segments.filter((s) => s.scanning)) {
      if (segment.seq < position.seq) {
        segment.scanning = false;
        this.#table.remove(segment); // settled before the restart; its removal had not happened yet
        continue;
      }
      const from = segment.seq === position.seq ? Math.min(position.offset, segment.committed) : 0;
      segment.skips = position.settled.filter((r) => r.seq === segment.seq && r.start >= from).map((
        { start, end },
      ) => ({ start, end })).sort((a, b) => a.start - b.start);
      this.#settledAhead.push(...position.settled.filter((r) => r.seq === segment.seq && r.start >= from));
      await this.#count(segment, from);
    }
    this.#saveCursor();
  }

  async #count(segment: Segment, from: number): Promise<void> {
    const scan = await scanSegment(segment.path, from, segment.skips).catch((error: Error) => error);
    segment.scanning = false;
    if (scan instanceof Error) {
      this.#noteDamage(segment, `cannot be read (${errorText(scan)}), left in place and skipped`, 0);
      this.#table.segments.splice(this.#table.segments.indexOf(segment), 1);
      return this.#table.unhold(segment.bytes);
    }
    Object.assign(segment, {
      records: scan.records,
      readOffset: from,
      firstTimeMs: scan.firstTimeMs,
      lastTimeMs: scan.lastTimeMs,
    });
    if (scan.damagedBytes > 0) {
      this.#noteDamage(segment, `${scan.damagedBytes} bytes of damaged entries skipped`, scan.damagedBytes);
    }
    const counters = this.#options.counters;
    counters.received += scan.records;
    counters.spooled += scan.records;
    this.#table.tidy(segment);
  }
}

/** The last pending block of `segment` if `size` more bytes fit in it, else a new one. */
function blockWithRoom(segment: Segment, size: number): PendingBlock {
  const last = segment.pending.at(-1);
  if (last && last.used + size <= last.bytes.length) return last;
  const block = { bytes: new Uint8Array(Math.max(PENDING_BLOCK_BYTES, size)), used: 0, records: 0 };
  segment.pending.push(block);
  return block;
}

/** The entries of a pending block (valid by construction). */
function entriesOf(block: PendingBlock): PendingEntry[] {
  const bytes = block.bytes.subarray(0, block.used);
  return parseEntries(bytes, true).entries.map((e) => ({
    bytes: bytes.subarray(e.offset, e.end),
    messages: e.messages,
    records: e.records,
  }));
}

/** The errno code when there is one (ENOSPC, EACCES...), else the message; one line, no stack. */
function errorText(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code} (${error.message.split("\n")[0]})` : error.message.split("\n")[0]!;
}
