import { describe, expect, test } from "bun:test";
import { createSharedRun } from "../../src/metrics/shared-run.ts";

/** A run whose completion the test controls, and a clock it sets. */
function harness(minIntervalMs: number) {
  let clock = 0;
  const pending: ((n: number) => void)[] = [];
  let failNext = false;
  const shared = createSharedRun<number>({
    minIntervalMs,
    now: () => clock,
    run: () => {
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error("database gone"));
      }
      return new Promise<number>((resolve) => pending.push(resolve));
    },
  });
  return {
    shared,
    finish: (n: number) => pending.shift()!(n),
    advance: (ms: number) => void (clock += ms),
    failNextRun: () => void (failNext = true),
  };
}

describe("createSharedRun()", () => {
  test("concurrent callers share one run", async () => {
    const h = harness(10_000);
    const calls = [h.shared.latest(), h.shared.latest(), h.shared.latest()];
    h.finish(1);
    expect((await Promise.all(calls)).map((r) => r.value)).toEqual([1, 1, 1]);
    expect(h.shared.runs).toBe(1);
  });

  test("within the interval after a run, callers get its result without a new run", async () => {
    const h = harness(10_000);
    const first = h.shared.latest();
    h.finish(1);
    expect(await first).toEqual({ value: 1, cached: false });
    h.advance(9_999);
    expect(await h.shared.latest()).toEqual({ value: 1, cached: true });
    expect(h.shared.runs).toBe(1);
  });

  test("the interval counts from the end of the run, so a slow run still leaves a quiet gap", async () => {
    const h = harness(10_000);
    const first = h.shared.latest();
    h.advance(60_000); // the run takes a minute
    h.finish(1);
    await first;
    h.advance(5_000);
    expect((await h.shared.latest()).cached).toBe(true);
    h.advance(5_000);
    const next = h.shared.latest();
    h.finish(2);
    expect(await next).toEqual({ value: 2, cached: false });
    expect(h.shared.runs).toBe(2);
  });

  test("a failed run is not kept: its callers see the error, the next caller runs again", async () => {
    const h = harness(10_000);
    h.failNextRun();
    await expect(h.shared.latest()).rejects.toThrow("database gone");
    const retry = h.shared.latest();
    h.finish(3);
    expect(await retry).toEqual({ value: 3, cached: false });
    expect(h.shared.runs).toBe(2);
  });
});
