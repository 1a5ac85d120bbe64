import { describe, expect, test } from "bun:test";
import { FrameBuffer, frameMessages, MAX_MESSAGE_BYTES, parseFrames } from "../../../src/logs/logplex/frame.ts";
import type { LogplexMessage } from "../../../src/logs/logplex/message.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);

function message(body: string, overrides: Partial<LogplexMessage> = {}): LogplexMessage {
  return {
    pri: 134,
    timestamp: "2026-11-21T04:23:21Z",
    hostname: "postgres",
    appName: "t.token",
    procId: "postgres.1234",
    body,
    ...overrides,
  };
}

describe("frameMessages()", () => {
  test("frameMessages() writes the logplexc header with NILVALUE MSGID and STRUCTURED-DATA", () => {
    const framed = text(frameMessages([message("[db] hello\n")]));
    const inner = "<134>1 2026-11-21T04:23:21Z postgres t.token postgres.1234 - - [db] hello\n";
    expect(framed).toBe(`${inner.length} ${inner}`);
  });

  test("frameMessages() counts UTF-8 bytes, not characters", () => {
    const framed = frameMessages([message("héllo €𝄞")]);
    const inner = bytes("<134>1 2026-11-21T04:23:21Z postgres t.token postgres.1234 - - héllo €𝄞");
    expect(text(framed)).toBe(`${inner.length} ${text(inner)}`);
  });

  test("frameMessages() puts frames back to back with no separator", () => {
    const framed = text(frameMessages([message("a"), message("b", { pri: 131 })]));
    expect(framed).toBe(
      "64 <134>1 2026-11-21T04:23:21Z postgres t.token postgres.1234 - - a64 <131>1 2026-11-21T04:23:21Z postgres t.token postgres.1234 - - b",
    );
  });

  test("frameMessages() of nothing is an empty body", () => {
    expect(frameMessages([]).length).toBe(0);
  });

  test("frameMessages() fixes the count width when multi-byte text crosses a digit boundary", () => {
    const header = bytes("<134>1 2026-11-21T04:23:21Z postgres t.token postgres.1234 - - ").length;
    const body = "é".repeat(Math.ceil((1000 - header) / 2) + 1); // under 1000 UTF-16 units, over 1000 bytes
    const [frame] = parseFrames(frameMessages([message(body)]));
    expect(frame?.body).toBe(body);
    expect(text(frameMessages([message(body)])).slice(0, 5)).toMatch(/^1\d\d\d /);
  });

  test("frameMessages() accepts a message of exactly 10,240 bytes and rejects one byte more", () => {
    const header = bytes("<134>1 2026-11-21T04:23:21Z postgres t.token postgres.1234 - - ").length;
    const fits = "x".repeat(MAX_MESSAGE_BYTES - header);
    expect(text(frameMessages([message(fits)])).startsWith("10240 ")).toBe(true);
    expect(() => frameMessages([message(fits + "x")])).toThrow(
      "Cannot frame a message of 10241 bytes: logplex accepts at most 10240",
    );
  });
});

describe("FrameBuffer", () => {
  test("FrameBuffer.append() leaves the buffer unchanged when one message of a record is too big", () => {
    const buffer = new FrameBuffer(64);
    buffer.append([message("first")]);
    const before = buffer.byteLength;
    expect(() => buffer.append([message("ok"), message("x".repeat(MAX_MESSAGE_BYTES))])).toThrow(RangeError);
    expect(buffer.byteLength).toBe(before);
    expect(buffer.messageCount).toBe(1);
    expect(parseFrames(buffer.take()).map((f) => f.body)).toEqual(["first"]);
  });

  test("FrameBuffer grows past its initial capacity and take() empties it", () => {
    const buffer = new FrameBuffer(64);
    const messages = Array.from({ length: 500 }, (_, i) => message(`message ${i}`));
    const added = buffer.append(messages);
    const body = buffer.take();
    expect(added).toBe(body.length);
    expect(parseFrames(body).map((f) => f.body)).toEqual(messages.map((m) => m.body));
    expect(buffer.byteLength).toBe(0);
    expect(buffer.messageCount).toBe(0);
  });
});

