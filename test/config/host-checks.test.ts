import { describe, expect, test } from "bun:test";
import { parseRange, type Range } from "../../src/catalogue/range.ts";
import { type CommandLineChecks, hostCheckPlan } from "../../src/config/host-checks.ts";
import { fixtureCatalogue } from "./catalogue-fixture.ts";

const r = (text: string) => parseRange(text) as Range;
const cache = fixtureCatalogue.find((c) => c.name === "cache_hit_ratio")!;

function line(overrides: Partial<CommandLineChecks> = {}): CommandLineChecks {
  return {
    checks: fixtureCatalogue,
    all: true,
    defaults: () => ({ warning: r("80:"), critical: r("60:") }),
    flags: {},
    ...overrides,
  };
}

describe("hostCheckPlan()", () => {
  test("--check all runs every check the host's settings leave enabled", () => {
    const plan = hostCheckPlan(line(), { backup_age: { enabled: false }, alive: { enabled: true } });
    expect(plan.checks.map((c) => c.name)).toEqual(
      fixtureCatalogue.map((c) => c.name).filter((n) => n !== "backup_age"),
    );
    expect(plan.all).toBe(true);
  });

  test("checks named on the command line run even where the file disables them", () => {
    const backup = fixtureCatalogue.filter((c) => c.name === "backup_age");
    const plan = hostCheckPlan(line({ checks: backup, all: false }), { backup_age: { enabled: false } });
    expect(plan.checks.map((c) => c.name)).toEqual(["backup_age"]);
  });

  test("ranges: -w/-c over the file over the catalogue, per level; cells come from the file", () => {
    const settings = { cache_hit_ratio: { warning: r("90:"), rows: { reporting: { warning: r("50:") } } } };
    const fromFile = hostCheckPlan(line(), settings).thresholds(cache);
    expect([fromFile.warning?.text, fromFile.critical?.text]).toEqual(["90:", "60:"]);
    expect(fromFile.cells?.rows?.reporting?.warning?.text).toBe("50:");
    const fromFlags = hostCheckPlan(line({ flags: { critical: r("99:") } }), settings).thresholds(cache);
    expect([fromFlags.warning?.text, fromFlags.critical?.text]).toEqual(["90:", "99:"]);
  });
});
