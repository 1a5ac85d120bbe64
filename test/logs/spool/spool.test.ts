import { afterEach, expect, test } from "bun:test";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { appendRecords, balanced, drain, range, recordNumbers, spoolOn, tempDir } from "./spool-helpers.ts";

const dirs: Array<ReturnType<typeof tempDir>> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return join(d.root, "serve");
}
const segments = (path: string) => readdirSync(path).filter((n) => n.endsWith(".seg")).sort();

test("a spool gives back its records in order, in batches of about the size asked, and empties", async () => {
  const path = dir();
  const { spool, counters } = spoolOn(path);
  appendRecords(spool, 0, 100);
  expect(counters.spooled).toBe(100);
  await spool.commitNow();
  const sizes: number[] = [];
  const seen: number[] = [];
  for (let batch = await spool.readBatch(1000); batch; batch = await spool.readBatch(1000)) {
    sizes.push(batch.body.length);
    seen.push(...recordNumbers(batch));
    spool.settle(batch);
  }
  expect(seen).toEqual(range(0, 100));
  expect(Math.max(...sizes)).toBeLessThanOrEqual(1000);
  expect(counters).toMatchObject({ spooled: 0, dropped: 0 });
  expect(spool.isEmpty()).toBe(true);
  await spool.close();
});

test("group commit: appended entries reach the segment file only when a commit runs, all at once", async () => {
  const path = dir();
  const { spool } = spoolOn(path, { commitIntervalMs: 60_000 });
  appendRecords(spool, 0, 50);
  expect(segments(path)).toEqual([]);
  expect(await spool.readBatch(4096)).toBeUndefined(); // nothing written, nothing readable
  await spool.commitNow();
  expect(segments(path)).toEqual(["000000000001.seg"]);
  expect(statSync(join(path, "000000000001.seg")).size).toBe(50 * (28 + 100));
  await spool.close();
});

test("group commit: the interval timer writes without being asked", async () => {
  const path = dir();
  const { spool } = spoolOn(path, { commitIntervalMs: 5 });
  appendRecords(spool, 0, 3);
  for (let i = 0; i < 500 && segments(path).length === 0; i++) await Bun.sleep(5);
  expect(segments(path)).toEqual(["000000000001.seg"]);
  await spool.close();
});

test("segments rotate at their size and are removed once everything in them is settled", async () => {
  const path = dir();
  const { spool, counters } = spoolOn(path, { segmentBytes: 1280 }); // 10 entries of 128 bytes
  appendRecords(spool, 0, 35);
  await spool.commitNow();
  expect(segments(path)).toHaveLength(4);
  expect(spool.stats()).toMatchObject({ segments: 4, bytes: 35 * 128, oldestTimeMs: 1000 });
  expect(await drain(spool, { maxBytes: 500 })).toEqual(range(0, 35));
  await Bun.sleep(10); // removal is asynchronous
  expect(segments(path)).toEqual(["000000000004.seg"]); // the active one stays
  expect(counters.spooled).toBe(0);
  await spool.close();
});

test("a restarted spool resumes what was not settled, counts it as received, and re-sends only what was in flight", async () => {
  const path = dir();
  const first = spoolOn(path);
  appendRecords(first.spool, 0, 60);
  await first.spool.commitNow();
  const sent = await first.spool.readBatch(20 * 100); // records 0-19: settled
  first.spool.settle(sent!);
  const inFlight = await first.spool.readBatch(20 * 100); // records 20-39: in flight at the "crash"
  expect(inFlight!.records).toBe(20);
  await first.spool.close(); // flushes the cursor; the batch in flight is not settled

  const second = spoolOn(path);
  await second.spool.resumed;
  expect(second.counters).toMatchObject({ received: 40, spooled: 40 });
  expect(await drain(second.spool)).toEqual(range(20, 60));
  expect(balanced(second.counters, 0, 40)).toBe(true);
  await second.spool.close();
});

test("batches settled while an older one was still in flight are not sent again after a restart", async () => {
  const path = dir();
  const first = spoolOn(path);
  appendRecords(first.spool, 0, 40);
  await first.spool.commitNow();
  const slow = (await first.spool.readBatch(1000))!; // records 0-9, in flight at the "crash"
  const fast = (await first.spool.readBatch(1000))!; // records 10-19, settled before it
  const faster = (await first.spool.readBatch(1000))!; // records 20-29, settled before it
  first.spool.settle(fast);
  first.spool.settle(faster);
  expect(slow.records).toBe(10);

  const second = spoolOn(path); // never closed: a crash
  await second.spool.resumed;
  expect(second.counters).toMatchObject({ received: 20, spooled: 20 });
  expect(await drain(second.spool, { maxBytes: 250 })).toEqual([...range(0, 10), ...range(30, 40)]);
  await second.spool.close();
});

