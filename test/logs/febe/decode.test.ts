import { describe, expect, test } from "bun:test";
import { createFebeDecoder, type FebeEvent } from "../../../src/logs/febe/decode.ts";
import type { LogRecord } from "../../../src/logs/record.ts";
import { FIXTURE_IDENTITY, fixtureNames, readFixture } from "../../../dev/fixtures.ts";
import { concat, encodeIdentity, encodeRecord, encodeVersion } from "../../../dev/logfebe-sender.ts";
import { sampleRecord } from "../../../dev/sample-record.ts";

const VERSION = "PG-15.20 (Debian 15.20-0+deb12u1)/logfebe-1";

function decodeAll(bytes: Uint8Array): { events: FebeEvent[]; end: string } {
  const decoder = createFebeDecoder();
  const events = decoder.push(bytes);
  return { events, end: decoder.finish() };
}

function recordsOf(events: FebeEvent[]): LogRecord[] {
  return events.flatMap((e) => (e.type === "L" ? [e.record] : []));
}

function fixtureRecords(name: string): LogRecord[] {
  return recordsOf(decodeAll(readFixture(name)).events);
}

/** Splits a stream into whole frames (type byte, length, payload) without decoding them. */
function frames(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < bytes.length; at += 1 + view.getUint32(at + 1)) {
    out.push(bytes.subarray(at, at + 1 + view.getUint32(at + 1)));
  }
  return out;
}

