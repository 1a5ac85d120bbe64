import { expect, test } from "bun:test";
import { crc32 } from "../../../src/logs/spool/crc32.ts";
import { encodeEntry, ENTRY_HEADER_BYTES, parseEntries } from "../../../src/logs/spool/entry.ts";
import { decodeCursor, encodeCursor } from "../../../src/logs/spool/cursor.ts";
import { concat } from "../../../dev/logfebe-sender.ts";

const text = (s: string) => new TextEncoder().encode(s);
const entry = (i: number) =>
  encodeEntry(text(`12 <134>1 frame ${i}`), { messages: 1, records: 1, timeMs: 1_700_000_000_000 + i });
const bodies = (chunk: Uint8Array, final = true) =>
  parseEntries(chunk, final).entries.map((e) =>
    new TextDecoder().decode(chunk.subarray(e.payloadOffset, e.payloadOffset + e.payloadBytes))
  );

test("crc32() is zlib's CRC-32 and continues from a previous value", () => {
  expect(crc32(text("hello world"))).toBe(0x0d4a1185);
  expect(crc32(text("world"), crc32(text("hello ")))).toBe(0x0d4a1185);
});

test("parseEntries() reads back what encodeEntry() wrote, with its header fields", () => {
  const chunk = concat([entry(1), entry(2), encodeEntry(text("two frames"), { messages: 2, records: 7, timeMs: 5 })]);
  const parsed = parseEntries(chunk, true);
  expect(bodies(chunk)).toEqual(["12 <134>1 frame 1", "12 <134>1 frame 2", "two frames"]);
  expect(parsed.entries[2]).toMatchObject({ messages: 2, records: 7, timeMs: 5 });
  expect(parsed.entries[1]!.timeMs).toBe(1_700_000_000_002);
  expect(parsed.end).toBe(chunk.length);
  expect(parsed.damaged).toEqual([]);
});

test("parseEntries() skips a damaged entry and resynchronises on the next valid one", () => {
  const chunk = concat([entry(1), entry(2), entry(3)]);
  chunk[entry(1).length + ENTRY_HEADER_BYTES + 3]! ^= 0xff; // a flipped bit in entry 2's payload
  const parsed = parseEntries(chunk, true);
  expect(bodies(chunk)).toEqual(["12 <134>1 frame 1", "12 <134>1 frame 3"]);
  expect(parsed.damaged).toEqual([{ from: entry(1).length, to: entry(1).length * 2 }]);
});

test("parseEntries() stops before an entry cut by the chunk's end, unless the chunk is final (a torn write)", () => {
  const whole = concat([entry(1), entry(2)]);
  const cut = whole.subarray(0, whole.length - 5);
  expect(parseEntries(cut, false)).toMatchObject({ end: entry(1).length, damaged: [] });
  expect(bodies(cut, false)).toEqual(["12 <134>1 frame 1"]);
  expect(parseEntries(cut, true)).toMatchObject({
    end: cut.length,
    damaged: [{ from: entry(1).length, to: cut.length }],
  });
});

test("parseEntries() treats garbage, a zero-record header and a wrong magic as damage", () => {
  const garbage = text("not an entry at all, just bytes that happen to be here");
  const zero = encodeEntry(text("x"), { messages: 1, records: 0, timeMs: 0 });
  const chunk = concat([garbage, zero, entry(9)]);
  expect(bodies(chunk)).toEqual(["12 <134>1 frame 9"]);
  expect(parseEntries(chunk, true).damaged).toEqual([{ from: 0, to: garbage.length + zero.length }]);
});

test("a cursor survives encoding, with its settled ranges; a damaged one is refused; an older longer tail is ignored", () => {
  const cursor = {
    seq: 42,
    offset: 123_456,
    settled: [{ seq: 42, start: 200_000, end: 300_000 }, { seq: 43, start: 0, end: 99 }],
  };
  const bytes = encodeCursor(cursor);
  expect(decodeCursor(bytes)).toEqual(cursor);
  expect(decodeCursor(concat([encodeCursor({ seq: 1, offset: 2, settled: [] }), bytes.subarray(28)]))).toEqual({
    seq: 1,
    offset: 2,
    settled: [],
  });
  bytes[9]! ^= 1;
  expect(decodeCursor(bytes)).toBeUndefined();
  expect(decodeCursor(bytes.subarray(0, 10))).toBeUndefined();
});
