import { describe, expect, test } from "bun:test";
import type { CheckDefinition } from "../../src/catalogue/definition.ts";
import { aimedColumns, selectChecks, thresholdsFor, withAimedColumn } from "../../src/check/select.ts";
import { sampleCheck } from "../harness/check-definition.ts";

function check(name: string, overrides: Partial<CheckDefinition> = {}): CheckDefinition {
  return sampleCheck(name, {
    description: name,
    columns: [{ name: "value", type: "integer" }, { name: "note", type: "text" }],
    ...overrides,
  });
}

const catalogue = [
  check("alive"),
  check("primary", { thresholds: { columns: ["value"], warning: "5", critical: "10" } }),
];

describe("selectChecks()", () => {
  test("`all` selects the whole catalogue and says so", () => {
    expect(selectChecks(catalogue, ["all"])).toEqual({ checks: catalogue, all: true });
  });

  test("names select those checks in catalogue order", () => {
    const selected = selectChecks(catalogue, ["primary", "alive"]);
    expect(typeof selected !== "string" && selected.checks.map((c) => c.name)).toEqual(["alive", "primary"]);
  });

  test("an unknown name is refused with a message naming it", () => {
    expect(selectChecks(catalogue, ["alive", "nope"])).toBe(
      'Cannot run unknown check "nope": see posemo check --list (or use --check all)',
    );
  });
});

describe("thresholdsFor()", () => {
  test("without -w/-c every check keeps its catalogue defaults", () => {
    const lookup = thresholdsFor(catalogue);
    expect(lookup(catalogue[1]!)).toMatchObject({ warning: { text: "5" }, critical: { text: "10" } });
    expect(lookup(catalogue[0]!)).toEqual({});
  });

  test("-w/-c replace the defaults for one check; an absent one keeps the default", () => {
    const lookup = thresholdsFor([catalogue[1]!], "1:");
    expect(lookup(catalogue[1]!)).toMatchObject({ warning: { text: "1:", start: 1 }, critical: { text: "10" } });
  });

  test("-w/-c with several checks throws a RangeError telling to pick one", () => {
    expect(() => thresholdsFor(catalogue, "5")).toThrow(
      new RangeError("Cannot apply -w/-c to several checks: select one with --check NAME"),
    );
  });

  test("a bad range throws a SyntaxError naming the flag and the value", () => {
    expect(() => thresholdsFor([catalogue[0]!], undefined, "x")).toThrow('-c: Cannot use "x" as a range');
  });
});

describe("aimedColumns(): -w/-c judge one column, never one of another unit", () => {
  const walFiles = check("wal_files", {
    unit: "B",
    columns: [{ name: "wal_files", type: "integer", unit: "" }, { name: "wal_size", type: "bigint" }],
  });
  const locks = check("locks", {
    columns: [{ name: "access_share", type: "integer" }, { name: "waiting", type: "integer" }],
  });
  const vacuum = check("vacuum_age", {
    unit: "s",
    columns: [{ name: "vacuum_age", type: "double precision" }, { name: "analyze_age", type: "double precision" }, {
      name: "dead",
      type: "integer",
      unit: "",
    }],
    thresholds: { columns: ["vacuum_age", "analyze_age"] },
  });

  test("the check's judged columns; else the column named like the check; else the only numeric one", () => {
    expect(aimedColumns(catalogue[1]!)).toEqual(["value"]);
    expect(aimedColumns(walFiles)).toEqual(["wal_files"]);
    expect(aimedColumns(catalogue[0]!)).toEqual(["value"]);
    expect(aimedColumns(vacuum)).toEqual(["vacuum_age", "analyze_age"]);
  });

  test("--column names another; a column that is not there, or no way to choose, is refused in one line", () => {
    expect(aimedColumns(walFiles, "wal_size")).toEqual(["wal_size"]);
    expect(aimedColumns(walFiles, "nope")).toBe(
      'Cannot aim -w/-c at column "nope": check "wal_files" has the numeric columns wal_files, wal_size',
    );
    expect(aimedColumns(locks)).toBe(
      'Cannot apply -w/-c to check "locks": it has several columns (access_share, waiting); name one with --column NAME',
    );
    expect(() => withAimedColumn(locks)).toThrow(RangeError);
    expect(withAimedColumn(locks, "waiting").thresholds?.columns).toEqual(["waiting"]);
  });
});
