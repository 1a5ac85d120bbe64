/**
 * The spool's counters under drop-oldest racing the reader: every record appended is, in the end,
 * either handed out in exactly one batch or counted dropped exactly once, never both.
 */
import { afterEach, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { appendRecords, drain, range, recordNumbers, spoolOn, tempDir } from "./spool-helpers.ts";

const dirs: Array<ReturnType<typeof tempDir>> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
function dir(): string {
  const d = tempDir();
  dirs.push(d);
  return join(d.root, "serve");
}

const segments = (path: string) => readdirSync(path).filter((n) => n.endsWith(".seg")).sort();

/**
 * Lets `turns` rounds of promise callbacks run and no more: a read of the spool started before gets
 * as far as waiting for the disk (file work finishes in a later turn of the event loop, never among
 * promise callbacks), so what the test does next happens while that read is in progress.
 */
async function whileTheDiskWorks(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}

test("drop-oldest giving up the segment a read is in progress in: the batch being read is not handed out, its records are dropped once", async () => {
  const path = dir();
  const { spool, counters } = spoolOn(path, { maxBytes: 128 * 20, segmentBytes: 128 * 10 });
  appendRecords(spool, 0, 20); // segment 1: records 0-9, segment 2: records 10-19
  await spool.commitNow();
  const reading = spool.readBatch(100 * 4); // starts reading records 0-3 from segment 1
  await whileTheDiskWorks();
  appendRecords(spool, 20, 25); // segment 1 is given up meanwhile: its 10 unread records are dropped
  expect(counters).toMatchObject({ dropped: 10, spoolDropped: 10, spooled: 15 });
  const raced = await reading;
  const handedOut = raced ? recordNumbers(raced) : [];
  if (raced) spool.settle(raced);
  await spool.commitNow();
  const rest = await drain(spool);
  expect(handedOut.filter((i) => i < 10)).toEqual([]); // counted dropped: not sent as well
  expect([...handedOut, ...rest]).toEqual(range(10, 25));
  expect(counters).toMatchObject({ dropped: 10, spoolDropped: 10, spooled: 0 });
  expect(spool.isEmpty()).toBe(true);
  expect(spool.stats().damage).toBeUndefined(); // a segment given up is no damage, even if its file went first
  await spool.close();
});

test("drop-oldest giving up a segment a running commit has yet to write: nothing is written for it, no file is left", async () => {
  const path = dir();
  const { spool, counters } = spoolOn(path, { maxBytes: 128 * 30, segmentBytes: 128 * 10 });
  appendRecords(spool, 0, 25); // segments 1 and 2 full, 3 active: all waiting for the disk
  const committing = spool.commitNow(); // writes segment 1 first
  await whileTheDiskWorks();
  appendRecords(spool, 25, 35); // segment 2 is given up meanwhile (segment 1 is being written)
  await committing;
  await spool.commitNow();
  expect(counters).toMatchObject({ dropped: 10, spoolDropped: 10, spooled: 25 });
  await Bun.sleep(10); // removal is asynchronous
  expect(segments(path)).not.toContain("000000000002.seg");
  expect(spool.stats().problem).toBeUndefined();
  expect(await drain(spool)).toEqual([...range(0, 10), ...range(20, 35)]);
  expect(counters).toMatchObject({ dropped: 10, spooled: 0 });
  await spool.close();
});

for (const fault of ["drop-oldest", "--spool-max-age"] as const) {
  test(`${fault} giving up a segment with batches in flight: one that then fails is dropped once, one that then succeeds is not dropped`, async () => {
    const path = dir();
    let now = 1_000;
    const maxAgeMs = fault === "drop-oldest" ? 0 : 15;
    const { spool, counters } = spoolOn(path, { maxBytes: 128 * 20, segmentBytes: 128 * 10, maxAgeMs, now: () => now });
    const appended = fault === "drop-oldest" ? 25 : 20;
    appendRecords(spool, 0, 20); // times 1000-1019
    await spool.commitNow();
    const failing = (await spool.readBatch(100 * 4))!; // records 0-3
    const succeeding = (await spool.readBatch(100 * 4))!; // records 4-7
    if (fault === "drop-oldest") appendRecords(spool, 20, 25); // segment 1 is given up: records 8 and 9 dropped
    else {
      now = 1_025; // segment 1 (newest 1009) is too old, segment 2 (newest 1019) is not
      spool.enforceMaxAge();
    }
    expect(counters).toMatchObject({ dropped: 2, spooled: appended - 2 });
    expect(spool.givenUp(failing) && spool.givenUp(succeeding)).toBe(true);
    spool.abandon(failing); // its delivery failed: not worth another try
    spool.settle(succeeding);
    await spool.commitNow();
    const delivered = [...recordNumbers(succeeding), ...await drain(spool)];
    expect(counters).toMatchObject({ dropped: 6, spoolDropped: 6, spooled: 0 });
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(delivered.length + counters.dropped).toBe(appended);
    expect(delivered).toEqual([4, 5, 6, 7, ...range(10, appended)]);
    await spool.close();
  });
}

test("a segment given up with a batch in flight stays given up after a crash: only that batch is sent again", async () => {
  const path = dir();
  const first = spoolOn(path, { maxBytes: 128 * 20, segmentBytes: 128 * 10 });
  appendRecords(first.spool, 0, 20);
  await first.spool.commitNow();
  const inFlight = (await first.spool.readBatch(100 * 4))!; // records 0-3, in flight at the crash
  appendRecords(first.spool, 20, 25); // segment 1 is given up: records 4-9 dropped
  await first.spool.commitNow();
  expect(inFlight.records).toBe(4);
  expect(first.counters).toMatchObject({ dropped: 6, spooled: 19 });

  const second = spoolOn(path); // the first was never closed: a crash
  await second.spool.resumed;
  expect(second.counters).toMatchObject({ received: 19, spooled: 19 });
  expect(await drain(second.spool)).toEqual([...range(0, 4), ...range(10, 25)]);
  await second.spool.close();
});
