/**
 * The spool's on-disk entry: a 28-byte header and a payload of octet-counted logplex frames (one
 * record's, or a whole batch's when a batch is put back). Pure: encoding, and parsing a chunk of a
 * segment with resynchronisation past damage, so one bad entry costs that entry, not the segment.
 *
 * Header, little-endian: magic `PSE1` | payload bytes u32 | messages u32 | records u32 |
 * time (ms since the epoch, f64) | CRC-32 of the 20 bytes after the magic and of the payload.
 * @module
 */
import { crc32 } from "./crc32.ts";

/** Bytes before the payload. */
export const ENTRY_HEADER_BYTES = 28;
/** A payload larger than this is damage, not data (a record is at most a few MiB once framed). */
export const MAX_PAYLOAD_BYTES = 32 * 1024 * 1024;
const MAGIC = Uint8Array.of(0x50, 0x53, 0x45, 0x31); // "PSE1"
const MAGIC_U32 = new DataView(MAGIC.buffer).getUint32(0, true);

/** What an entry says about its payload. */
export interface EntryMeta {
  /** logplex messages in the payload. */
  readonly messages: number;
  /** Log records in the payload (a put-back batch holds many). */
  readonly records: number;
  /** When the (first) record was received, ms since the epoch. */
  readonly timeMs: number;
}

/** An entry found in a chunk; offsets are relative to the chunk. */
export interface ParsedEntry extends EntryMeta {
  readonly offset: number;
  readonly payloadOffset: number;
  readonly payloadBytes: number;
  /** Offset just past the entry. */
  readonly end: number;
}

/** The result of parsing one chunk. */
export interface ParsedChunk {
  readonly entries: ParsedEntry[];
  /** Where parsing stopped: the chunk's end, or the start of an entry that continues past it. */
  readonly end: number;
  /** Byte ranges that held no valid entry (damage or a torn write). */
  readonly damaged: ReadonlyArray<{ readonly from: number; readonly to: number }>;
}

/** Header plus payload, ready to append to a segment. */
export function encodeEntry(payload: Uint8Array, meta: EntryMeta): Uint8Array<ArrayBuffer> {
  const entry = new Uint8Array(ENTRY_HEADER_BYTES + payload.length);
  encodeEntryInto(entry, 0, payload, meta);
  return entry;
}

/**
 * The header is built in this one scratch array and copied in: encoding allocates nothing per entry
 * (no DataView, no subarray), which matters at hundreds of thousands of entries a second.
 */
const scratch = new Uint8Array(ENTRY_HEADER_BYTES);
const scratchView = new DataView(scratch.buffer);
const scratchFields = scratch.subarray(4, 24);
scratch.set(MAGIC, 0);

/** Writes the entry of `payload` into `target` at `at` (which has room for header and payload); returns its end. */
export function encodeEntryInto(target: Uint8Array, at: number, payload: Uint8Array, meta: EntryMeta): number {
  scratchView.setUint32(4, payload.length, true);
  scratchView.setUint32(8, meta.messages, true);
  scratchView.setUint32(12, meta.records, true);
  scratchView.setFloat64(16, meta.timeMs, true);
  scratchView.setUint32(24, crc32(payload, crc32(scratchFields)) >>> 0, true);
  target.set(scratch, at);
  target.set(payload, at + ENTRY_HEADER_BYTES);
  return at + ENTRY_HEADER_BYTES + payload.length;
}

/** CRC of the header fields after the magic and of the payload of the entry at `at`. */
function checksum(bytes: Uint8Array, at: number, payloadBytes: number): number {
  const fields = crc32(bytes.subarray(at + 4, at + 24));
  return crc32(bytes.subarray(at + ENTRY_HEADER_BYTES, at + ENTRY_HEADER_BYTES + payloadBytes), fields) >>> 0;
}

/** What is at an offset: a whole valid entry, the start of one cut by the chunk's end, or not an entry. */
type Probe = ParsedEntry | "incomplete" | "bad";

/** Looks at the bytes at `at`; a valid entry comes back as one object (reading allocates nothing else per entry). */
function probe(chunk: Uint8Array, view: DataView, at: number): Probe {
  if (at + ENTRY_HEADER_BYTES > chunk.length) {
    return chunk.length - at >= 4 && view.getUint32(at, true) !== MAGIC_U32 ? "bad" : "incomplete";
  }
  if (view.getUint32(at, true) !== MAGIC_U32) return "bad";
  const payloadBytes = view.getUint32(at + 4, true);
  const records = view.getUint32(at + 12, true);
  if (payloadBytes > MAX_PAYLOAD_BYTES || records === 0) return "bad";
  const end = at + ENTRY_HEADER_BYTES + payloadBytes;
  if (end > chunk.length) return "incomplete";
  if (checksum(chunk, at, payloadBytes) !== view.getUint32(at + 24, true)) return "bad";
  return {
    messages: view.getUint32(at + 8, true),
    records,
    timeMs: view.getFloat64(at + 16, true),
    offset: at,
    payloadOffset: at + ENTRY_HEADER_BYTES,
    payloadBytes,
    end,
  };
}

/**
 * Parses the entries of `chunk`. Bytes that are not a valid entry are skipped up to the next position
 * where a valid entry starts (the magic alone is not trusted: its CRC must match). With `final` (the
 * chunk ends where the segment ends) an entry cut short is damage too: a torn write.
 */
export function parseEntries(chunk: Uint8Array, final: boolean): ParsedChunk {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const entries: ParsedEntry[] = [];
  const damaged: Array<{ from: number; to: number }> = [];
  let at = 0;
  let badFrom = -1;
  while (at < chunk.length) {
    const found = probe(chunk, view, at);
    if (found === "incomplete" && !final) break; // read on from here (after any damage before it)
    if (typeof found === "object") {
      if (badFrom >= 0) damaged.push({ from: badFrom, to: at });
      badFrom = -1;
      entries.push(found);
      at = found.end;
      continue;
    }
    if (badFrom < 0) badFrom = at;
    at = nextMagic(chunk, at + 1);
  }
  if (badFrom >= 0) damaged.push({ from: badFrom, to: at });
  return { entries, end: at, damaged };
}

/** The next offset at or after `from` where the magic starts (or could start, cut by the end), else the chunk's length. */
function nextMagic(chunk: Uint8Array, from: number): number {
  const at = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).indexOf(MAGIC, from);
  if (at >= 0) return at;
  for (let tail = Math.max(from, chunk.length - 3); tail < chunk.length; tail++) {
    if (MAGIC.subarray(0, chunk.length - tail).every((b, i) => chunk[tail + i] === b)) return tail;
  }
  return chunk.length;
}
