import { expect, test } from "bun:test";
import { createMemoryBudget } from "../../../src/logs/logplex/budget.ts";

test("createMemoryBudget() grants reservations up to the total and refuses past it", () => {
  const budget = createMemoryBudget(100);
  expect(budget.tryReserve(60)).toBe(true);
  expect(budget.tryReserve(41)).toBe(false);
  expect(budget.used).toBe(60);
  expect(budget.tryReserve(40)).toBe(true);
  expect(budget.used).toBe(100);
  expect(budget.tryReserve(1)).toBe(false);
});

test("createMemoryBudget() release() makes room again", () => {
  const budget = createMemoryBudget(100);
  budget.tryReserve(100);
  budget.release(30);
  expect(budget.used).toBe(70);
  expect(budget.tryReserve(30)).toBe(true);
});

test("createMemoryBudget() release() of more than is reserved throws", () => {
  const budget = createMemoryBudget(10);
  budget.tryReserve(4);
  expect(() => budget.release(5)).toThrow("Cannot release 5 bytes: only 4 are reserved");
});

test("createMemoryBudget() rejects a total that is not a positive integer", () => {
  expect(() => createMemoryBudget(0)).toThrow("Cannot use 0 as a memory budget");
  expect(() => createMemoryBudget(1.5)).toThrow(RangeError);
});
