import { expect, test } from "bun:test";
import { MAX_COUNTED_GAP, SeqTracker } from "../../../src/logs/listen/seq-tracker.ts";

test("SeqTracker.observe() returns the records missing between two SeqNums of a session", () => {
  const tracker = new SeqTracker();
  expect([1, 2, 5, 6, 10].map((seq) => tracker.observe("s", seq))).toEqual([0, 0, 2, 0, 3]);
});

test("SeqTracker.observe() takes the first record of a session as its baseline", () => {
  const tracker = new SeqTracker();
  expect(tracker.observe("checkpointer", 5000)).toBe(0);
  expect(tracker.observe("checkpointer", 5001)).toBe(0);
});

test("SeqTracker.observe() counts nothing for a repeated or lower SeqNum", () => {
  const tracker = new SeqTracker();
  tracker.observe("s", 7);
  expect(tracker.observe("s", 7)).toBe(0);
  expect(tracker.observe("s", 3)).toBe(0);
  expect(tracker.observe("s", 9)).toBe(1);
});

test("SeqTracker forgets the least recently seen session past its bound", () => {
  const tracker = new SeqTracker(2);
  tracker.observe("old", 1);
  tracker.observe("busy", 1);
  tracker.observe("old", 2); // old is now the most recent
  tracker.observe("new", 1); // evicts busy
  expect(tracker.size).toBe(2);
  expect(tracker.observe("old", 4)).toBe(1);
  expect(tracker.observe("busy", 9)).toBe(0); // forgotten: a new baseline
});

test("SeqTracker.observe() counts no forged SeqNum: not a positive whole number, or a jump past MAX_COUNTED_GAP", () => {
  const tracker = new SeqTracker();
  tracker.observe("s", 1);
  expect(tracker.observe("s", 2 ** 53)).toBe(0); // not a safe integer
  expect(tracker.observe("s", MAX_COUNTED_GAP + 2)).toBe(MAX_COUNTED_GAP);
  expect(tracker.observe("s", 2 * MAX_COUNTED_GAP + 4)).toBe(0); // one more than counted: a new baseline
  expect(tracker.observe("s", 2 * MAX_COUNTED_GAP + 6)).toBe(1);
  expect([-5, 0, 1.5, Number.NaN].map((seq) => tracker.observe("t", seq))).toEqual([0, 0, 0, 0]);
  expect(tracker.size).toBe(1);
});