describe("parseFrames()", () => {
  test("parseFrames() inverts frameMessages()", () => {
    const messages = [
      message("one\nDetail: x\n"),
      message("", { pri: 0 }),
      message("ünïcode 🐘", { timestamp: "2026-01-02T03:04:05.123456+02:00" }),
    ];
    const frames = parseFrames(frameMessages(messages));
    expect(
      frames.map(({ pri, timestamp, hostname, appName, procId, body }) => ({
        pri,
        timestamp,
        hostname,
        appName,
        procId,
        body,
      })),
    ).toEqual(messages);
    expect(frames.map((f) => [f.msgId, f.structuredData])).toEqual([["-", "-"], ["-", "-"], ["-", "-"]]);
    expect(frames[0]?.offset).toBe(0);
  });

  test("parseFrames() reads structured data with escaped brackets and a message without body", () => {
    const inner = '<165>1 2003-10-11T22:14:15.003Z host app 12 ID47 [a@1 x="\\]"][b@2 y="z"]';
    const [frame] = parseFrames(bytes(`${inner.length} ${inner}`));
    expect(frame?.structuredData).toBe('[a@1 x="\\]"][b@2 y="z"]');
    expect(frame?.msgId).toBe("ID47");
    expect(frame?.body).toBe("");
  });

  test("parseFrames() decodes invalid UTF-8 leniently", () => {
    const head = bytes("<134>1 - h a p - - ");
    const inner = new Uint8Array([...head, 0xff, 0x41]);
    const [frame] = parseFrames(new Uint8Array([...bytes(`${inner.length} `), ...inner]));
    expect(frame?.body).toBe("\uFFFDA");
  });

  const counted = (inner: string) => `${bytes(inner).length} ${inner}`;
  const good = counted("<134>1 - h a p - - hello");
  const bad: [string, string, string][] = [
    [
      "a leading zero",
      "05 <1>1 ",
      'Cannot parse frame at byte 0: expected an octet count (1-9 first), found "05 <1>1 "',
    ],
    [
      "a newline between frames",
      `${good}\n${good}`,
      `Cannot parse frame at byte ${good.length}: expected an octet count (1-9 first), found "\\n`,
    ],
    ["a missing space", "12<134>1 - h", "expected a space after the octet count"],
    ["an oversize count", "10241 x", "octet count over 10240"],
    ["a truncated frame", "50 <134>1 - h a p - - x", "frame of 50 bytes is truncated (20 left)"],
    ["a bad version", counted("<134>2 - h a p - -"), "expected <PRI>1 with PRI 0-191"],
    ["a PRI over 191", counted("<192>1 - h a p - -"), "expected <PRI>1 with PRI 0-191"],
    ["a bad timestamp", counted("<134>1 yesterday h a p - -"), 'bad TIMESTAMP "yesterday"'],
    ["a missing MSGID", counted("<134>1 - h a p"), 'bad MSGID ""'],
    ["a missing STRUCTURED-DATA", counted("<134>1 - h a p -"), "bad STRUCTURED-DATA"],
    ["an unterminated STRUCTURED-DATA", counted('<134>1 - h a p - [x@1 a="b"'), "bad STRUCTURED-DATA"],
    ["an APP-NAME over 48 bytes", counted(`<134>1 - h ${"a".repeat(49)} p - -`), "bad APP-NAME"],
    ["a control character in HOSTNAME", counted("<134>1 - h\u0001 a p - -"), "bad HOSTNAME"],
    ["a body glued to the SD", counted("<134>1 - h a p - -x"), "expected a space after STRUCTURED-DATA"],
  ];
  for (const [what, input, error] of bad) {
    test(`parseFrames() rejects ${what}`, () => {
      expect(() => parseFrames(bytes(input))).toThrow(error);
      expect(() => parseFrames(bytes(input))).toThrow(SyntaxError);
    });
  }

  test("parseFrames() names the offset of the bad frame", () => {
    const good = text(frameMessages([message("ok")]));
    expect(() => parseFrames(bytes(`${good}x`))).toThrow(
      `Cannot parse frame at byte ${bytes(good).length}: expected an octet count (1-9 first), found "x"`,
    );
  });
});
