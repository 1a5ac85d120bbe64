import { describe, expect, test } from "bun:test";
import type { CheckDefinition } from "../../src/catalogue/definition.ts";
import { evaluateCheck, failedCheck, showValue, typedValue } from "../../src/check/evaluate.ts";
import type { Thresholds } from "../../src/catalogue/cell-thresholds.ts";
import { parseRange, type Range } from "../../src/catalogue/range.ts";
import { sampleCheck } from "../harness/check-definition.ts";

function range(text: string): Range {
  return parseRange(text) as Range;
}

function definition(overrides: Partial<CheckDefinition>): CheckDefinition {
  return sampleCheck("sample", { description: "A sample check", thresholds: { columns: ["value"] }, ...overrides });
}

const ratio = definition({
  name: "cache_ratio",
  columns: [{ name: "ratio", type: "real" }],
  unit: "%",
  thresholds: { columns: ["ratio"] },
  min: 0,
  max: 100,
});
const lowerIsWorse: Thresholds = { warning: range("90:"), critical: range("80:") };

describe("evaluateCheck()", () => {
  test("returns critical when the value is in the critical range, naming the range", () => {
    const result = evaluateCheck(definition({}), [{ value: 95 }], { warning: range("50"), critical: range("90") });
    expect(result.status).toBe("critical");
    expect(result.message).toBe("value 95 (critical at > 90)");
    expect(result.measurements[0]).toMatchObject({ status: "critical", warning: "50", critical: "90" });
  });

  test("a value below a range's start is worded by the side it crossed, not as above the end", () => {
    // `90` alerts outside 0..90 (Nagios): a negative value (clocks that disagree) alerts below 0.
    const result = evaluateCheck(definition({}), [{ value: -5 }], { warning: range("50"), critical: range("90") });
    expect(result.status).toBe("critical");
    expect(result.message).toBe("value -5 (critical at < 0)");
  });

  test("returns warning when only the warning range alerts", () => {
    expect(evaluateCheck(definition({}), [{ value: 60 }], { warning: range("50"), critical: range("90") }).status).toBe(
      "warning",
    );
  });

  test("returns ok inside both ranges", () => {
    const result = evaluateCheck(definition({}), [{ value: 10 }], { warning: range("50"), critical: range("90") });
    expect(result.status).toBe("ok");
    expect(result.message).toBe("value 10");
  });

  test("lower is worse with `80:`: 79.5 is critical, 85 warning, 95 ok", () => {
    expect(evaluateCheck(ratio, [{ ratio: 79.5 }], lowerIsWorse).status).toBe("critical");
    expect(evaluateCheck(ratio, [{ ratio: 85 }], lowerIsWorse).status).toBe("warning");
    expect(evaluateCheck(ratio, [{ ratio: 95 }], lowerIsWorse).status).toBe("ok");
  });

  test("NULL is never judged: not 0 (which `80:` would call critical), but OK with no value", () => {
    const result = evaluateCheck(ratio, [{ ratio: null }], lowerIsWorse);
    expect(result.status).toBe("ok");
    expect(result.measurements[0]!.value).toBeNull();
    expect(result.message).toBe("ratio no value");
  });

  test("booleans are judged as 1/0: `-c 0` makes true critical and leaves false ok", () => {
    const primary = definition({
      name: "primary",
      columns: [{ name: "primary", type: "boolean" }],
      thresholds: { columns: ["primary"] },
    });
    const t: Thresholds = { critical: range("0") };
    expect(evaluateCheck(primary, [{ primary: true }], t).status).toBe("critical");
    expect(evaluateCheck(primary, [{ primary: false }], t).status).toBe("ok");
    expect(evaluateCheck(primary, [{ primary: "t" }], t).measurements[0]!.value).toBe(true);
  });

  test("a column not named in thresholds is reported but never judged", () => {
    const check = definition({
      columns: [{ name: "value", type: "integer" }, { name: "other", type: "integer" }],
      thresholds: { columns: ["value"] },
    });
    const result = evaluateCheck(check, [{ value: 1, other: 1000 }], { critical: range("10") });
    expect(result.status).toBe("ok");
    expect(result.measurements.find((m) => m.column === "other")).toMatchObject({ status: "ok", value: 1000 });
    expect(result.measurements.find((m) => m.column === "other")!.critical).toBeUndefined();
  });

  test("a non-null unknown_reason makes an OK check UNKNOWN with that reason, keeping its values", () => {
    const check = definition({
      columns: [{ name: "value", type: "integer" }, { name: "unknown_reason", type: "text" }],
    });
    const result = evaluateCheck(check, [{ value: 1, unknown_reason: "needs pg_monitor" }], {});
    expect(result).toMatchObject({
      status: "unknown",
      message: "value 1; not judged: needs pg_monitor",
      error: "needs pg_monitor",
    });
    expect(result.measurements.map((m) => m.value)).toEqual([1]);
    expect(evaluateCheck(check, [{ value: 1, unknown_reason: null }], {}).status).toBe("ok");
  });

  test("no row from a single-row check is UNKNOWN, never a silent OK", () => {
    expect(evaluateCheck(definition({}), [], {})).toMatchObject({
      status: "unknown",
      error: "the check returned no row",
    });
  });

  test("labels: the check name alone, + title for multi-row checks, + column when several values", () => {
    const multi = definition({
      name: "db_stats",
      titleColumn: "database",
      columns: [{ name: "database", type: "text" }, { name: "size", type: "bigint", unit: "B" }, {
        name: "commits",
        type: "bigint",
        unit: "c",
      }],
      thresholds: { columns: ["size"] },
    });
    const result = evaluateCheck(multi, [{ database: "!TOTAL", size: "2048", commits: "7" }, {
      database: "app",
      size: "1024",
      commits: "3",
    }], {});
    expect(result.measurements.map((m) => m.label)).toEqual([
      "db_stats.!TOTAL.size",
      "db_stats.!TOTAL.commits",
      "db_stats.app.size",
      "db_stats.app.commits",
    ]);
    expect(result.measurements.map((m) => m.unit)).toEqual(["B", "c", "B", "c"]);
    expect(result.measurements[0]!.value).toBe(2048);
    expect(evaluateCheck(definition({}), [{ value: 1 }], {}).measurements[0]!.label).toBe("sample");
  });

  test("the worst row decides, and the message names what alerts", () => {
    const multi = definition({
      name: "per_db",
      titleColumn: "database",
      columns: [{ name: "database", type: "text" }, { name: "value", type: "integer" }],
    });
    const result = evaluateCheck(multi, [{ database: "a", value: 1 }, { database: "b", value: 50 }], {
      warning: range("10"),
    });
    expect(result.status).toBe("warning");
    expect(result.message).toBe("b value 50 (warning at > 10)");
  });

  test("min and max of the definition travel with each measurement in the check's unit", () => {
    expect(evaluateCheck(ratio, [{ ratio: 50 }], {}).measurements[0]).toMatchObject({ min: 0, max: 100, unit: "%" });
  });

  test("a column with a unit of its own (a count beside a percentage) gets no 0..100 bounds", () => {
    const limit = definition({
      columns: [{ name: "share", type: "real" }, { name: "connections", type: "integer", unit: "" }],
      unit: "%",
      min: 0,
      max: 100,
      thresholds: { columns: ["share"] },
    });
    const [share, connections] = evaluateCheck(limit, [{ share: 5, connections: 150 }], {}).measurements;
    expect(share).toMatchObject({ unit: "%", min: 0, max: 100 });
    expect(connections).toMatchObject({ unit: "", value: 150 });
    expect(connections!.min).toBeUndefined();
    expect(connections!.max).toBeUndefined();
  });
});

