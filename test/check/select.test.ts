import { describe, expect, test } from "bun:test";
import type { CheckDefinition } from "../../src/catalogue/definition.ts";
import { selectChecks, thresholdsFor, withJudgedColumns } from "../../src/check/select.ts";
import { sampleCheck } from "../harness/check-definition.ts";

function check(name: string, overrides: Partial<CheckDefinition> = {}): CheckDefinition {
  return sampleCheck(name, { description: name, columns: [{ name: "value", type: "integer" }, { name: "note", type: "text" }], ...overrides });
}

const catalogue = [check("alive"), check("primary", { thresholds: { columns: ["value"], warning: "5", critical: "10" } })];

describe("selectChecks()", () => {
  test("`all` selects the whole catalogue and says so", () => {
    expect(selectChecks(catalogue, ["all"])).toEqual({ checks: catalogue, all: true });
  });

  test("names select those checks in catalogue order", () => {
    const selected = selectChecks(catalogue, ["primary", "alive"]);
    expect(typeof selected !== "string" && selected.checks.map((c) => c.name)).toEqual(["alive", "primary"]);
  });

  test("an unknown name is refused with a message naming it", () => {
    expect(selectChecks(catalogue, ["alive", "nope"])).toBe('Cannot run unknown check "nope": see posemo check --list (or use --check all)');
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
    expect(() => thresholdsFor(catalogue, "5")).toThrow(new RangeError("Cannot apply -w/-c to several checks: select one with --check NAME"));
  });

  test("a bad range throws a SyntaxError naming the flag and the value", () => {
    expect(() => thresholdsFor([catalogue[0]!], undefined, "x")).toThrow('-c: Cannot use "x" as a range');
  });
});

describe("withJudgedColumns()", () => {
  test("a check without threshold columns gets every numeric value column judged", () => {
    expect(withJudgedColumns(catalogue[0]!).thresholds?.columns).toEqual(["value"]);
    expect(withJudgedColumns(catalogue[1]!)).toBe(catalogue[1]!);
  });
});
