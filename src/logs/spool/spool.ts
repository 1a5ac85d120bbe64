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
import { CursorFile, readCursor, type SpoolPosition } from "./cursor.ts";
import type { DiskBudget } from "./disk-budget.ts";
import { encodeEntry, type EntryMeta } from "./entry.ts";
import { appendDurably, removeFile, scanSegment, truncateQuietly } from "./segment-io.ts";
import { finished, listSegmentSeqs, newSegment, unsettled, type PendingEntry, type Segment } from "./segment.ts";
import { readNextBatch, type SpoolBatch } from "./spool-reader.ts";

export type { SpoolBatch } from "./spool-reader.ts";

/** The serve counters the spool keeps (a subset of the serve's, updated synchronously). */
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
  /** Write at once, without waiting for the interval, once this much is waiting. @default 1 MiB */
  readonly commitBytes?: number;
  /** Most bytes waiting for the disk; past it (a disk slower than the input) records are dropped. @default 8 MiB */
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
  /** The current write problem (cleared by the next successful write). */
  readonly problem: string | undefined;
  /** Bytes of damaged or torn entries skipped, and the last such finding. */
  readonly damagedBytes: number;
  readonly damage: string | undefined;
  /** Segments of an earlier run still being counted. */
  readonly resuming: boolean;
}

const MIB = 1024 * 1024;

/** Opens (and resumes) the spool in `options.dir`. Never throws: an unusable directory is a reported problem. */
export function openSpool(options: SpoolOptions): Spool {
  return new Spool(options);
}

export class Spool {
  readonly #options: SpoolOptions;
  readonly #counters: SpoolCounters;
  readonly #segments: Segment[] = [];
  readonly #inFlight = new Set<SpoolBatch>();
  readonly #cursor: CursorFile;
  readonly #segmentBytes: number;
  readonly #now: () => number;
  readonly #resumed: Promise<void>;
  #active: Segment;
  #bytes = 0;
  #waitingBytes = 0;
  #commitTimer: ReturnType<typeof setTimeout> | undefined;
  #committing: Promise<void> | undefined;
  #reading: Promise<unknown> = Promise.resolve();
  #ageTimer: ReturnType<typeof setInterval> | undefined;
  #lastCursor = "";
  #problem: string | undefined;
  #damagedBytes = 0;
  #damage: string | undefined;
  #dirReady = false;
  #closed = false;

