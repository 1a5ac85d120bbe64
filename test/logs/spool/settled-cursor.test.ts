import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_SETTLED_RANGES, readCursor } from "../../../src/logs/spool/cursor.ts";
import { joinTouching, SettledCursor } from "../../../src/logs/spool/settled-cursor.ts";

const dir = mkdtempSync(join(tmpdir(), "posemo-settled-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("joinTouching()", () => {
  test("joins back-to-back and overlapping ranges of one segment, keeps gaps and other segments apart", () => {
    expect(joinTouching([
      { seq: 1, start: 0, end: 10 },
      { seq: 1, start: 10, end: 20 },
      { seq: 1, start: 15, end: 18 },
      { seq: 1, start: 30, end: 40 },
      { seq: 2, start: 40, end: 50 },
    ])).toEqual([
      { seq: 1, start: 0, end: 20 },
      { seq: 1, start: 30, end: 40 },
      { seq: 2, start: 40, end: 50 },
    ]);
  });
});

describe("SettledCursor", () => {
  test("a hung batch with more than the file's range limit settled behind it: every one of them is kept", async () => {
    const reports: string[] = [];
    const cursor = new SettledCursor(dir, (_kind, line) => reports.push(line));
    const batches = MAX_SETTLED_RANGES * 4;
    // The batch at 0..100 hangs; the next ones, read back to back, all settle before it.
    for (let i = 1; i <= batches; i++) cursor.settled({ seq: 7, start: i * 100, end: (i + 1) * 100 });
    cursor.save({ seq: 7, offset: 0 });
    await cursor.close();
    expect(await readCursor(join(dir, "cursor"))).toEqual({
      seq: 7,
      offset: 0,
      settled: [{ seq: 7, start: 100, end: (batches + 1) * 100 }],
    });
    expect(reports).toEqual([]);
  });

  test("a batch that extends an earlier range (count and last end unchanged) is written to the file", async () => {
    const sub = mkdtempSync(join(dir, "grow-"));
    const cursor = new SettledCursor(sub, () => {});
    cursor.settled({ seq: 1, start: 100, end: 200 });
    cursor.settled({ seq: 1, start: 300, end: 400 });
    cursor.save({ seq: 1, offset: 0 });
    cursor.settled({ seq: 1, start: 200, end: 250 });
    cursor.save({ seq: 1, offset: 0 });
    await cursor.close();
    expect((await readCursor(join(sub, "cursor")) as { settled: unknown }).settled).toEqual([
      { seq: 1, start: 100, end: 250 },
      { seq: 1, start: 300, end: 400 },
    ]);
  });
});
