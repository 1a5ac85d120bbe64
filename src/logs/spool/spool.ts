/**
 * The durable spool of one serve: an append-only sequence of segment files of checksummed entries
 * (each the logplex frames of one record, or of a put-back batch), written by group commit, read back
 * in order as batches that are settled only once logplex answered, so delivery is at-least-once.
 * This is the spool's face; the work is in group-commit.ts (writing), spool-reader.ts (reading),
 * waiting.ts (entries waiting for the disk, and taking them back), segment-table.ts (accounting and
 * bounds), settled-cursor.ts (the cursor) and spool-resume.ts (an earlier run's segments).
 *
 * Nothing here blocks or throws at the caller: file work is asynchronous, and a full disk, an
 * unwritable directory or a damaged entry costs the records concerned, which are counted
 * (`spoolDropped`, and `dropped` so the serve's counters still balance) and reported by `stats()`.
 * @module
 */
import { ENTRY_HEADER_BYTES, type EntryMeta } from "./entry.ts";
import { GroupCommit } from "./group-commit.ts";
import { removeFile } from "./segment-io.ts";
import { SegmentTable } from "./segment-table.ts";
import { type PendingEntry, type Segment, unsettled } from "./segment.ts";
import { errorText, SpoolHealth } from "./spool-health.ts";
import type { SpoolOptions, SpoolStats } from "./spool-options.ts";
import { readFromTable, type SpoolBatch } from "./spool-reader.ts";
import { adoptSegments, resumeSegments, SpoolDir } from "./spool-resume.ts";
import { SettledCursor } from "./settled-cursor.ts";
import { appendWaiting, takeWaiting } from "./waiting.ts";

export type { SpoolOptions, SpoolStats } from "./spool-options.ts";
export type { SpoolBatch } from "./spool-reader.ts";
export type { OverflowPolicy, SpoolCounters } from "./segment-table.ts";
export type { PendingEntry } from "./segment.ts";

const MIB = 1024 * 1024;

/** Opens (and resumes) the spool in `options.dir`. Never throws: an unusable directory is a reported problem. */
export function openSpool(options: SpoolOptions): Spool {
  return new Spool(options);
}

