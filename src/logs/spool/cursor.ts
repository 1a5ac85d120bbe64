/**
 * The read cursor of a serve's spool: every record before it was settled (sent, rejected or given up
 * on), and the batches after it that were settled while an older one was still in flight (requests
 * finish out of order). It is rewritten in place after settlements, so a restart re-sends only what
 * was in flight. A cursor that fails its checksum is ignored (the spool then starts from its oldest
 * segment: more duplicates, nothing lost).
 * @module
 */
import { closeSync, fdatasync, openSync, writeSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { crc32 } from "./crc32.ts";

/** A position in the spool. */
export interface SpoolPosition {
  readonly seq: number;
  readonly offset: number;
}

/** A batch's bytes in a segment, settled while an older batch was still in flight. */
export interface SettledRange {
  readonly seq: number;
  readonly start: number;
  readonly end: number;
}

/** The cursor, and the batches past it already settled (a restart skips them). */
export interface SpoolCursor extends SpoolPosition {
  readonly settled: readonly SettledRange[];
}

const MAGIC = 0x32435350; // "PSC2" read little-endian
const HEADER_BYTES = 24;
const RANGE_BYTES = 24;
/** Settled ranges kept past the cursor; more are forgotten (and re-sent after a crash). */
export const MAX_SETTLED_RANGES = 256;

/** The bytes of `cursor`: magic, range count, seq, offset, the ranges (f64 each), CRC-32 of all after the magic. */
export function encodeCursor(cursor: SpoolCursor): Uint8Array<ArrayBuffer> {
  const ranges = cursor.settled.slice(0, MAX_SETTLED_RANGES);
  const bytes = new Uint8Array(HEADER_BYTES + RANGE_BYTES * ranges.length + 4);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, ranges.length, true);
  view.setFloat64(8, cursor.seq, true);
  view.setFloat64(16, cursor.offset, true);
  ranges.forEach((range, i) => {
    const at = HEADER_BYTES + RANGE_BYTES * i;
    view.setFloat64(at, range.seq, true);
    view.setFloat64(at + 8, range.start, true);
    view.setFloat64(at + 16, range.end, true);
  });
  view.setUint32(bytes.length - 4, crc32(bytes.subarray(4, bytes.length - 4)) >>> 0, true);
  return bytes;
}

/** The cursor in `bytes` (trailing bytes of an older, longer cursor are ignored), or undefined when not valid. */
export function decodeCursor(bytes: Uint8Array): SpoolCursor | undefined {
  if (bytes.length < HEADER_BYTES + 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(4, true);
  const length = HEADER_BYTES + RANGE_BYTES * count + 4;
  if (view.getUint32(0, true) !== MAGIC || count > MAX_SETTLED_RANGES || bytes.length < length) return undefined;
  if (view.getUint32(length - 4, true) !== crc32(bytes.subarray(4, length - 4)) >>> 0) return undefined;
  const whole = (...values: number[]) => values.every((v) => Number.isSafeInteger(v) && v >= 0);
  const settled = Array.from({ length: count }, (_, i) => {
    const at = HEADER_BYTES + RANGE_BYTES * i;
    return {
      seq: view.getFloat64(at, true),
      start: view.getFloat64(at + 8, true),
      end: view.getFloat64(at + 16, true),
    };
  });
  const cursor = { seq: view.getFloat64(8, true), offset: view.getFloat64(16, true), settled };
  return whole(cursor.seq, cursor.offset, ...settled.flatMap((r) => [r.seq, r.start, r.end])) ? cursor : undefined;
}

/** Reads the cursor file; "missing" when there is none, "damaged" when it is not valid. */
export async function readCursor(path: string): Promise<SpoolCursor | "missing" | "damaged"> {
  try {
    return decodeCursor(await readFile(path)) ?? "damaged";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "damaged";
  }
}

/**
 * The cursor file, rewritten in place on every change with one `pwrite` of at most 6 KB: synchronous, so a
 * crash (SIGKILL) never loses a settlement the process made (the kernel has it at once), and a
 * restart re-sends at most what was in flight. `sync` flushes it to the disk (at group commits and
 * at close), for power loss. Failures go to `onError`.
 */
export class CursorFile {
  #fd: number | undefined;
  #dirty = false;

  constructor(readonly path: string, readonly onError: (error: Error) => void) {}

  /** Writes `cursor`. */
  set(cursor: SpoolCursor): void {
    const bytes = encodeCursor(cursor);
    try {
      this.#fd ??= openForRewrite(this.path);
      writeSync(this.#fd, bytes, 0, bytes.length, 0);
      this.#dirty = true;
    } catch (error) {
      this.onError(error as Error);
    }
  }

  /** Flushes what was written to the disk. */
  async sync(): Promise<void> {
    if (this.#fd === undefined || !this.#dirty) return;
    this.#dirty = false;
    const fd = this.#fd;
    await new Promise<void>((resolve) =>
      fdatasync(fd, (error) => {
        if (error) this.onError(error);
        resolve();
      })
    );
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    await this.sync();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** Opens the cursor file without truncating it first (a crash between truncate and write would lose it). */
function openForRewrite(path: string): number {
  try {
    return openSync(path, "r+");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    return openSync(path, "w", 0o600);
  }
}
