/**
 * The read cursor of a serve's spool: every record before it was settled (sent, rejected or given up
 * on). It is rewritten in place after settlements, so a restart re-sends only what was in flight.
 * 24 bytes: magic `PSC1`, segment number and offset (f64, little-endian), CRC-32 of the two.
 * A cursor that fails its checksum is ignored (the spool then starts from its oldest segment: more
 * duplicates, nothing lost).
 * @module
 */
import { open, readFile, type FileHandle } from "node:fs/promises";
import { crc32 } from "./crc32.ts";

/** A position in the spool. */
export interface SpoolPosition {
  readonly seq: number;
  readonly offset: number;
}

const MAGIC = 0x31435350; // "PSC1" read little-endian
const CURSOR_BYTES = 24;

/** The 24 bytes of `position`. */
export function encodeCursor(position: SpoolPosition): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(CURSOR_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setFloat64(4, position.seq, true);
  view.setFloat64(12, position.offset, true);
  view.setUint32(20, crc32(bytes.subarray(4, 20)) >>> 0, true);
  return bytes;
}

/** The position in `bytes`, or undefined when they are not a valid cursor. */
export function decodeCursor(bytes: Uint8Array): SpoolPosition | undefined {
  if (bytes.length !== CURSOR_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC || view.getUint32(20, true) !== crc32(bytes.subarray(4, 20)) >>> 0) return undefined;
  const position = { seq: view.getFloat64(4, true), offset: view.getFloat64(12, true) };
  return Number.isSafeInteger(position.seq) && Number.isSafeInteger(position.offset) && position.offset >= 0 ? position : undefined;
}

/** Reads the cursor file; "missing" when there is none, "damaged" when it is not valid. */
export async function readCursor(path: string): Promise<SpoolPosition | "missing" | "damaged"> {
  try {
    return decodeCursor(await readFile(path)) ?? "damaged";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "damaged";
  }
}

/**
 * Writes the newest position given to it, one write at a time (positions given while a write runs
 * coalesce into the next). `sync` also flushes it to disk. Failures go to `onError`.
 */
export class CursorFile {
  #handle: FileHandle | undefined;
  #next: SpoolPosition | undefined;
  #running: Promise<void> | undefined;

  constructor(readonly path: string, readonly onError: (error: Error) => void) {}

  /** Records `position` to be written. */
  set(position: SpoolPosition): void {
    this.#next = position;
    this.#running ??= this.#drain();
  }

  /** Waits for the writes so far and flushes them to disk. */
  async sync(): Promise<void> {
    await this.#running;
    await this.#handle?.datasync().catch((error: Error) => this.onError(error));
  }

  /** Writes what is left and closes the file. */
  async close(): Promise<void> {
    await this.sync();
    await this.#handle?.close().catch(() => {});
    this.#handle = undefined;
  }

  async #drain(): Promise<void> {
    while (this.#next) {
      const bytes = encodeCursor(this.#next);
      this.#next = undefined;
      try {
        this.#handle ??= await openForRewrite(this.path);
        await this.#handle.write(bytes, 0, bytes.length, 0);
      } catch (error) {
        this.onError(error as Error);
      }
    }
    this.#running = undefined;
  }
}

/** Opens the cursor file without truncating it first (a crash between truncate and write would lose it). */
async function openForRewrite(path: string): Promise<FileHandle> {
  try {
    return await open(path, "r+");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    return await open(path, "w", 0o600);
  }
}