describe("typedValue()", () => {
  test("bigint and numeric strings become numbers; non-finite becomes null", () => {
    expect(typedValue({ name: "n", type: "bigint" }, "9007199254740993")).toBe(9007199254740992);
    expect(typedValue({ name: "n", type: "numeric" }, "12.50")).toBe(12.5);
    expect(typedValue({ name: "n", type: "double precision" }, "NaN")).toBeNull();
    expect(typedValue({ name: "n", type: "real" }, undefined)).toBeNull();
  });
});

describe("showValue()", () => {
  test("units: % glued, others spaced, counters bare, null as 'no value'", () => {
    expect(showValue({ value: 12.3456, unit: "%" })).toBe("12.346%");
    expect(showValue({ value: 3, unit: "s" })).toBe("3 s");
    expect(showValue({ value: 7, unit: "c" })).toBe("7");
    expect(showValue({ value: null, unit: "B" })).toBe("no value");
  });
});

describe("failedCheck()", () => {
  test("is UNKNOWN with the reason as message and error unless a status is given", () => {
    expect(failedCheck({ name: "x", description: "d" }, "why")).toEqual({
      name: "x",
      description: "d",
      status: "unknown",
      message: "why",
      error: "why",
      measurements: [],
    });
    expect(failedCheck({ name: "x", description: "d" }, "down", "critical").status).toBe("critical");
  });
});

