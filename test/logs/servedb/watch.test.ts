import { afterEach, beforeEach, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServeDbWatcher, watchServeDb } from "../../../src/logs/servedb/watch.ts";
import type { PollOutcome } from "../../../src/logs/servedb/store.ts";

const HOUR = 3_600_000;
const valid = (identity: string) =>
  JSON.stringify({ serves: [{ i: identity, p: `/tmp/${identity}.sock`, url: "https://token:t.x@h/logs" }] });
let dir: string;
let watcher: ServeDbWatcher | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "servedb-watch-"));
});
afterEach(() => {
  watcher?.close();
  rmSync(dir, { recursive: true, force: true });
});

function collect(intervalMs: number) {
  const outcomes: PollOutcome[] = [];
  const failures: Error[] = [];
  let notify = () => {};
  const next = () => new Promise<void>((resolve) => (notify = resolve));
  watcher = watchServeDb({
    dir,
    context: {},
    intervalMs,
    settleMs: 10,
    onOutcome: (outcome) => {
      outcomes.push(outcome);
      notify();
    },
    onFailure: (error) => failures.push(error),
  });
  return { outcomes, failures, next };
}

test("watchServeDb() poll() accepts serves.new at once", async () => {
  const { outcomes } = collect(HOUR);
  writeFileSync(join(dir, "serves.new"), valid("a"));
  await watcher!.poll();
  expect(outcomes.map((o) => o.kind)).toEqual(["accepted"]);
  expect(readFileSync(join(dir, "serves.loaded"), "utf8")).toBe(valid("a"));
});

test("watchServeDb() collapses polls requested during a poll into one", async () => {
  const { outcomes } = collect(HOUR);
  writeFileSync(join(dir, "serves.new"), valid("a"));
  await Promise.all([watcher!.poll(), watcher!.poll(), watcher!.poll()]);
  expect(outcomes).toHaveLength(1);
});

test("watchServeDb() polls on its interval", async () => {
  const { outcomes, next } = collect(20);
  const seen = next();
  writeFileSync(join(dir, "serves.new"), "{");
  await seen;
  expect(outcomes[0]?.kind).toBe("rejected");
});

test("watchServeDb() reacts to a file-system event without waiting for the interval", async () => {
  const { outcomes, next } = collect(HOUR);
  const seen = next();
  writeFileSync(join(dir, "serves.new"), valid("b"));
  await seen;
  expect(outcomes[0]?.kind).toBe("accepted");
});

test("watchServeDb() reports an I/O failure and leaves serves.new for the next poll", async () => {
  const { failures, outcomes } = collect(HOUR);
  mkdirSync(join(dir, "serves.new")); // reading it fails with EISDIR
  await watcher!.poll();
  expect(failures.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(["EISDIR"]);
  expect(outcomes).toHaveLength(0);
  expect(existsSync(join(dir, "serves.new"))).toBe(true);
});
