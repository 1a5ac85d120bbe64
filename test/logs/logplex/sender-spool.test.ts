/**
 * The sender with a spool: what does not fit in memory, and what arrives while logplex fails, goes
 * to disk instead of being dropped or failed; it is sent in order once logplex answers; a sender
 * closed while logplex is down leaves everything in the spool for the next run. The counters
 * balance (received = forwarded + dropped + rejected + failed + pending + spooled) at every step.
 */
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import type { FetchLike } from "../../../src/http/tls-fetch.ts";
import { createDiskBudget } from "../../../src/logs/spool/disk-budget.ts";
import { openSpool } from "../../../src/logs/spool/spool.ts";
import { emptyCounters, type ServeCounters } from "../../../src/logs/stats.ts";
import { tempDir } from "../spool/spool-helpers.ts";
import { message, rig, until } from "./sender-helpers.ts";

const dirs: Array<ReturnType<typeof tempDir>> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

function spoolDir(): string {
  const d = tempDir();
  dirs.push(d);
  return join(d.root, "serve");
}

function spooled(
  dir: string,
  counters = emptyCounters(),
): { counters: ServeCounters; spool: ReturnType<typeof openSpool> } {
  const spool = openSpool({
    dir,
    counters,
    maxBytes: 64 << 20,
    budget: createDiskBudget(1 << 30),
    overflow: "drop-oldest",
    commitIntervalMs: 5,
    maxAgeMs: 0,
    log: () => {},
  });
  return { counters, spool };
}

/** A logplex that can be switched off (every request fails at once, as with nothing listening). */
function switchable(): { up: boolean; wrap: (f: FetchLike) => FetchLike } {
  const state = {
    up: true,
    wrap: (f: FetchLike): FetchLike =>
    (
      url,
      init,
    ) => (state.up
      ? f(url, init)
      : Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))),
  };
  return state;
}

const bodies = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `record ${from + i}`.padEnd(60, "."));

test("records past the memory bound go to the spool instead of being dropped, and all arrive in order", async () => {
  const { counters, spool } = spooled(spoolDir());
  const r = rig({ delayMs: 2 }, { counters, spool, maxServeBytes: 2000, flushBytes: 500, maxInFlight: 2 });
  for (const body of bodies(500)) r.send(message(body));
  expect(counters.spooled).toBeGreaterThan(0);
  expect(r.sender.stats().spooling).toBe(true);
  await until(() => counters.forwarded === 500, "every record forwarded");
  r.balanced();
  expect(counters).toMatchObject({ dropped: 0, failed: 0, spooled: 0, pending: 0 });
  expect(r.fake.messages.map((m) => m.body)).toEqual(bodies(500));
  await until(() => !r.sender.stats().spooling, "spooling to stop once the spool is read");
  await r.sender.close(1000);
});

test("while logplex is down records go to the spool (nothing fails); when it is back they are sent, in order", async () => {
  const { counters, spool } = spooled(spoolDir());
  const logplex = switchable();
  logplex.up = false;
  const r = rig({}, { counters, spool, flushBytes: 400, flushIntervalMs: 5 }, logplex.wrap);
  for (const body of bodies(100)) r.send(message(body));
  await until(() => counters.spooled === 100, "everything in the spool");
  expect(r.sender.stats()).toMatchObject({ failing: true, spooling: true });
  for (const body of bodies(50, 100)) r.send(message(body));
  r.balanced();
  expect(counters).toMatchObject({ failed: 0, dropped: 0, forwarded: 0 });
  logplex.up = true;
  await until(() => counters.forwarded === 150, "everything forwarded");
  r.balanced();
  expect(new Set(r.fake.messages.map((m) => m.body))).toEqual(new Set(bodies(150)));
  expect(r.fake.messages.slice(-50).map((m) => m.body)).toEqual(bodies(50, 100)); // the later records after the earlier
  await r.sender.close(1000);
});

test("a sender closed while logplex is down leaves everything in the spool; the next one sends it", async () => {
  const dir = spoolDir();
  const first = spooled(dir);
  const logplex = switchable();
  logplex.up = false;
  const r1 = rig({}, { counters: first.counters, spool: first.spool, flushIntervalMs: 60_000 }, logplex.wrap);
  for (const body of bodies(40)) r1.send(message(body));
  await r1.sender.close(50);
  expect(first.counters).toMatchObject({ received: 40, spooled: 40, failed: 0, pending: 0 });

  const second = spooled(dir);
  const r2 = rig({}, { counters: second.counters, spool: second.spool });
  await until(() => second.counters.forwarded === 40, "the resumed records forwarded");
  expect(second.counters).toMatchObject({ received: 40, spooled: 0 });
  expect(r2.fake.messages.map((m) => m.body)).toEqual(bodies(40));
  await r2.sender.close(1000);
});

test("a batch from the spool that logplex refuses for good is counted rejected and leaves the spool", async () => {
  const { counters, spool } = spooled(spoolDir());
  const r = rig({ status: 403 }, { counters, spool, maxServeBytes: 300, flushBytes: 200 });
  for (const body of bodies(30)) r.send(message(body));
  await until(() => counters.rejected + counters.forwarded === 30, "every record settled");
  r.balanced();
  expect(counters).toMatchObject({ rejected: 30, spooled: 0, failed: 0 });
  await r.sender.close(1000);
});