describe("createFebeDecoder() on the real captures", () => {
  const expected: Record<string, number> = {
    "pg15-checkpointer.bin": 2,
    "pg15-pgbench-client.bin": 1052,
    "pg15-pgbench-init.bin": 33,
    "pg15-postmaster-startup.bin": 3,
    "pg15-psql-mixed-session.bin": 18,
    "pg15-psql-select-and-errors.bin": 9,
    "pg15-startup-process.bin": 1,
  };

  test("the fixture list is the one these counts describe", () => {
    expect(fixtureNames()).toEqual(Object.keys(expected).sort());
  });

  for (const [name, count] of Object.entries(expected)) {
    test(`decodes ${name} completely: V, I, then ${count} records, clean EOF`, () => {
      const { events, end } = decodeAll(readFixture(name));
      expect(events[0]).toEqual({ type: "V", version: VERSION, major: 15 });
      expect(events[1]).toEqual({ type: "I", identity: FIXTURE_IDENTITY });
      expect(events.slice(2).every((e) => e.type === "L")).toBe(true);
      expect(events.length - 2).toBe(count);
      expect(end).toBe("clean");
      expect(recordsOf(events).map((r) => r.seqNum)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    });
  }

  test("reads the ERROR with a cursor position", () => {
    const error = fixtureRecords("pg15-psql-select-and-errors.bin")[4]!;
    expect(error).toMatchObject({
      eLevel: 21,
      sqlState: "42P01",
      errMessage: 'relation "nonexistent_table" does not exist',
      userQuery: "select * from nonexistent_table",
      userQueryPos: 15,
      psDisplay: "SELECT",
      vxid: "3/3",
    });
  });

  test("reads a WARNING from DO and division by zero without a position", () => {
    const records = fixtureRecords("pg15-psql-select-and-errors.bin");
    expect(records[6]).toMatchObject({ eLevel: 19, sqlState: "01000", errMessage: "hello world" });
    expect(records[6]!.errContext).toBe("PL/pgSQL function inline_code_block line 1 at RAISE");
    expect(records[8]).toMatchObject({ eLevel: 21, sqlState: "22012", userQuery: "select 1/0", userQueryPos: 0 });
  });

  test("reads DETAIL, HINT, a custom SQLSTATE, CONTEXT and an internal query", () => {
    const records = fixtureRecords("pg15-psql-mixed-session.bin");
    expect(records[5]).toEqual(sampleRecord());
    expect(records[7]).toMatchObject({
      eLevel: 21,
      sqlState: "P0001",
      errMessage: "custom failure",
      errDetail: "some detail",
      errHint: "try harder",
      errContext: "PL/pgSQL function inline_code_block line 1 at RAISE",
    });
    expect(records[10]).toMatchObject({
      sqlState: "42P01",
      internalQuery: "SELECT * from missing_tbl",
      internalQueryPos: 15,
      errContext: "PL/pgSQL function f() line 1 at PERFORM",
      userQuery: "select f();",
    });
  });

  test("reads UTF-8 text, a changed application_name and a NOTICE", () => {
    const records = fixtureRecords("pg15-psql-mixed-session.bin");
    expect(records[11]!.errMessage).toBe("statement: select 'ünïcödé ✓ 日本語' as u, E'multi\\nline\\nquery';");
    expect(records[12]!.applicationName).toBe("psql");
    expect(records[13]!.applicationName).toBe("app with spaces");
    expect(records[15]).toMatchObject({ eLevel: 18, errMessage: "notice msg" });
    expect(records[17]!.errMessage).toBe("statement: select repeat('x', 20000);");
  });

  test("tells NULL from empty: auxiliary processes have no user, client or ps; unset application_name is empty", () => {
    const [checkpoint] = fixtureRecords("pg15-checkpointer.bin");
    expect(checkpoint).toMatchObject({
      userName: null,
      databaseName: null,
      clientAddr: null,
      psDisplay: null,
      vxid: null,
    });
    expect(checkpoint!.applicationName).toBe("");
    const [received] = fixtureRecords("pg15-psql-mixed-session.bin");
    expect(received).toMatchObject({ userName: null, clientAddr: "[local]", psDisplay: "", txid: 0 });
  });

  test("reads a transaction id", () => {
    const last = fixtureRecords("pg15-pgbench-client.bin").at(-1)!;
    expect(last).toMatchObject({ seqNum: 1052, txid: 1351, vxid: "3/282", errMessage: "statement: END;" });
  });
});

describe("createFebeDecoder() over chunk boundaries", () => {
  test("every split point of a capture gives the same events", () => {
    const bytes = readFixture("pg15-psql-select-and-errors.bin");
    const whole = decodeAll(bytes).events;
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = createFebeDecoder();
      const events = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
      expect(events).toEqual(whole);
      expect(decoder.finish()).toBe("clean");
    }
  });

  for (const name of fixtureNames()) {
    test(`1-byte chunks of ${name} give the same events`, () => {
      const bytes = readFixture(name);
      const decoder = createFebeDecoder();
      const events: FebeEvent[] = [];
      for (let at = 0; at < bytes.length; at++) events.push(...decoder.push(bytes.subarray(at, at + 1)));
      expect(events).toEqual(decodeAll(bytes).events);
      expect(decoder.finish()).toBe("clean");
    });
  }

  test("empty chunks change nothing", () => {
    const decoder = createFebeDecoder();
    expect(decoder.push(new Uint8Array(0))).toEqual([]);
    expect(decoder.push(encodeVersion(VERSION))).toHaveLength(1);
    expect(decoder.push(new Uint8Array(0))).toEqual([]);
    expect(decoder.finish()).toBe("clean");
  });

  test("does not keep a reference to the caller's chunk", () => {
    const bytes = concat([encodeVersion(VERSION), encodeIdentity("a"), encodeRecord(sampleRecord())]);
    const decoder = createFebeDecoder();
    const chunk = bytes.slice(0, bytes.length - 10);
    decoder.push(chunk);
    chunk.fill(0x58); // the caller reuses its buffer
    const [event] = decoder.push(bytes.subarray(bytes.length - 10));
    expect(event).toEqual({ type: "L", record: sampleRecord() });
  });

  test("does not keep a reference to a socket's Buffer chunk either (Buffer's slice is a view)", () => {
    const bytes = concat([encodeVersion(VERSION), encodeIdentity("a"), encodeRecord(sampleRecord())]);
    const decoder = createFebeDecoder();
    const chunk = Buffer.from(bytes.slice(0, bytes.length - 10));
    decoder.push(chunk);
    chunk.fill(0x58); // the caller reuses (or releases) its buffer
    const [event] = decoder.push(bytes.subarray(bytes.length - 10));
    expect(event).toEqual({ type: "L", record: sampleRecord() });
  });
});

describe("encodeRecord() and friends reproduce pg_logfebe's bytes", () => {
  for (const name of fixtureNames()) {
    test(`re-encoding ${name} gives every frame back byte for byte`, () => {
      const original = frames(readFixture(name));
      const events = decodeAll(readFixture(name)).events;
      const reencoded = events.map((e) =>
        e.type === "V"
          ? encodeVersion(e.version)
          : e.type === "I"
          ? encodeIdentity(e.identity)
          : e.type === "L"
          ? encodeRecord(e.record)
          : new Uint8Array(0)
      );
      expect(reencoded).toEqual(original);
    });
  }

  test("the I frame carries 3 bytes past the NUL, which the identity ignores", () => {
    const frame = encodeIdentity("e2e identity", [0xde, 0xad, 0xbe]);
    expect(new DataView(frame.buffer).getUint32(1)).toBe(4 + 12 + 4);
    expect(decodeAll(concat([encodeVersion(VERSION), frame])).events[1]).toEqual({
      type: "I",
      identity: "e2e identity",
    });
  });
});
