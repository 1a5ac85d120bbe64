/**
 * Reading a segment back: the next run of whole, valid entries from the read offset, joined into one
 * batch body (their payloads are back-to-back logplex frames already). Damaged bytes are stepped over.
 * @module
 */
import { releaseBytes } from "../release-bytes.ts";
import { ENTRY_HEADER_BYTES, type ParsedChunk, type ParsedEntry, parseEntries } from "./entry.ts";
import { readRange } from "./segment-io.ts";
import type { SegmentTable } from "./segment-table.ts";
import type { Segment } from "./segment.ts";
import { errorText } from "./spool-health.ts";

/** A batch read from the spool; it stays in the spool until settled. */
export interface SpoolBatch {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly messages: number;
  readonly records: number;
  /** Receive time of its first record (ms). */
  readonly firstTimeMs: number;
  /** Where it came from (the spool's bookkeeping). */
  readonly segment: Segment;
  readonly start: number;
  readonly end: number;
}

/** One step of reading: a batch (or none, when only damage was found), and the damaged bytes stepped over. */
export interface ReadStep {
  readonly batch: SpoolBatch | undefined;
  readonly damagedBytes: number;
}

/** What reading reports to its spool. */
export interface ReadHooks {
  /** The reader cannot go on in `segment`: what no batch has taken is lost. */
  lost(segment: Segment, why: string): void;
  /** `bytes` of damaged entries of `segment` were stepped over. */
  damaged(segment: Segment, bytes: number): void;
}

/**
 * The next batch of about `maxBytes` from the oldest segment with unread records, stepping over
 * damage; undefined when nothing written is left to read.
 */
export async function readFromTable(
  table: SegmentTable,
  maxBytes: number,
  hooks: ReadHooks,
): Promise<SpoolBatch | undefined> {
  for (;;) {
    const segment = table.reading();
    if (!segment) return undefined;
    if (segment.readOffset >= segment.committed) {
      if (!segment.sealed || segment.pending.length > 0 || segment.writing.length > 0) return undefined; // the rest is not written yet
      hooks.lost(segment, "fewer records than were written");
      continue;
    }
    const step = await readNextBatch(segment, maxBytes).catch((error: Error) => error);
    if (step instanceof Error) {
      // A segment given up while it was read may be gone already: that is no damage.
      if (!segment.dropped) hooks.lost(segment, `cannot be read (${errorText(step)})`);
      continue;
    }
    if (step.damagedBytes > 0 && !segment.scanned) hooks.damaged(segment, step.damagedBytes);
    if (step.batch) return step.batch;
  }
}

/** Extra bytes read past `maxBytes`, so a batch usually ends on a whole entry without a second read. */
const SLACK = 64 * 1024;

const NOTHING: ReadStep = { batch: undefined, damagedBytes: 0 };

/** Reads the next batch of about `maxBytes` from `segment`, advancing its read offset. */
export async function readNextBatch(segment: Segment, maxBytes: number): Promise<ReadStep> {
  skipSettled(segment);
  const start = segment.readOffset;
  if (start >= segment.committed) return NOTHING;
  const { chunk, parsed } = await readEntries(segment, start, maxBytes);
  // The segment may have been given up (drop-oldest, --spool-max-age) while the disk worked: its
  // unread records, these among them, were counted dropped then, so they must not be handed out too.
  const step = segment.dropped || segment.readOffset !== start
    ? NOTHING
    : takeStep(segment, start, chunk, parsed, maxBytes);
  releaseBytes(chunk); // what the batch needs was copied out: the read's memory goes back now
  return step;
}

/** The whole, valid entries from `start` on: about `maxBytes` of them, or the one entry there if it is larger. */
async function readEntries(
  segment: Segment,
  start: number,
  maxBytes: number,
): Promise<{ chunk: Uint8Array; parsed: ParsedChunk }> {
  const limit = (segment.skips[0]?.start ?? Infinity) - start; // stop where an earlier run's settled batch starts
  let length = Math.min(segment.committed - start, maxBytes + SLACK, limit);
  let chunk = await readRange(segment.path, start, length);
  let parsed = parseEntries(chunk, start + chunk.length >= segment.committed);
  if (parsed.entries.length === 0 && parsed.end === 0 && chunk.length >= ENTRY_HEADER_BYTES) {
    // One entry larger than the read: read it whole.
    length = Math.min(
      segment.committed - start,
      ENTRY_HEADER_BYTES + new DataView(chunk.buffer).getUint32(4, true),
      limit,
    );
    releaseBytes(chunk);
    chunk = await readRange(segment.path, start, length);
    parsed = parseEntries(chunk, start + chunk.length >= segment.committed);
  }
  return { chunk, parsed };
}

/** Hands the entries read out as a batch, advancing the segment's read offset and its records read. */
function takeStep(segment: Segment, start: number, chunk: Uint8Array, parsed: ParsedChunk, maxBytes: number): ReadStep {
  const taken = takeUpTo(parsed.entries, maxBytes);
  const stop = taken.length === parsed.entries.length ? Math.max(parsed.end, 1) : taken.at(-1)!.end;
  const damagedBytes = parsed.damaged.filter((d) => d.from < stop).reduce(
    (n, d) => n + Math.min(d.to, stop) - d.from,
    0,
  );
  segment.readOffset = start + stop;
  if (taken.length === 0) return { batch: undefined, damagedBytes };
  const records = taken.reduce((n, e) => n + e.records, 0);
  segment.readRecords += records;
  const batch = {
    body: joinPayloads(chunk, taken),
    messages: taken.reduce((n, e) => n + e.messages, 0),
    records,
    firstTimeMs: taken[0]!.timeMs,
    segment,
    start: start + taken[0]!.offset,
    end: start + taken.at(-1)!.end,
  };
  return { batch, damagedBytes };
}

/** Moves the read offset past ranges an earlier run settled. */
function skipSettled(segment: Segment): void {
  while (segment.skips.length > 0 && segment.skips[0]!.start <= segment.readOffset) {
    segment.readOffset = Math.max(segment.readOffset, segment.skips.shift()!.end);
  }
}

/** The first entries whose payloads add up to at most `maxBytes` (at least one). */
function takeUpTo(entries: readonly ParsedEntry[], maxBytes: number): ParsedEntry[] {
  let bytes = 0;
  let count = 0;
  while (count < entries.length && (count === 0 || bytes + entries[count]!.payloadBytes <= maxBytes)) {
    bytes += entries[count++]!.payloadBytes;
  }
  return entries.slice(0, count);
}

function joinPayloads(chunk: Uint8Array, entries: readonly ParsedEntry[]): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(entries.reduce((n, e) => n + e.payloadBytes, 0));
  let at = 0;
  for (const entry of entries) {
    body.set(chunk.subarray(entry.payloadOffset, entry.payloadOffset + entry.payloadBytes), at);
    at += entry.payloadBytes;
  }
  return body;
}
