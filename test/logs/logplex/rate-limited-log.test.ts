import { expect, test } from "bun:test";
import { createRateLimitedLog } from "../../../src/logs/logplex/rate-limited-log.ts";

test("createRateLimitedLog() prints a kind once per interval and counts the rest", () => {
  const lines: string[] = [];
  let now = 0;
  const log = createRateLimitedLog((line) => lines.push(line), { intervalMs: 10_000, now: () => now });
  log("retry", "first");
  log("retry", "second");
  log("retry", "third");
  log("failed", "other kind");
  now = 12_000;
  log("retry", "fourth");
  expect(lines).toEqual(["first", "other kind", "fourth (2 more like this in the last 12 s)"]);
});

test("createRateLimitedLog() with interval 0 prints everything", () => {
  const lines: string[] = [];
  const log = createRateLimitedLog((line) => lines.push(line), { intervalMs: 0, now: () => 5 });
  log("k", "a");
  log("k", "b");
  expect(lines).toEqual(["a", "b"]);
});
