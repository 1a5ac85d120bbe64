import { describe, expect, test } from "bun:test";
import { frameMessages } from "../../../src/logs/logplex/frame.ts";
import { parseFrames } from "../../../src/logs/logplex/parse-frames.ts";
import { bytes, message, text } from "./frame-fixtures.ts";

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
