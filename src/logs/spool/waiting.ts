/**
 * Entries waiting for the disk: appended into the active segment's pending blocks, and taken back
 * unwritten when the reader has caught up with everything written (they are then sent from memory).
 * @module
 */
import { encodeEntryInto, type EntryMeta, parseEntries } from "./entry.ts";
import type { SegmentTable } from "./segment-table.ts";
import { PENDING_BLOCK_BYTES, type PendingBlock, type PendingEntry, type Segment } from "./segment.ts";

/** Encodes an entry of `size` bytes at the end of `segment`'s pending blocks. */
export function appendWaiting(segment: Segment, payload: Uint8Array, meta: EntryMeta, size: number): void {
  const block = blockWithRoom(segment, size);
  block.used = encodeEntryInto(block.bytes, block.used, payload, meta);
  block.records += meta.records;
}

/**
 * Takes back the entries of the active segment still waiting for the disk, when every record
 * before them was read and they are at most `maxBytes`; undefined otherwise. The caller makes sure
 * no commit is running.
 */
export function takeWaiting(table: SegmentTable, maxBytes: number): PendingEntry[] | undefined {
  const active = table.active;
  if (active.pending.length === 0 || table.waitingBytes > maxBytes || table.unreadOutside(active)) return undefined;
  const waitingRecords = active.pending.reduce((n, b) => n + b.records, 0);
  if (active.records - active.readRecords !== waitingRecords) return undefined;
  const taken = active.pending.splice(0);
  const bytes = taken.reduce((n, b) => n + b.used, 0);
  table.waitingBytes -= bytes;
  table.unbook(active, bytes, waitingRecords);
  return taken.flatMap(entriesOf);
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
