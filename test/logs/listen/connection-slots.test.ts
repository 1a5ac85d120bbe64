import { expect, test } from "bun:test";
import { createConnectionSlots, parseOpenFileLimit } from "../../../src/logs/listen/connection-slots.ts";

test("parseOpenFileLimit() reads the soft limit from /proc/self/limits text", () => {
  const limits = "Limit                     Soft Limit           Hard Limit           Units     \n" +
    "Max open files            1024                 524288               files     \n";
  expect(parseOpenFileLimit(limits)).toBe(1024);
  expect(parseOpenFileLimit("Max open files            unlimited            unlimited            files\n"))
    .toBeUndefined();
});

test("createConnectionSlots() keeps a reserve below the open-file limit and gives slots back", () => {
  const slots = createConnectionSlots(300);
  expect(slots.limit).toBe(44); // 300 less the 256 kept for logplex, spool and stats
  for (let i = 0; i < 44; i++) expect(slots.tryTake()).toBe(true);
  expect(slots.tryTake()).toBe(false);
  slots.give();
  expect(slots.tryTake()).toBe(true);
  expect(createConnectionSlots(524_288).limit).toBe(458_752); // an eighth kept
  expect(createConnectionSlots(100).limit).toBe(16);
  expect(createConnectionSlots(undefined).tryTake()).toBe(true);
});