test("a killed spool (never closed) resumes from its last cursor write and what was committed", async () => {
  const path = dir();
  const first = spoolOn(path);
  appendRecords(first.spool, 0, 30);
  await first.spool.commitNow();
  first.spool.settle((await first.spool.readBatch(10 * 100))!);
  appendRecords(first.spool, 30, 40); // appended, never committed: lost with the process

  const second = spoolOn(path);
  await second.spool.resumed;
  expect(await drain(second.spool)).toEqual(range(10, 30));
  await second.spool.close();
});

test("a damaged entry in a resumed segment is skipped and reported; the others are delivered", async () => {
  const path = dir();
  const first = spoolOn(path);
  appendRecords(first.spool, 0, 20);
  await first.spool.close();
  const file = join(path, "000000000001.seg");
  const bytes = await Bun.file(file).bytes();
  bytes[128 * 7 + 40]! ^= 0xff; // inside record 7's payload
  await Bun.write(file, bytes);

  const second = spoolOn(path);
  await second.spool.resumed;
  expect(second.counters).toMatchObject({ received: 19, spooled: 19 });
  expect(second.spool.stats()).toMatchObject({ damagedBytes: 128 });
  expect(second.logs.join("\n")).toContain("128 bytes of damaged entries skipped");
  expect(await drain(second.spool)).toEqual(range(0, 20).filter((i) => i !== 7));
  await second.spool.close();
});

test("a torn last entry (a write cut short) is skipped; the entries before it resume", async () => {
  const path = dir();
  const first = spoolOn(path);
  appendRecords(first.spool, 0, 10);
  await first.spool.close();
  const file = join(path, "000000000001.seg");
  await Bun.write(file, (await Bun.file(file).bytes()).subarray(0, 128 * 10 - 50));

  const second = spoolOn(path);
  await second.spool.resumed;
  expect(await drain(second.spool)).toEqual(range(0, 9));
  expect(second.spool.stats().damagedBytes).toBe(78);
  await second.spool.close();
});

test("a damaged cursor is ignored: the spool starts again from its oldest segment (duplicates, no loss)", async () => {
  const path = dir();
  const first = spoolOn(path);
  appendRecords(first.spool, 0, 10);
  await first.spool.commitNow();
  first.spool.settle((await first.spool.readBatch(500))!);
  await first.spool.close();
  await Bun.write(join(path, "cursor"), "garbage");
  const second = spoolOn(path);
  expect(await drain(second.spool)).toEqual(range(0, 10));
  expect(second.logs.join("\n")).toContain("the cursor is damaged");
  await second.spool.close();
});

test("drop-newest: past --spool-max new records are dropped and counted exactly", async () => {
  const path = dir();
  const { spool, counters } = spoolOn(path, { maxBytes: 128 * 25, overflow: "drop-newest" });
  const results = appendRecords(spool, 0, 40);
  expect(results.filter((r) => !r)).toHaveLength(15);
  expect(counters).toMatchObject({ spooled: 25, dropped: 15, spoolDropped: 15 });
  await spool.commitNow();
  expect(await drain(spool)).toEqual(range(0, 25));
  await spool.close();
});

test("drop-oldest: past --spool-max the oldest whole segments go, counted exactly, and the newest records stay", async () => {
  const path = dir();
  const { spool, counters } = spoolOn(path, { maxBytes: 128 * 30, segmentBytes: 128 * 10, overflow: "drop-oldest" });
  appendRecords(spool, 0, 25);
  await spool.commitNow();
  const results = appendRecords(spool, 25, 45);
  await spool.commitNow();
  expect(results.every(Boolean)).toBe(true);
  expect(counters).toMatchObject({ spooled: 25, dropped: 20, spoolDropped: 20 });
  expect(await drain(spool)).toEqual(range(20, 45));
  expect(balanced(counters, 45, 25)).toBe(true);
  await spool.close();
});

