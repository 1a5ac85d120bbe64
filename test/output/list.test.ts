/** `check --list`: one line per check with versions, scope, default thresholds, summary and needs. */
import { describe, expect, test } from "bun:test";
import type { CheckDefinition } from "../../src/catalogue/definition.ts";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { formatList, summary, thresholdText, versionRange } from "../../src/output/list.ts";

const base: CheckDefinition = {
  name: "slot_lag",
  description: "Retained WAL per slot, in bytes. More text.",
  unit: "B",
  arguments: [],
  counter: false,
  writes: false,
  role: "any",
  scope: "cluster",
  language: "sql",
  columns: [{ name: "slot", type: "text" }, { name: "retained", type: "numeric" }, {
    name: "age",
    type: "double precision",
    unit: "s",
  }],
  titleColumn: "slot",
  variants: [{ minMajor: 13, body: "SELECT 1", hash: "a" }],
};

describe("formatList()", () => {
  test("prints a header and exactly one line per check of the catalogue", () => {
    const lines = formatList(catalogue).trimEnd().split("\n");
    expect(lines.length).toBe(catalogue.length + 1);
    expect(lines[0]).toMatch(/^NAME +VERSIONS +SCOPE +DEFAULT THRESHOLDS +SUMMARY/);
    catalogue.forEach((c, i) => expect(lines[i + 1]).toStartWith(`${c.name} `));
  });

  test("shows versions, scope, thresholds with the judged column's unit, the first sentence and needs", () => {
    const check: CheckDefinition = {
      ...base,
      scope: "database",
      needs: "a physical\n slot",
      thresholds: { columns: ["age"], warning: "60", critical: "~:300" },
    };
    const [, line] = formatList([check]).split("\n");
    expect(line).toMatch(
      /^slot_lag +PG 13-18 +database +w=60 c=~:300 s +Retained WAL per slot, in bytes\. \[needs: a physical slot\]$/,
    );
  });

  test("e.g. and i.e. do not end the summary sentence; a long threshold widens its column for every line", () => {
    expect(summary({ ...base, description: "Lag in bytes, e.g. 1024, i.e. one KiB. Second." })).toBe(
      "Lag in bytes, e.g. 1024, i.e. one KiB.",
    );
    const wide: CheckDefinition = {
      ...base,
      name: "wide",
      thresholds: { columns: ["retained"], warning: "1073741824", critical: "5368709120" },
    };
    const [, first, second] = formatList([wide, base]).split("\n");
    expect(first!.indexOf("Retained")).toBe(second!.indexOf("Retained"));
    expect(first).toContain("w=1073741824 c=5368709120 B Retained");
  });

  test("a check without thresholds shows -, and a long first sentence is cut at a word", () => {
    expect(thresholdText(base)).toBe("-");
    expect(versionRange(base)).toBe("13-18");
    const long = summary({ ...base, description: `${"word ".repeat(40)}end.` });
    expect(long.length).toBeLessThanOrEqual(104);
    expect(long).toEndWith("word ...");
  });
});