describe("evaluateCheck() context", () => {
  const holder = sampleCheck("longest_query", {
    columns: [{ name: "seconds", type: "double precision" }, { name: "session", type: "text" }],
    unit: "s",
    thresholds: { columns: ["seconds"] },
  });

  test("an alerting value names its row's text columns; an OK one does not", () => {
    const bad = evaluateCheck(holder, [{ seconds: 950, session: "app@shop pid 42" }], {
      critical: parseRange("900") as Range,
    });
    expect(bad.message).toBe("seconds 950 s (critical at > 900 s; session: app@shop pid 42)");
    expect(bad.measurements[0]!.context).toEqual({ session: "app@shop pid 42" });
    const fine = evaluateCheck(holder, [{ seconds: 5, session: null }], { critical: parseRange("900") as Range });
    expect(fine.message).toBe("seconds 5 s");
    expect(fine.measurements[0]!.context).toBeUndefined();
  });
});

describe("evaluateCheck(): what cannot be judged never hides what can (issue 9)", () => {
  const sequences = definition({
    name: "sequences",
    titleColumn: "sequence",
    unit: "%",
    columns: [{ name: "sequence", type: "text" }, { name: "percent_used", type: "double precision" }, {
      name: "values_left",
      type: "numeric",
      unit: "",
    }, { name: "unknown_reason", type: "text" }],
    thresholds: { columns: ["percent_used"] },
  });
  const t = { warning: range("85"), critical: range("95") };
  const rows = [
    { sequence: "!TOTAL", percent_used: 99, values_left: 20, unknown_reason: "3 sequences could not be read" },
    { sequence: "public.a", percent_used: 99, values_left: 20, unknown_reason: null },
    { sequence: "public.b", percent_used: 10, values_left: 900, unknown_reason: null },
  ];

  test("a CRITICAL row beats an unreadable one: CRITICAL, every value kept, and the message says what was not judged", () => {
    const result = evaluateCheck(sequences, rows, t);
    expect(result.status).toBe("critical");
    expect(result.measurements).toHaveLength(6);
    expect(result.message).toBe(
      "!TOTAL percent_used 99% (critical at > 95%; values_left 20), also public.a; not judged: 3 sequences could not be read",
    );
    expect(result.error).toBe("3 sequences could not be read");
  });

  test("every row OK but some not judged: UNKNOWN, values kept", () => {
    const result = evaluateCheck(sequences, rows.map((r) => ({ ...r, percent_used: 10 })), t);
    expect(result.status).toBe("unknown");
    expect(result.measurements.every((m) => m.status === "ok")).toBe(true);
  });
});

