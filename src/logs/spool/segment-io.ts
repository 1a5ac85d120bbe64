/**
 * The spool's file operations, all asynchronous (the event loop, and so every socket, keeps running
 * while the disk works) and all reporting failure as a value or a thrown errno error to the caller.
 * @module
 */
import { type FileHandle, open, truncate, unlink } from "node:fs/promises";
import { parseEntries } from "./entry.ts";
import { ENTRY_HEADER_BYTES } from "./entry.ts";

/**
 * Appends `chunks` to the file at `path` (created 0600) and waits for the data to be on disk;
 * `written` is called once the data is in the file (readable), before the flush to disk.
 */
export async function appendDurably(
  path: string,
  chunks: readonly Uint8Array[],
  written: () => void = () => {},
): Promise<void> {
  const handle = await open(path, "a", 0o600);
  try {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const { bytesWritten } = await handle.writev(chunks as Uint8Array[]); // no copy of what may be MiBs
    if (bytesWritten < total) {
      const rest = Buffer.concat(chunks).subarray(bytesWritten);
      for (let at = 0; at < rest.length;) at += (await handle.write(rest, at, rest.length - at)).bytesWritten;
    }
    written();
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Cuts the file back to `length` (after a failed write); false when even that fails. */
export async function truncateQuietly(path: string, length: number): Promise<boolean> {
  try {
    await truncate(path, length);
    return true;
  } catch {
    return false;
  }
}

/** Removes a file; a file already gone is fine, anything else is reported. */
export async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
}

/** Reads `length` bytes at `from` (fewer at the end of the file). */
export async function readRange(path: string, from: number, length: number): Promise<Uint8Array<ArrayBuffer>> {
  const handle = await open(path, "r");
  try {
    return await readFrom(handle, from, length);
  } finally {
    await handle.close();
  }
}

async function readFrom(handle: FileHandle, from: number, length: number): Promise<Uint8Array<ArrayBuffer>> {
  const buffer = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buffer, got, length - got, from + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buffer : buffer.slice(0, got);
}

/** What a scan of a segment file found from an offset on. */
export interface SegmentScan {
  readonly size: number;
  readonly records: number;
  readonly firstTimeMs: number;
  readonly lastTimeMs: number;
  /** Bytes that held no valid entry. */
  readonly damagedBytes: number;
}

const SCAN_CHUNK = 1024 * 1024;

/** Counts the valid entries of the segment file at `path` from `from` on, checking every checksum; entries inside `skips` do not count. */
export async function scanSegment(
  path: string,
  from: number,
  skips: ReadonlyArray<{ readonly start: number; readonly end: number }> = [],
): Promise<SegmentScan> {
  const handle = await open(path, "r");
  try {
    const size = (await handle.stat()).size;
    const scan = { size, records: 0, firstTimeMs: 0, lastTimeMs: 0, damagedBytes: 0 };
    for (let at = from; at < size;) {
      const chunk = await readFrom(handle, at, Math.max(SCAN_CHUNK, await entryLength(handle, at)));
      const parsed = parseEntries(chunk, at + chunk.length >= size);
      for (const entry of parsed.entries) {
        if (skips.some((s) => at + entry.offset >= s.start && at + entry.offset < s.end)) continue;
        scan.records += entry.records;
        if (scan.firstTimeMs === 0) scan.firstTimeMs = entry.timeMs;
        scan.lastTimeMs = entry.timeMs;
      }
      scan.damagedBytes += parsed.damaged.reduce((n, d) => n + d.to - d.from, 0);
      at += parsed.end > 0 ? parsed.end : chunk.length;
    }
    return scan;
  } finally {
    await handle.close();
  }
}

/** The whole length of the entry at `at` as its header claims (so a large entry is read in one piece). */
async function entryLength(handle: FileHandle, at: number): Promise<number> {
  const header = await readFrom(handle, at, ENTRY_HEADER_BYTES);
  if (header.length < ENTRY_HEADER_BYTES) return 0;
  return ENTRY_HEADER_BYTES + new DataView(header.buffer).getUint32(4, true);
}
