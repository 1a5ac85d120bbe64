import { describe, expect, test } from "bun:test";
import { FrameBuffer, frameMessages, MAX_MESSAGE_BYTES } from "../../../src/logs/logplex/frame.ts";
import { parseFrames } from "../../../src/logs/logplex/parse-frames.ts";
import { bytes, message, text } from "./frame-fixtures.ts";

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
    expect(body.buffer.byteLength).toBe(body.length); // exact size, the whole of its buffer: releasable
    expect(parseFrames(body).map((f) => f.body)).toEqual(messages.map((m) => m.body));
    expect(buffer.byteLength).toBe(0);
    expect(buffer.messageCount).toBe(0);
  });
});