export class Spool {
  readonly #options: SpoolOptions;
  readonly #health: SpoolHealth;
  readonly #dir: SpoolDir;
  readonly #table: SegmentTable;
  readonly #commit: GroupCommit;
  readonly #cursor: SettledCursor;
  readonly #inFlight = new Set<SpoolBatch>();
  readonly #resumed: Promise<void>;
  #reading: Promise<unknown> = Promise.resolve();
  #ageTimer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: SpoolOptions) {
    this.#options = options;
    const report = (kind: string, line: string) => options.log(kind, line);
    this.#health = new SpoolHealth(report, options.now ?? Date.now);
    this.#cursor = new SettledCursor(options.dir, report);
    this.#dir = new SpoolDir(options.dir, this.#health);
    const seqs = this.#dir.segmentSeqs();
    this.#table = new SegmentTable({
      ...options,
      segmentBytes: segmentBytesOf(options),
      report,
      onRemove: removeQuietly(report),
      onGivenUp: (segment, from) => this.#skipAfterRestart(segment, from),
    }, (seqs.at(-1) ?? 0) + 1);
    this.#commit = new GroupCommit({
      table: this.#table,
      health: this.#health,
      intervalMs: options.commitIntervalMs,
      commitBytes: options.commitBytes ?? 4 * MIB,
      ensureDir: () => this.#dir.ensure(),
      syncCursor: () => this.#cursor.sync(),
    });
    adoptSegments(this.#table, options.dir, seqs);
    this.#resumed = this.#resume();
    this.#startAgeTimer();
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
    const table = this.#table;
    if (this.#closed) return this.#drop(meta.records, undefined);
    if (table.waitingBytes + size > (this.#options.maxWaitingBytes ?? 16 * MIB)) {
      return this.#drop(
        meta.records,
        `the disk is not keeping up (${table.waitingBytes} bytes waiting), dropping new records`,
      );
    }
    const segment = table.add(size, meta);
    if (!segment) {
      return this.#drop(
        meta.records,
        `the spool is full (${table.bytes} bytes here, ${this.#options.budget.used} in all), dropping new records`,
      );
    }
    appendWaiting(segment, payload, meta, size);
    table.waitingBytes += size;
    this.#commit.schedule();
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
    this.#cursor.settled({ seq: batch.segment.seq, start: batch.start, end: batch.end });
    this.#saveCursor();
  }

  /** True when the batch's segment was given up (--spool-max-age, drop-oldest) while it was in flight. */
  givenUp(batch: SpoolBatch): boolean {
    return batch.segment.dropped;
  }

  /** Gives up a batch in flight (it failed and its segment was given up): its records are counted dropped. */
  abandon(batch: SpoolBatch): void {
    if (!this.#inFlight.has(batch)) return;
    this.settle(batch);
    this.#table.countDropped(batch.records);
  }

  /**
   * When everything written has been read: takes back the entries still waiting for the disk (they
   * never reach it), so the caller can send them from memory. Undefined when that is not possible
   * now (a commit is running, older records are unread, or they are more than `maxBytes`).
   */
  takeWaiting(maxBytes: number): PendingEntry[] | undefined {
    return this.#commit.running ? undefined : takeWaiting(this.#table, maxBytes);
  }

  /** Resolves once what is waiting now was written to the files (readable), starting a commit if none runs. */
  written(): Promise<void> {
    return this.#commit.written();
  }

  /** Writes what is waiting now, without waiting for the interval. */
  commitNow(): Promise<void> {
    return this.#commit.now();
  }

  /** Gives up whole segments whose newest record is older than --spool-max-age (a timer calls it every second). */
  enforceMaxAge(): void {
    const lost = this.#table.expire((this.#options.now ?? Date.now)() - this.#options.maxAgeMs);
    if (lost === 0) return;
    this.#options.log("age", `spool "${this.#options.dir}": gave up ${lost} records older than --spool-max-age`);
    this.#saveCursor();
  }

  /** Writes everything waiting, flushes the cursor and stops. Batches in flight stay in the spool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    clearInterval(this.#ageTimer);
    await this.#resumed;
    await this.commitNow();
    this.#closed = true;
    this.#commit.stop();
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
      problem: this.#health.problem(),
      damagedBytes: this.#health.damagedBytes,
      damage: this.#health.damage,
      resuming: table.segments.some((s) => s.scanning),
      waitingBytes: table.waitingBytes,
    };
  }

  #drop(records: number, why: string | undefined): false {
    this.#table.countDropped(records);
    if (why) this.#options.log("overflow", `spool "${this.#options.dir}": ${why}`);
    return false;
  }

  #saveCursor(): void {
    // While an earlier run's segments are counted, the read position would skip them: no cursor yet.
    if (this.#closed || !this.#dir.ready || this.#table.segments.some((s) => s.scanning)) return;
    this.#cursor.save(this.#table.position(this.#inFlight));
  }

  async #readBatch(maxBytes: number): Promise<SpoolBatch | undefined> {
    await this.#resumed;
    const batch = await readFromTable(this.#table, maxBytes, {
      lost: (segment, why) => this.#lostToDamage(segment, why),
      damaged: (segment, bytes) =>
        this.#health.noteDamage(segment.path, `${bytes} bytes of damaged entries skipped`, bytes),
    });
    if (!batch) return undefined;
    batch.segment.inFlight++;
    this.#inFlight.add(batch);
    return batch;
  }

  /**
   * Records given up in a segment whose file stays (a batch from it is in flight): the cursor says so,
   * or a restart would count and send them again after they were counted dropped.
   */
  #skipAfterRestart(segment: Segment, from: number): void {
    this.#cursor.settled({ seq: segment.seq, start: from, end: segment.committed });
    this.#saveCursor();
  }

  /** The reader cannot go on in `segment`: its records no batch has taken are lost, and counted. */
  #lostToDamage(segment: Segment, why: string): void {
    const lost = this.#table.giveUp(segment, false);
    this.#health.noteDamage(segment.path, `${why}; ${lost} records lost`, 0);
    this.#saveCursor();
  }

  async #resume(): Promise<void> {
    await resumeSegments({
      dir: this.#options.dir,
      table: this.#table,
      counters: this.#options.counters,
      health: this.#health,
      settledAhead: (range) => this.#cursor.settled(range),
    });
    this.#saveCursor();
  }

  #startAgeTimer(): void {
    if (this.#options.maxAgeMs <= 0) return;
    this.#ageTimer = setInterval(() => this.enforceMaxAge(), Math.min(1000, this.#options.maxAgeMs));
    (this.#ageTimer as { unref?: () => void }).unref?.(); // the daemon lives on its stop signal, not on this timer
  }
}

/** The size at which a segment is closed: maxBytes / 8, from 64 KiB to 16 MiB, unless given. */
function segmentBytesOf(options: SpoolOptions): number {
  return options.segmentBytes ?? Math.min(16 * MIB, Math.max(64 * 1024, Math.floor(options.maxBytes / 8)));
}

/** Deletes a segment file no longer needed; a failure is reported, never thrown. */
function removeQuietly(report: (kind: string, line: string) => void): (segment: Segment) => void {
  return (segment) =>
    void removeFile(segment.path).catch((error: Error) =>
      report("remove", `spool: cannot remove "${segment.path}": ${errorText(error)}`)
    );
}
