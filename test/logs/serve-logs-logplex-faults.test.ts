/**
 * A real serve-logs against a sick logplex (fake-logplexd's fault options, or nothing listening):
 * records are retried, then counted, never lost silently; the counter invariant holds after each case
 * and no token appears in any output.
 */
import { afterEach, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { readFixture } from "../../dev/fixtures.ts";
import { sendFrames } from "../../dev/logfebe-sender.ts";
import {
  type Child,
  type ServeFigures,
  type ServeLogsProcess,
  startFakeLogplexd,
  startServeLogs,
  tempServeDirs,
  waitFor,
} from "../../dev/log-processes.ts";
import { countersBalance } from "../../src/logs/stats.ts";

const SECRET = "t.fault-token";
const RECORDS = 18; // pg15-psql-mixed-session
const FAST = ["--request-timeout", "400ms"];
const setups: Array<ReturnType<typeof tempServeDirs>> = [];
const children: Child[] = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop("SIGKILL")));
  for (const setup of setups.splice(0)) setup.cleanup();
});

/** Starts serve-logs with one serve posting to `url`, sends the mixed session and waits for it to settle. */
async function forwardTo(
  url: string,
  extra: string[] = ["--flush-interval", "20ms"],
): Promise<{ sl: ServeLogsProcess; socket: string; counters: ServeFigures }> {
  const setup = setups.at(-1)!;
  const socket = setup.socket("a");
  writeFileSync(join(setup.db, "serves.loaded"), JSON.stringify({ serves: [{ i: "e2e identity", p: socket, url }] }));
  const sl = await startServeLogs(setup.db, [...FAST, ...extra]);
  children.push(sl.child);
  await sendFrames(socket, readFixture("pg15-psql-mixed-session"));
  const counters = await waitFor(
    async () => {
      const c = (await sl.counters()).get(socket);
      return c && c.received === RECORDS && c.pending === 0 ? c : undefined;
    },
    20_000,
    () => "records to settle",
  );
  expect(countersBalance(counters)).toBe(true);
  expect(sl.child.stderr()).not.toContain(SECRET);
  return { sl, socket, counters };
}

async function fake(extra: string[] = [], token = SECRET) {
  const setup = tempServeDirs();
  setups.push(setup);
  const logplex = await startFakeLogplexd(setup.root, extra, token);
  children.push(logplex.child);
  return logplex;
}

test("serve-logs counts records as failed when logplex is down, after retrying", async () => {
  const setup = tempServeDirs();
  setups.push(setup);
  const port = await freePort();
  const { counters, sl } = await forwardTo(`http://token:${SECRET}@127.0.0.1:${port}/logs`);
  expect(counters).toMatchObject({ received: RECORDS, forwarded: 0, failed: RECORDS, dropped: 0, rejected: 0 });
  expect(sl.child.stderr()).toMatch(/logplex http:\/\/127\.0\.0\.1:\d+\/logs/);
}, 30_000);

test("serve-logs forwards everything to a slow logplex", async () => {
  const logplex = await fake(["--delay", "300"]);
  const { counters } = await forwardTo(logplex.url);
  expect(counters).toMatchObject({ received: RECORDS, forwarded: RECORDS, failed: 0 });
  expect(logplex.recorded()).toHaveLength(RECORDS);
}, 30_000);

test(
  "serve-logs gives up on a logplex that never answers, within its request deadline, and counts the records failed",
  async () => {
    const logplex = await fake(["--hang"]);
    const { counters } = await forwardTo(logplex.url);
    expect(counters).toMatchObject({ received: RECORDS, forwarded: 0, failed: RECORDS });
  },
  30_000,
);

test("serve-logs counts records logplex refuses with 401 as rejected, without retrying", async () => {
  const logplex = await fake([], "t.another-token");
  const { counters, sl } = await forwardTo(logplex.url.replace("t.another-token", SECRET));
  expect(counters).toMatchObject({ received: RECORDS, forwarded: 0, rejected: RECORDS, failed: 0 });
  expect(logplex.child.stderr().match(/answered 401/g)).toHaveLength(1);
  expect(sl.child.stderr()).toContain("401");
}, 30_000);

test("serve-logs retries a 503 three times, then counts the records failed", async () => {
  const logplex = await fake(["--status", "503"]);
  const { counters } = await forwardTo(logplex.url, ["--flush-interval", "1s"]); // one batch
  expect(counters).toMatchObject({ received: RECORDS, forwarded: 0, failed: RECORDS });
  expect(logplex.child.stderr().match(/answered 503/g)).toHaveLength(3);
}, 30_000);

/** A loopback port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test(
  "serve-logs keeps reading its sockets while logplex hangs: PostgreSQL is never blocked, overflow is dropped and counted",
  async () => {
    const logplex = await fake(["--hang"]);
    const setup = setups.at(-1)!;
    const socket = setup.socket("a");
    writeFileSync(
      join(setup.db, "serves.loaded"),
      JSON.stringify({ serves: [{ i: "e2e identity", p: socket, url: logplex.url }] }),
    );
    const sl = await startServeLogs(setup.db, [
      "--max-pending",
      "64KiB",
      "--flush-bytes",
      "16KiB",
      "--request-timeout",
      "30s",
    ]);
    children.push(sl.child);
    const burst = readFixture("pg15-pgbench-client"); // 1,052 records, 256 KiB: more than a unix socket buffer holds
    for (let i = 0; i < 10; i++) await sendFrames(socket, burst); // would never resolve if serve-logs stopped reading
    const counters = await waitFor(
      async () => {
        const c = (await sl.counters()).get(socket);
        return c?.received === 10_520 ? c : undefined;
      },
      20_000,
      () => "every record read",
    );
    expect(counters.dropped).toBeGreaterThan(9_000);
    expect(counters.forwarded).toBe(0);
    expect(countersBalance(counters)).toBe(true);
  },
  30_000,
);