  constructor(options: SpoolOptions) {
    this.#options = options;
    this.#counters = options.counters;
    this.#now = options.now ?? Date.now;
    this.#segmentBytes = options.segmentBytes ?? Math.min(16 * MIB, Math.max(64 * 1024, Math.floor(options.maxBytes / 8)));
    this.#cursor = new CursorFile(join(options.dir, "cursor"), (error) => this.#report("cursor", `cannot write the spool cursor in "${options.dir}": ${errorText(error)}`));
    this.#dirReady = this.#makeDirSync();
    const seqs = this.#dirReady ? listSegmentSeqs(options.dir) : [];
    for (const seq of seqs) this.#adoptSegment(seq);
    this.#active = newSegment(options.dir, (seqs.at(-1) ?? 0) + 1);
    this.#segments.push(this.#active);
    this.#resumed = this.#resume();
    if (options.maxAgeMs > 0) {
      this.#ageTimer = setInterval(() => this.enforceMaxAge(), Math.min(1000, options.maxAgeMs));
      (this.#ageTimer as { unref?: () => void }).unref?.(); // the daemon lives on its stop signal, not on this timer
    }
  }

  /** Waits until the segments of an earlier run are counted; resolves with their records. */
  get resumed(): Promise<void> {
    return this.#resumed;
  }

  /**
   * Appends one entry (the frames of one record, or of a batch put back). False when it was dropped
   * (and counted): the spool is full under drop-newest, or the disk is not keeping up. Never blocks.
   */
  append(payload: Uint8Array, meta: EntryMeta): boolean {
    if (this.#closed) return this.#drop(meta.records, "closed");
    const entry = encodeEntry(payload, meta);
    if (this.#waitingBytes + entry.length > (this.#options.maxWaitingBytes ?? 8 * MIB)) return this.#drop(meta.records, "waiting");
    if (!this.#makeRoom(entry.length)) return this.#drop(meta.records, "full");
    if (this.#active.bytes > 0 && this.#active.bytes + entry.length > this.#segmentBytes) this.#rotate();
    const segment = this.#active;
    segment.pending.push({ bytes: entry, messages: meta.messages, records: meta.records });
    segment.bytes += entry.length;
    segment.records += meta.records;
    if (segment.firstTimeMs === 0) segment.firstTimeMs = meta.timeMs;
    segment.lastTimeMs = meta.timeMs;
    this.#hold(entry.length);
    this.#waitingBytes += entry.length;
    this.#counters.spooled += meta.records;
    this.#scheduleCommit();
    return true;
  }

  /** True while records are in the spool that no batch has taken yet (written or waiting to be). */
  hasUnread(): boolean {
    return this.#segments.some((s) => s.scanning || (!s.dropped && s.readRecords < s.records));
  }

  /**
   * The next batch of at most about `maxBytes` of frames, in order, from what was written to disk;
   * undefined when nothing written is left to read. Calls run one after the other.
   */
  readBatch(maxBytes: number): Promise<SpoolBatch | undefined> {
    const next = this.#reading.then(() => this.#readBatch(maxBytes));
    this.#reading = next.catch(() => {});
    return next;
  }

  /** The batch was sent (or refused for good): its records leave the spool. */
  settle(batch: SpoolBatch): void {
    if (!this.#inFlight.delete(batch)) return;
    const segment = batch.segment;
    segment.inFlight--;
    segment.settledRecords += batch.records;
    this.#counters.spooled -= batch.records;
    this.#afterSettling(segment);
  }

  /**
   * When everything written has been read: takes back the entries still waiting for the disk (they
   * never reach it), so the caller can send them from memory. Undefined when that is not possible
   * now (a commit is running, older records are unread, or they are more than `maxBytes`).
   */
  takeWaiting(maxBytes: number): PendingEntry[] | undefined {
    const active = this.#active;
    if (this.#committing || active.pending.length === 0 || this.#waitingBytes > maxBytes) return undefined;
    const waitingRecords = active.pending.reduce((n, e) => n + e.records, 0);
    if (this.#segments.some((s) => s !== active && (s.scanning || (!s.dropped && s.readRecords < s.records)))) return undefined;
    if (active.records - active.readRecords !== waitingRecords) return undefined;
    const taken = active.pending.splice(0);
    const bytes = taken.reduce((n, e) => n + e.bytes.length, 0);
    active.records -= waitingRecords;
    active.bytes -= bytes;
    this.#waitingBytes -= bytes;
    this.#unhold(bytes);
    this.#counters.spooled -= waitingRecords;
    return taken;
  }

  /** Writes what is waiting now, without waiting for the interval. */
  async commitNow(): Promise<void> {
    while (this.#committing) await this.#committing;
    if (this.#segments.some((s) => s.pending.length > 0)) await this.#commit();
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
    return this.#segments.every((s) => !s.scanning && unsettled(s) === 0 && s.pending.length === 0 && s.writing.length === 0);
  }

  stats(): SpoolStats {
    const oldest = this.#segments.find((s) => unsettled(s) > 0 && s.firstTimeMs > 0);
    return {
      bytes: this.#bytes,
      segments: this.#segments.filter((s) => s.bytes > 0).length,
      oldestTimeMs: oldest?.firstTimeMs,
      problem: this.#problem,
      damagedBytes: this.#damagedBytes,
      damage: this.#damage,
      resuming: this.#segments.some((s) => s.scanning),
    };
  }

  // ---- bounds ----------------------------------------------------------------------------------

  /** Makes room for `bytes` under both bounds, giving up the oldest segments if the policy says so. */
  #makeRoom(bytes: number): boolean {
    while (this.#bytes + bytes > this.#options.maxBytes || !this.#options.budget.fits(bytes)) {
      if (this.#options.overflow === "drop-newest") return false;
      const victim = this.#segments.find((s) => s !== this.#active && !s.dropped && !s.scanning && s.pending.length === 0 && s.writing.length === 0);
      if (!victim) return false;
      this.#giveUp(victim, "the spool is full (--spool-max)");
    }
    return true;
  }

  /** Drops the unread records of `segment` and frees its bytes; batches already read from it still settle. */
  #giveUp(segment: Segment, why: string): void {
    const lost = segment.records - segment.readRecords;
    segment.dropped = true;
    segment.sealed = true;
    segment.readRecords = segment.records;
    segment.settledRecords += lost;
    segment.readOffset = segment.committed;
    this.#counters.spooled -= lost;
    this.#countDropped(lost);
    this.#unhold(segment.bytes);
    segment.bytes = 0;
    if (lost > 0) this.#report("overflow", `spool "${this.#options.dir}": ${why}, gave up ${lost} records`);
    this.#afterSettling(segment);
  }

  /** Gives up whole segments whose newest record is older than --spool-max-age (a timer calls it every second). */
  enforceMaxAge(): void {
    const limit = this.#now() - this.#options.maxAgeMs;
    for (const segment of [...this.#segments]) {
      if (segment.scanning || segment.records === 0 || segment.lastTimeMs === 0 || segment.lastTimeMs >= limit) break;
      if (segment.pending.length > 0 || segment.writing.length > 0) break;
      if (segment === this.#active) this.#rotate();
      if (!segment.dropped) this.#giveUp(segment, "records older than --spool-max-age");
    }
  }

  #drop(records: number, why: "closed" | "waiting" | "full"): false {
    this.#countDropped(records);
    if (why === "waiting") this.#report("slow", `spool "${this.#options.dir}": the disk is not keeping up (${this.#waitingBytes} bytes waiting), dropping records`);
    if (why === "full") this.#report("overflow", `spool "${this.#options.dir}": the spool is full (${this.#bytes} bytes here, ${this.#options.budget.used} in all), dropping new records`);
    return false;
  }

  #countDropped(records: number): void {
    this.#counters.dropped += records;
    this.#counters.spoolDropped += records;
  }

  #hold(bytes: number): void {
    this.#bytes += bytes;
    this.#options.budget.reserve(bytes);
  }

  #unhold(bytes: number): void {
    this.#bytes -= bytes;
    this.#options.budget.release(bytes);
  }

  #rotate(): void {
    this.#active.sealed = true;
    this.#active = newSegment(this.#options.dir, this.#active.seq + 1);
    this.#segments.push(this.#active);
  }

  // ---- settling and the cursor ----------------------------------------------------------------

  #afterSettling(segment: Segment): void {
    if (finished(segment) && segment !== this.#active) this.#remove(segment);
    this.#saveCursor();
  }

  #remove(segment: Segment): void {
    const index = this.#segments.indexOf(segment);
    if (index < 0) return;
    this.#segments.splice(index, 1);
    if (segment.bytes > 0) this.#unhold(segment.bytes);
    segment.bytes = 0;
    void removeFile(segment.path).catch((error: Error) => this.#report("remove", `spool: cannot remove "${segment.path}": ${errorText(error)}`));
  }

  /** Everything before the cursor is settled: the start of the oldest batch in flight, else the read position. */
  #position(): SpoolPosition {
    let oldest: SpoolPosition | undefined;
    for (const batch of this.#inFlight) {
      if (!oldest || batch.segment.seq < oldest.seq || (batch.segment.seq === oldest.seq && batch.start < oldest.offset)) oldest = { seq: batch.segment.seq, offset: batch.start };
    }
    const reading = this.#segments.find((s) => !s.dropped && s.readRecords < s.records) ?? this.#active;
    const readAt = { seq: reading.seq, offset: reading.readOffset };
    return oldest && (oldest.seq < readAt.seq || (oldest.seq === readAt.seq && oldest.offset < readAt.offset)) ? oldest : readAt;
  }

  #saveCursor(): void {
    // While an earlier run's segments are counted, the read position would skip them: no cursor yet.
    if (this.#closed || !this.#dirReady || this.#segments.some((s) => s.scanning)) return;
    const position = this.#position();
    const key = `${position.seq}:${position.offset}`;
    if (key === this.#lastCursor) return;
    this.#lastCursor = key;
    this.#cursor.set(position);
  }

  // ---- group commit ----------------------------------------------------------------------------

  #scheduleCommit(): void {
    if (this.#committing) return; // the running commit looks again when it ends
    if (this.#waitingBytes >= (this.#options.commitBytes ?? MIB)) {
      clearTimeout(this.#commitTimer);
      this.#commitTimer = undefined;
      void this.#commit();
    } else {
      this.#commitTimer ??= setTimeout(() => void this.#commit(), this.#options.commitIntervalMs);
    }
  }

  #commit(): Promise<void> {
    clearTimeout(this.#commitTimer);
    this.#commitTimer = undefined;
    this.#committing ??= this.#writeWaiting().finally(() => {
      this.#committing = undefined;
      if (this.#segments.some((s) => s.pending.length > 0) && !this.#closed) this.#scheduleCommit();
    });
    return this.#committing;
  }

  async #writeWaiting(): Promise<void> {
    if (!this.#dirReady) this.#dirReady = await mkdir(this.#options.dir, { recursive: true, mode: 0o700 }).then(() => true, () => false);
    for (const segment of this.#segments.filter((s) => s.pending.length > 0)) {
      segment.writing = segment.pending;
      segment.pending = [];
      const bytes = segment.writing.reduce((n, e) => n + e.bytes.length, 0);
      try {
        await appendDurably(segment.path, segment.writing.map((e) => e.bytes));
        segment.committed += bytes;
        this.#problem = undefined;
      } catch (error) {
        await this.#lose(segment, bytes, error as Error);
      }
      this.#waitingBytes -= bytes;
      segment.writing = [];
      if (finished(segment) && segment !== this.#active) this.#remove(segment);
    }
  }

  /** A write failed: its records are dropped and counted; the segment is cut back so later entries follow valid ones. */
  async #lose(segment: Segment, bytes: number, error: Error): Promise<void> {
    const records = segment.writing.reduce((n, e) => n + e.records, 0);
    segment.records -= records;
    segment.bytes -= bytes;
    this.#unhold(bytes);
    this.#counters.spooled -= records;
    this.#countDropped(records);
    this.#problem = `cannot write "${segment.path}": ${errorText(error)}`;
    this.#report("write", `spool: ${this.#problem}; ${records} records dropped`);
    if (!(await truncateQuietly(segment.path, segment.committed)) && segment === this.#active) this.#rotate();
  }

  // ---- reading ---------------------------------------------------------------------------------

  async #readBatch(maxBytes: number): Promise<SpoolBatch | undefined> {
    await this.#resumed;
    for (;;) {
      const segment = this.#segments.find((s) => !s.dropped && s.readRecords < s.records);
      if (!segment || segment.readOffset >= segment.committed) {
        if (!segment || !this.#sealedAndWritten(segment)) return undefined;
        this.#lostToDamage(segment);
        continue;
      }
      const result = await readNextBatch(segment, maxBytes).catch((error: Error) => error);
      if (result instanceof Error) {
        this.#report("read", `spool: cannot read "${segment.path}": ${errorText(result)}; skipping it`);
        this.#lostToDamage(segment);
        continue;
      }
      if (result.damagedBytes > 0 && !segment.scanned) this.#noteDamage(segment, result.damagedBytes);
      if (!result.batch) continue;
      segment.inFlight++;
      this.#inFlight.add(result.batch);
      return result.batch;
    }
  }

  #sealedAndWritten(segment: Segment): boolean {
    return segment.sealed && segment.pending.length === 0 && segment.writing.length === 0;
  }

  /** The reader reached the end of a segment and found fewer records than were put in: damage. */
  #lostToDamage(segment: Segment): void {
    const lost = segment.records - segment.readRecords;
    segment.readRecords = segment.records;
    segment.settledRecords += lost;
    segment.readOffset = segment.committed;
    this.#counters.spooled -= lost;
    this.#countDropped(lost);
    if (lost > 0) this.#noteDamage(segment, 0, `${lost} records lost`);
    this.#afterSettling(segment);
  }

  #noteDamage(segment: Segment, bytes: number, what = `${bytes} bytes of damaged entries skipped`): void {
    this.#damagedBytes += bytes;
    this.#damage = `"${segment.path}": ${what}`;
    this.#report("damage", `spool: ${this.#damage}`);
  }

  #report(kind: string, line: string): void {
    this.#options.log(kind, line);
  }

  // ---- resuming --------------------------------------------------------------------------------

  #makeDirSync(): boolean {
    try {
      mkdirSync(this.#options.dir, { recursive: true, mode: 0o700 });
      return true;
    } catch (error) {
      this.#problem = `cannot create "${this.#options.dir}": ${errorText(error as Error)}`;
      this.#report("write", `spool: ${this.#problem}`);
      return false;
    }
  }

  /** Takes over a segment file of an earlier run: sealed, its records counted by the scan. */
  #adoptSegment(seq: number): void {
    const segment = newSegment(this.#options.dir, seq, true);
    try {
      segment.bytes = segment.committed = statSync(segment.path).size;
    } catch {
      return;
    }
    segment.scanning = true;
    segment.scanned = true;
    this.#hold(segment.bytes);
    this.#segments.push(segment);
  }

  async #resume(): Promise<void> {
    const cursor = await readCursor(join(this.#options.dir, "cursor"));
    if (cursor === "damaged") this.#report("cursor", `spool "${this.#options.dir}": the cursor is damaged; resending from the oldest segment`);
    for (const segment of this.#segments.filter((s) => s.scanning)) {
      const from = typeof cursor === "object" && cursor.seq === segment.seq ? Math.min(cursor.offset, segment.committed) : 0;
      if (typeof cursor === "object" && segment.seq < cursor.seq) {
        segment.scanning = false;
        this.#remove(segment); // settled before the restart; its removal had not happened yet
        continue;
      }
      await this.#count(segment, from);
    }
    this.#saveCursor();
  }

  async #count(segment: Segment, from: number): Promise<void> {
    try {
      const scan = await scanSegment(segment.path, from);
      Object.assign(segment, { records: scan.records, readOffset: from, firstTimeMs: scan.firstTimeMs, lastTimeMs: scan.lastTimeMs });
      if (scan.damagedBytes > 0) this.#noteDamage(segment, scan.damagedBytes);
    } catch (error) {
      this.#noteDamage(segment, 0, `cannot be read (${errorText(error as Error)}), left in place and skipped`);
      segment.scanning = false;
      this.#segments.splice(this.#segments.indexOf(segment), 1);
      return this.#unhold(segment.bytes);
    }
    segment.scanning = false;
    this.#counters.received += segment.records;
    this.#counters.spooled += segment.records;
    if (segment.records === 0) this.#remove(segment);
  }
}

/** The errno code when there is one (ENOSPC, EACCES...), else the message; one line, no stack. */
function errorText(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code} (${error.message.split("\n")[0]})` : error.message.split("\n")[0]!;
}
