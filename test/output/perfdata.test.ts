import { describe, expect, test } from "bun:test";
import type { Measurement } from "../../src/check/result.ts";
import { perfItem, perfLabel, perfNumber } from "../../src/output/perfdata.ts";
import { PERF_ITEM, perfItems } from "./perfdata-syntax.ts";

function measurement(overrides: Partial<Measurement>): Measurement {
  return { label: "check", column: "value", value: 1, unit: "", status: "ok", ...overrides };
}

describe("perfNumber()", () => {
  test.each(
    [
      [0, "0"],
      [-0, "0"],
      [42, "42"],
      [-17, "-17"],
      [0.1 + 0.2, "0.3"],
      [123.456789123, "123.456789"],
      [1e21, "1000000000000000000000"],
      [2 ** 64, "18446744073709551616"],
      [1e-7, "0"],
      [-1e-7, "0"],
      [0.000001, "0.000001"],
      [0.0000015, "0.000002"],
      [null, "U"],
      [true, "1"],
      [false, "0"],
    ] as const,
  )("%p prints as %p, never in exponent notation", (value, text) => {
    expect(perfNumber(value)).toBe(text);
    expect(perfNumber(value)).not.toMatch(/e/i);
  });
});

describe("perfLabel()", () => {
  test("always quotes; what the guidelines and Nagios reserve, a backslash and control characters as \\xNN", () => {
    expect(perfLabel("db_size.my db")).toBe("'db_size.my db'");
    expect(perfLabel("it's=x|y\\z\n")).toBe("'it\\x27s\\x3dx\\x7cy\\x5cz\\x0a'");
  });

  test("two names never share a label: a person reading the graph sees one series per object", () => {
    const names = ["a'b", "a=b", "a|b", "a_b", "a\\x27b", "a\\b", "a\nb", "a\\x0ab", "a''b", "a b"];
    expect(new Set(names.map(perfLabel)).size).toBe(names.length);
  });
});

describe("perfItem()", () => {
  test("full form: 'label'=valueUOM;warn;crit;min;max", () => {
    const item = perfItem(
      measurement({
        label: "cache_hit_ratio",
        value: 99.5,
        unit: "%",
        warning: "90:",
        critical: "80:",
        min: 0,
        max: 100,
      }),
    );
    expect(item).toBe("'cache_hit_ratio'=99.5%;90:;80:;0;100");
    expect(item).toMatch(PERF_ITEM);
  });

  test("trailing empty fields are dropped; inner empty fields kept", () => {
    expect(perfItem(measurement({ value: 3, unit: "s" }))).toBe("'check'=3s");
    expect(perfItem(measurement({ value: 3, critical: "@1:2" }))).toBe("'check'=3;;@1:2");
    expect(perfItem(measurement({ value: 3, max: 10 }))).toBe("'check'=3;;;;10");
  });

  test("no value is U without a UOM, thresholds kept", () => {
    const item = perfItem(measurement({ value: null, unit: "B", warning: "10" }));
    expect(item).toBe("'check'=U;10");
    expect(item).toMatch(PERF_ITEM);
  });

  test("booleans are 1/0, counters keep the c UOM", () => {
    expect(perfItem(measurement({ value: true }))).toBe("'check'=1");
    expect(perfItem(measurement({ value: 12345678901234, unit: "c" }))).toBe("'check'=12345678901234c");
  });

  test.each([
    measurement({ value: 1e22, unit: "B", warning: "~:10", critical: "@10:20", min: 0 }),
    measurement({ value: -0.0000001, unit: "s" }),
    measurement({ label: "a label with spaces, ' and =", value: 5, unit: "ms" }),
    measurement({ value: 0.333333333, unit: "%", min: 0, max: 100 }),
  ])("every item matches the guidelines' grammar (%#)", (m) => {
    expect(perfItem(m)).toMatch(PERF_ITEM);
  });
});

describe("PERF_ITEM (the test's own grammar)", () => {
  test("rejects what the guidelines forbid, so the assertions above can fail", () => {
    for (const bad of ["'x'=1e5", "'x'=1;;;;;", "'x'=Ums", "x=1", "'x'=1KiB", "'x'=1;abc", "'x'=", "'x'=1 ;2"]) {
      expect(bad).not.toMatch(PERF_ITEM);
    }
    expect(perfItems("'a b'=1 'c'=2;3")).toEqual(["'a b'=1", "'c'=2;3"]);
  });
});