describe("messages for people (issue 9)", () => {
  const perDb = definition({
    name: "xid",
    titleColumn: "database",
    unit: "%",
    columns: [{ name: "database", type: "text" }, { name: "xid_age", type: "bigint", unit: "" }, {
      name: "wraparound_percent",
      type: "real",
    }],
    thresholds: { columns: ["wraparound_percent"] },
  });
  const t = { warning: range("50"), critical: range("80") };

  test("an OK multi-row message shows the row closest to its threshold, not the first", () => {
    const result = evaluateCheck(perDb, [{ database: "postgres", xid_age: 10, wraparound_percent: 0 }, {
      database: "app",
      xid_age: 900,
      wraparound_percent: 40,
    }], t);
    expect(result.message).toBe("app: xid_age 900, wraparound_percent 40% (worst of 2 rows)");
  });

  test("the same column alerting in several rows is said once, with the raw count beside it, the other rows named", () => {
    const rows = [{ database: "!MAX", xid_age: 1200000000, wraparound_percent: 55.9 }, {
      database: "app",
      xid_age: 1200000000,
      wraparound_percent: 55.9,
    }, { database: "shop", xid_age: 1100000000, wraparound_percent: 51.2 }];
    expect(evaluateCheck(perDb, rows, t).message).toBe(
      "!MAX wraparound_percent 55.9% (warning at > 50%; xid_age 1200000000), also app, shop",
    );
  });

  test("ranges in words: N is > N, N: is < N, ~:N is > N, N:M is outside, @N:M is between", () => {
    const words = (w: string) => evaluateCheck(definition({}), [{ value: 5 }], { warning: range(w) }).message;
    expect(words("1")).toBe("value 5 (warning at > 1)");
    expect(words("10:")).toBe("value 5 (warning at < 10)");
    expect(words("~:1")).toBe("value 5 (warning at > 1)");
    expect(words("6:9")).toBe("value 5 (warning when outside 6..9)");
    expect(words("@1:9")).toBe("value 5 (warning when between 1 and 9)");
  });
});

describe("evaluateCheck(): one value per label (a custom check's SQL returning more rows than its shape)", () => {
  const limits: Thresholds = { warning: range("10"), critical: range("100") };

  test("several rows without a title column: the worst kept once, said, CRITICAL stands", () => {
    const result = evaluateCheck(definition({}), [{ value: 1 }, { value: 200 }], limits);
    expect(result.status).toBe("critical");
    expect(result.measurements.map((m) => [m.label, m.value])).toEqual([["sample", 200]]);
    expect(result.message).toBe(
      "value 200 (critical at > 100); not judged: the check returned 2 rows but has no title_column to tell them apart: the worst kept",
    );
  });

  test("several OK rows without a title column: UNKNOWN, since values were dropped", () => {
    const result = evaluateCheck(definition({}), [{ value: 1 }, { value: 2 }], limits);
    expect(result.status).toBe("unknown");
    expect(result.measurements).toHaveLength(1);
  });

  test("two rows with one title: the worst of that title kept, the others untouched", () => {
    const titled = definition({
      columns: [{ name: "queue", type: "text" }, { name: "value", type: "bigint" }],
      titleColumn: "queue",
    });
    const result = evaluateCheck(titled, [{ queue: "a", value: 50 }, { queue: "a", value: 5 }, {
      queue: "b",
      value: 1,
    }], limits);
    expect(result.status).toBe("warning");
    expect(result.measurements.map((m) => [m.label, m.value])).toEqual([["sample.a", 50], ["sample.b", 1]]);
    expect(result.message).toContain('not judged: several rows titled "a": the worst of each kept');
  });
});

describe("evaluateCheck(): a numeric cell holding no number", () => {
  test.each(["NaN", "Infinity", "-Infinity"])("%s is named and the check is UNKNOWN, not OK as for NULL", (raw) => {
    const result = evaluateCheck(definition({ columns: [{ name: "value", type: "numeric" }] }), [{ value: raw }], {
      warning: range("10"),
      critical: range("100"),
    });
    expect(result.status).toBe("unknown");
    expect(result.message).toBe(`value no value; not judged: value is ${raw}, not a number`);
  });

  test("NULL stays no value, OK (nothing to measure, e.g. no backup running)", () => {
    const result = evaluateCheck(definition({}), [{ value: null }], { critical: range("100") });
    expect(result.status).toBe("ok");
  });
});
