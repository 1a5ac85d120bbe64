import { describe, expect, test } from "bun:test";
import type { CheckDefinition } from "../../src/catalogue/definition.ts";
import { mergeAnswers } from "../../src/check/per-database.ts";
import { parseRange, type Range } from "../../src/catalogue/range.ts";
import { sampleCheck } from "../harness/check-definition.ts";

function check(overrides: Partial<CheckDefinition> = {}): CheckDefinition {
  return sampleCheck("sequences", {
    description: "Sequences close to exhaustion",
    columns: [{ name: "sequence", type: "text" }, { name: "used_percent", type: "real" }],
    titleColumn: "sequence",
    unit: "%",
    thresholds: { columns: ["used_percent"], warning: "85", critical: "95" },
    scope: "database",
    ...overrides,
  });
}

const thresholds = { warning: parseRange("85") as Range, critical: parseRange("95") as Range };

describe("mergeAnswers()", () => {
  test("titles summary rows by database and object rows database/object", () => {
    const result = mergeAnswers(check(), [
      { database: "app", rows: [{ sequence: "!MAX", used_percent: 10 }, { sequence: "public.s1", used_percent: 10 }] },
      { database: "posemo", rows: [{ sequence: "!MAX", used_percent: 1 }] },
    ], thresholds);
    expect(result.status).toBe("ok");
    expect(result.measurements.map((m) => m.title)).toEqual(["app", "app/public.s1", "posemo"]);
    expect(result.measurements.map((m) => m.label)).toEqual([
      "sequences.app",
      "sequences.app/public.s1",
      "sequences.posemo",
    ]);
    expect(result.message).toEndWith("(worst of 3 rows in 2 databases)");
  });

  test("a value in any database drives the status", () => {
    const result = mergeAnswers(check(), [
      { database: "app", rows: [{ sequence: "!MAX", used_percent: 97 }, { sequence: "public.s1", used_percent: 97 }] },
      { database: "posemo", rows: [{ sequence: "!MAX", used_percent: 1 }] },
    ], thresholds);
    expect(result.status).toBe("critical");
    expect(result.message).toContain("app/public.s1");
  });

  test("a database that could not answer makes an OK check UNKNOWN and is named", () => {
    const result = mergeAnswers(check(), [
      { database: "app", rows: [{ sequence: "!MAX", used_percent: 5 }] },
      { database: "new_db", problem: 'not installed in database "new_db": run posemo install' },
    ], thresholds);
    expect(result.status).toBe("unknown");
    expect(result.error).toBe('database "new_db": not installed in database "new_db": run posemo install');
    expect(result.measurements).toHaveLength(1);
  });

  test("a CRITICAL elsewhere stays CRITICAL even when a database could not answer", () => {
    const result = mergeAnswers(check(), [
      { database: "app", rows: [{ sequence: "!MAX", used_percent: 99 }] },
      { database: "broken", problem: "permission denied for database broken" },
    ], thresholds);
    expect(result.status).toBe("critical");
  });

  test("a check without a title column gets one row per database", () => {
    const plain = check({
      titleColumn: undefined,
      columns: [{ name: "invalid", type: "integer" }],
      thresholds: { columns: ["invalid"], critical: "0" },
    });
    const result = mergeAnswers(plain, [
      { database: "a", rows: [{ invalid: 0 }] },
      { database: "b", rows: [{ invalid: 2 }] },
    ], { critical: parseRange("0") as Range });
    expect(result.measurements.map((m) => [m.title, m.value, m.status])).toEqual([["a", 0, "ok"], [
      "b",
      2,
      "critical",
    ]]);
    expect(result.status).toBe("critical");
  });

  test("a database without posemo's functions is not UNKNOWN: the message names it and the install command", () => {
    const result = mergeAnswers(check(), [
      { database: "app", rows: [{ sequence: "!MAX", used_percent: 5 }] },
      { database: "bare", missing: "posemo install -H /run/pg -p 5432 -U <superuser> --database posemo" },
    ], thresholds);
    expect(result.status).toBe("ok");
    expect(result.error).toBeUndefined();
    expect(result.message).toContain(
      'not judged: database "bare" without posemo\'s functions (created from template0?): run posemo install -H /run/pg -p 5432 -U <superuser> --database posemo',
    );
  });
});
