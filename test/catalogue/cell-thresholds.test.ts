import { describe, expect, test } from "bun:test";
import { cellRanges } from "../../src/catalogue/cell-thresholds.ts";
import { evaluateCheck } from "../../src/check/evaluate.ts";
import { parseRange, type Range } from "../../src/catalogue/range.ts";
import { fixtureCatalogue } from "../config/catalogue-fixture.ts";

const byName = (name: string) => fixtureCatalogue.find((c) => c.name === name)!;
const r = (text: string) => parseRange(text) as Range;

describe("cellRanges()", () => {
  const cache = byName("cache_hit_ratio");
  const base = { warning: r("80:"), critical: r("60:") };

  test("without overrides every threshold column gets the check's ranges", () => {
    expect(cellRanges(cache, "app", "cache_hit_ratio", base)).toEqual({ judged: true, ...base });
  });

  test("most specific first, per level: row+column, row, column, check", () => {
    const overrides = {
      columns: { cache_hit_ratio: { warning: r("85:") } },
      rows: {
        reporting: { warning: r("50:") },
        "!TOTAL": { warning: r("10:"), columns: { cache_hit_ratio: { critical: r("5:") } } },
      },
    };
    expect(cellRanges(cache, "app", "cache_hit_ratio", base, overrides)).toEqual({
      judged: true,
      warning: r("85:"),
      critical: r("60:"),
    });
    expect(cellRanges(cache, "reporting", "cache_hit_ratio", base, overrides)).toEqual({
      judged: true,
      warning: r("50:"),
      critical: r("60:"),
    });
    expect(cellRanges(cache, "!TOTAL", "cache_hit_ratio", base, overrides)).toEqual({
      judged: true,
      warning: r("10:"),
      critical: r("5:"),
    });
  });

  test("a column without default thresholds is judged only where a range names it", () => {
    const activity = byName("activity");
    const overrides = { columns: { idle_in_transaction: { warning: r("5") } } };
    expect(cellRanges(activity, "app", "idle_in_transaction", {}, overrides)).toEqual({
      judged: true,
      warning: r("5"),
    });
    expect(cellRanges(activity, "app", "idle", {}, overrides)).toEqual({ judged: false });
  });

  test("a row range without columns judges the check's threshold columns only", () => {
    const lag = byName("standby_lag");
    const overrides = { rows: { x: { critical: r("1") } }, columns: {} };
    expect(cellRanges(lag, undefined, "receive_replay_bytes", {}, overrides)).toEqual({ judged: false });
  });
});

describe("evaluateCheck() with per-row and per-column ranges", () => {
  test("one database gets a lower cache-hit limit: its 55% is WARNING instead of CRITICAL, the others unchanged", () => {
    const rows = [
      { database: "!TOTAL", cache_hit_ratio: 90 },
      { database: "app", cache_hit_ratio: 55 },
      { database: "reporting", cache_hit_ratio: 55 },
    ];
    const thresholds = {
      warning: r("80:"),
      critical: r("60:"),
      cells: { rows: { reporting: { warning: r("60:"), critical: r("40:") } } },
    };
    const result = evaluateCheck(byName("cache_hit_ratio"), rows, thresholds);
    expect(result.measurements.map((m) => [m.title, m.status, m.warning, m.critical])).toEqual([
      ["!TOTAL", "ok", "80:", "60:"],
      ["app", "critical", "80:", "60:"],
      ["reporting", "warning", "60:", "40:"],
    ]);
    expect(result.status).toBe("critical");
  });

  test("a range on one column of a multi-column check judges that column alone", () => {
    const rows = [{ database: "!TOTAL", active: 50, idle: 50, idle_in_transaction: 7 }];
    const result = evaluateCheck(byName("activity"), rows, {
      cells: { columns: { idle_in_transaction: { warning: r("5"), critical: r("10") } } },
    });
    expect(result.measurements.map((m) => [m.column, m.status, m.warning ?? null])).toEqual([
      ["active", "ok", null],
      ["idle", "ok", null],
      ["idle_in_transaction", "warning", "5"],
    ]);
    expect(result.message).toBe("!TOTAL idle_in_transaction 7 (warning at > 5; active 50; idle 50)");
  });
});
