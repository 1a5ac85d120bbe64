import { describe, expect, test } from "bun:test";
import { alerts, parseRange, type Range } from "../../src/catalogue/range.ts";

function range(text: string): Range {
  const parsed = parseRange(text);
  if (typeof parsed === "string") throw new Error(`expected a range from "${text}", got: ${parsed}`);
  return parsed;
}

/** Which of the probe values raise an alert. */
function alerting(text: string, probes: readonly number[]): number[] {
  const r = range(text);
  return probes.filter((v) => alerts(r, v));
}

const PROBES = [-1, 0, 5, 10, 10.5, 15, 20, 25];

describe("parseRange()", () => {
  test("`10` alerts outside 0..10, both ends inclusive", () => {
    expect(range("10")).toEqual({ text: "10", start: 0, end: 10, inside: false });
    expect(alerting("10", PROBES)).toEqual([-1, 10.5, 15, 20, 25]);
  });

  test("`10:` alerts below 10 only", () => {
    expect(range("10:")).toMatchObject({ start: 10, end: Infinity, inside: false });
    expect(alerting("10:", PROBES)).toEqual([-1, 0, 5]);
  });

  test("`~:10` alerts above 10 only (no lower bound)", () => {
    expect(range("~:10")).toMatchObject({ start: -Infinity, end: 10 });
    expect(alerting("~:10", PROBES)).toEqual([10.5, 15, 20, 25]);
  });

  test("`10:20` alerts outside 10..20", () => {
    expect(alerting("10:20", PROBES)).toEqual([-1, 0, 5, 25]);
  });

  test("`@10:20` inverts: alerts inside 10..20, both ends inclusive", () => {
    expect(range("@10:20")).toMatchObject({ start: 10, end: 20, inside: true });
    expect(alerting("@10:20", PROBES)).toEqual([10, 10.5, 15, 20]);
  });

  test("`@10` alerts inside 0..10", () => {
    expect(alerting("@10", PROBES)).toEqual([0, 5, 10]);
  });

  test("`@~:10` alerts at or below 10", () => {
    expect(alerting("@~:10", PROBES)).toEqual([-1, 0, 5, 10]);
  });

  test("`0` alerts on anything but zero (used with booleans: true is 1)", () => {
    expect(alerting("0", [0, 1])).toEqual([1]);
  });

  test("negative and decimal bounds", () => {
    expect(alerting("-5:-1", [-6, -5, -3, -1, 0])).toEqual([-6, 0]);
    expect(alerting("0.5:1.5", [0.4, 0.5, 1.5, 1.6])).toEqual([0.4, 1.6]);
    expect(alerting(".5", [0.5, 0.6])).toEqual([0.6]);
  });

  test("surrounding blanks are ignored and the text is kept trimmed", () => {
    expect(range(" 10:20 ").text).toBe("10:20");
  });

  test.each([
    ["", "expected N, N:, ~:N, N:M or @N:M"],
    ["@", "expected N, N:, ~:N, N:M or @N:M"],
    ["abc", "expected N, N:, ~:N, N:M or @N:M"],
    ["10:abc", "expected N, N:, ~:N, N:M or @N:M"],
    ["1e3", "expected N, N:, ~:N, N:M or @N:M"],
    ["~", "expected N, N:, ~:N, N:M or @N:M"],
    ["10:~", "expected N, N:, ~:N, N:M or @N:M"],
    ["10%", "expected N, N:, ~:N, N:M or @N:M"],
  ])("rejects %p with a message naming it", (text, why) => {
    const parsed = parseRange(text);
    expect(parsed).toBe(`Cannot use "${text}" as a range: ${why}`);
  });

  test("rejects a start above the end, saying which is which", () => {
    expect(parseRange("20:10")).toBe('Cannot use "20:10" as a range: start 20 is greater than end 10');
    expect(parseRange("-5")).toBe('Cannot use "-5" as a range: start 0 is greater than end -5');
  });
});