test("drop-oldest gives up segments still waiting for the disk too (they are never written)", async () => {
  const path = dir();
  const { spool, counters } = spoolOn(path, { maxBytes: 128 * 30, segmentBytes: 128 * 10, overflow: "drop-oldest" });
  expect(appendRecords(spool, 0, 45).every(Boolean)).toBe(true); // nothing committed yet
  expect(counters).toMatchObject({ spooled: 25, dropped: 20, spoolDropped: 20 });
  await spool.commitNow();
  expect(segments(path)).toEqual(["000000000003.seg", "000000000004.seg", "000000000005.seg"]);
  expect(await drain(spool)).toEqual(range(20, 45));
  await spool.close();
});

test("drop-oldest keeps the records of a batch already in flight: they still settle", async () => {
  const path = dir();
  const { spool, counters } = spoolOn(path, { maxBytes: 128 * 20, segmentBytes: 128 * 10 });
  appendRecords(spool, 0, 20);
  await spool.commitNow();
  const inFlight = (await spool.readBatch(100 * 4))!; // records 0-3 of segment 1
  appendRecords(spool, 20, 25); // segment 1 is given up: its 6 unread records are dropped
  expect(counters).toMatchObject({ dropped: 6, spooled: 19 });
  spool.settle(inFlight);
  expect(counters.spooled).toBe(15);
  await spool.commitNow();
  expect(await drain(spool)).toEqual(range(10, 25));
  await spool.close();
});

test("the total budget is shared: a serve over it gives up its own oldest segments", async () => {
  const { createDiskBudget } = await import("../../../src/logs/spool/disk-budget.ts");
  const budget = createDiskBudget(128 * 30);
  const a = spoolOn(dir(), { budget, segmentBytes: 128 * 10 });
  const b = spoolOn(dir(), { budget, segmentBytes: 128 * 10, overflow: "drop-newest" });
  appendRecords(a.spool, 0, 20);
  await a.spool.commitNow();
  expect(appendRecords(b.spool, 0, 15).filter((r) => !r)).toHaveLength(5);
  expect(b.counters.dropped).toBe(5);
  expect(budget.used).toBe(128 * 30);
  await Promise.all([a.spool.close(), b.spool.close()]);
});

test("a directory that cannot be created: records are dropped and counted, the problem is reported, nothing throws", async () => {
  const root = tempDir();
  dirs.push(root);
  await Bun.write(join(root.root, "file"), "not a directory");
  const { spool, counters, logs } = spoolOn(join(root.root, "file", "serve"));
  appendRecords(spool, 0, 5);
  await spool.commitNow();
  expect(counters).toMatchObject({ spooled: 0, dropped: 5, spoolDropped: 5 });
  expect(spool.stats().problem).toContain("ENOTDIR");
  expect(logs.join("\n")).toContain("5 records dropped");
  await spool.close();
});

test("takeWaiting() hands back entries not yet written once everything written was read", async () => {
  const path = dir();
  const { spool, counters } = spoolOn(path);
  appendRecords(spool, 0, 5);
  await spool.commitNow();
  appendRecords(spool, 5, 8);
  expect(spool.takeWaiting(1 << 20)).toBeUndefined(); // records 0-4 are unread
  const batch = (await spool.readBatch(1 << 20))!;
  const taken = spool.takeWaiting(1 << 20)!;
  expect(taken.map((e) => e.records)).toEqual([1, 1, 1]);
  expect(counters.spooled).toBe(5);
  spool.settle(batch);
  expect(spool.isEmpty()).toBe(true);
  await spool.commitNow();
  expect(statSync(join(path, "000000000001.seg")).size).toBe(5 * 128);
  await spool.close();
});

test("--spool-max-age gives up whole segments whose newest record is too old", async () => {
  const path = dir();
  let now = 1_000;
  const { spool, counters } = spoolOn(path, { segmentBytes: 128 * 10, maxAgeMs: 100, now: () => now });
  appendRecords(spool, 0, 25); // times 1000..1024
  await spool.commitNow();
  now = 1_120; // segment 1 (newest 1009) and 2 (newest 1019) are too old, segment 3 (newest 1024) is not
  spool.enforceMaxAge();
  expect(counters).toMatchObject({ dropped: 20, spooled: 5 });
  expect(await drain(spool)).toEqual(range(20, 25));
  expect(existsSync(join(path, "000000000001.seg"))).toBe(false);
  await spool.close();
});
