/**
 * serve-logs with --spool-dir, through the real binary, real sockets and a real fake-logplexd:
 * an outage with a crash and a restart loses nothing, a damaged segment costs only its damaged
 * entries, a full disk costs only what could not be written, and a full spool drops exactly what it
 * counts. After every case received = forwarded + dropped + rejected + failed + pending + spooled.
 */
import { afterEach, expect, test } from "bun:test";
import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RecordedMessage, ServeFigures } from "../../dev/log-processes.ts";
import { countersBalance } from "../../src/logs/stats.ts";
import {
  arrivedNumbers,
  figuresWhen,
  segmentFiles,
  sendNumbered,
  spoolOnDisk,
  type SpoolServeLogs,
  startSpoolServeLogs,
  TOKEN,
} from "../harness/spool-serve-logs.ts";
import { canMountTmpfs, mountTmpfs, unmountTmpfs } from "../harness/tmpfs.ts";

const setups: SpoolServeLogs[] = [];
const mounts: string[] = [];
afterEach(async () => {
  await Promise.all(setups.splice(0).map((setup) => setup.cleanUp()));
  for (const dir of mounts.splice(0)) unmountTmpfs(dir);
});

/**
 * Nothing left to send: nothing spooled, pending or in flight (a batch in flight may still change the
 * counts). A spooled count below zero ends the wait too, so the test fails on the figures, not on a time-out.
 */
function settled(c: ServeFigures): boolean {
  return c.spooled <= 0 && c.pending === 0 && c.inFlight === 0 && c.received > 0;
}

/** Every record received is forwarded, dropped, rejected or failed: the invariant, with nothing left in between. */
function expectAllAccountedFor(c: ServeFigures): void {
  expect({ spooled: c.spooled, pending: c.pending, inFlight: c.inFlight }).toEqual({
    spooled: 0,
    pending: 0,
    inFlight: 0,
  });
  expect(countersBalance(c)).toBe(true);
}

/** The defaults of --flush-bytes and of the requests a sender has in flight at once. */
const FLUSH_BYTES = 100 * 1024;
const IN_FLIGHT_SLOTS = 4;

/**
 * The bytes of `m`'s logplex frame as serve-logs sent it: the text's length in digits, a space, the
 * syslog text, whose APP-NAME is the token (fake-logplexd records the token's name instead).
 *
 * The crash test's duplicate bound is IN_FLIGHT_SLOTS batches of the smallest frames. Only the kill
 * mid-drain resends (logplex was down at the first one), and only the spool batches in flight then:
 * a settlement rewrites the cursor with a synchronous pwrite, which a SIGKILL cannot undo (the
 * group commit's fdatasync is for power loss). No record arrives in that run, so memory holds no
 * batch, and a batch is read only into a free slot and sent at once. A batch read back holds entries
 * of at most FLUSH_BYTES of frames, or one larger entry: a memory batch put back while logplex was
 * down, sealed by the record that reached FLUSH_BYTES. Either way at most
 * ceil(FLUSH_BYTES / smallest frame) records.
 */
function frameBytes(m: RecordedMessage): number {
  const text = `<${m.pri}>1 ${m.timestamp} ${m.hostname} ${TOKEN} ${m.procid} - - ${m.msg}`;
  const length = new TextEncoder().encode(text).length;
  return String(length).length + 1 + length;
}

async function startSetup(spoolDir?: string): Promise<SpoolServeLogs> {
  const setup = await startSpoolServeLogs(spoolDir);
  setups.push(setup);
  return setup;
}

test(
  "logplex down while 200,000 records arrive, serve-logs SIGKILLed twice (once mid-drain) and restarted on its spool: all 200,000 arrive, few twice",
  async () => {
    const N = 200_000;
    const setup = await startSetup();
    const first = await setup.startServeLogs();
    await sendNumbered(setup.socket, N);
    const spooled = await figuresWhen(
      first,
      setup.socket,
      (c) => c.received === N && c.spooled === N,
      "every record in the spool",
    );
    expect(spooled).toMatchObject({ forwarded: 0, dropped: 0, failed: 0, pending: 0 });
    await spoolOnDisk(first, setup);
    expect(first.child.stderr()).toContain("records wait in the spool, retrying");
    expect(first.child.stderr()).not.toContain("giving up");
    await first.child.stop("SIGKILL");

    const second = await setup.startServeLogs();
    const resumed = await figuresWhen(second, setup.socket, (c) => c.spooled === N, "the spool resumed");
    expect(resumed).toMatchObject({ received: N, forwarded: 0, dropped: 0 });
    const logplex = await setup.logplexUp();
    await figuresWhen(second, setup.socket, (c) => c.forwarded >= N / 4, "a quarter forwarded");
    await second.child.stop("SIGKILL"); // mid-drain: what was in flight is sent again

    const third = await setup.startServeLogs();
    const done = await figuresWhen(
      third,
      setup.socket,
      settled,
      "the rest forwarded",
    );
    expectAllAccountedFor(done);
    expect(done).toMatchObject({ dropped: 0, failed: 0, rejected: 0 });
    const arrived = arrivedNumbers(logplex);
    const distinct = new Set(arrived);
    expect(distinct.size).toBe(N);
    const duplicates = arrived.length - N;
    const smallestFrame = logplex.recorded().reduce((min, m) => Math.min(min, frameBytes(m)), Infinity);
    const bound = IN_FLIGHT_SLOTS * Math.ceil(FLUSH_BYTES / smallestFrame);
    console.log(`spool e2e: ${N} records, ${arrived.length} deliveries, ${duplicates} duplicates (bound ${bound})`);
    expect(duplicates).toBeLessThanOrEqual(bound);
    expect(third.child.stderr()).not.toContain("t.spool-token");
  },
  240_000,
);

test(
  "a damaged entry and a torn tail in a segment are skipped and counted; every other record arrives; /healthz says so",
  async () => {
    const N = 2_000;
    const setup = await startSetup();
    const first = await setup.startServeLogs();
    await sendNumbered(setup.socket, 100, 1); // the first batch fails: from then on each record is an entry of its own
    await figuresWhen(first, setup.socket, (c) => c.spooled === 100, "the first records in the spool");
    await sendNumbered(setup.socket, N - 100, 1, 100);
    await figuresWhen(first, setup.socket, (c) => c.spooled === N, "every record in the spool");
    await spoolOnDisk(first, setup);
    await first.child.stop("SIGKILL");
    const [segment] = segmentFiles(setup.spoolDir);
    const bytes = readFileSync(segment!);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff; // one flipped byte in the middle
    writeFileSync(segment!, bytes);
    truncateSync(segment!, bytes.length - 7); // and a last write cut short

    const logplex = await setup.logplexUp();
    const second = await setup.startServeLogs();
    const done = await figuresWhen(
      second,
      setup.socket,
      settled,
      "the spool sent",
    );
    expectAllAccountedFor(done);
    const arrived = new Set(arrivedNumbers(logplex));
    expect(done.received).toBe(arrived.size); // what the scan found is what arrived
    expect(arrived.size).toBe(N - 2); // the damaged record and the torn one
    expect(arrived.has(N - 1)).toBe(false);
    expect(arrived.has(0)).toBe(true);
    const health = (await (await fetch(`${second.statsUrl}/healthz`)).json()) as {
      status: string;
      spool?: Array<{ damage?: string }>;
    };
    expect(health.status).toBe("degraded");
    expect(health.spool?.[0]?.damage).toMatch(/bytes of damaged entries skipped/);
    expect(second.child.stderr()).toMatch(/damaged entries skipped/);
  },
  120_000,
);

test.skipIf(!canMountTmpfs())(
  "a full disk (a 1 MiB tmpfs): records that cannot be written are dropped and counted, /healthz says so, the sockets are still read, what was written arrives",
  async () => {
    const N = 20_000; // about 4 MB framed: four times the file system
    const mount = mountTmpfs("1m");
    mounts.push(mount);
    const setup = await startSetup(join(mount, "spool"));
    const sl = await setup.startServeLogs();
    await sendNumbered(setup.socket, N); // resolves only if serve-logs keeps reading
    const full = await figuresWhen(
      sl,
      setup.socket,
      (c) => c.received === N && c.pending === 0 && c.spoolDropped > 0,
      "the spool to fill the disk",
    );
    expect(countersBalance(full)).toBe(true);
    expect(full.dropped).toBe(full.spoolDropped);
    const health = (await (await fetch(`${sl.statsUrl}/healthz`)).json()) as {
      status: string;
      spool?: Array<{ problem?: string }>;
    };
    expect(health.status).toBe("degraded");
    expect(health.spool?.[0]?.problem).toContain("ENOSPC");
    expect(sl.child.stderr()).toContain("ENOSPC");

    const logplex = await setup.logplexUp();
    const done = await figuresWhen(
      sl,
      setup.socket,
      settled,
      "what was written to be sent",
    );
    expectAllAccountedFor(done);
    expect(new Set(arrivedNumbers(logplex)).size).toBe(N - done.dropped);
    expect(sl.child.process.exitCode).toBeNull();
  },
  120_000,
);

test("--spool-max drop-newest: past the bound new records are dropped, exactly as many as never arrive", async () => {
  const N = 6_000;
  const setup = await startSetup();
  const sl = await setup.startServeLogs(["--spool-max", "256KiB", "--spool-overflow", "drop-newest"]);
  await sendNumbered(setup.socket, N, 1);
  const full = await figuresWhen(sl, setup.socket, (c) => c.received === N && c.pending === 0, "every record read");
  expect(full.spoolDropped).toBeGreaterThan(0);
  expect(full.spoolBytes).toBeLessThanOrEqual(256 * 1024);
  const logplex = await setup.logplexUp();
  const done = await figuresWhen(
    sl,
    setup.socket,
    settled,
    "the spool sent",
  );
  const arrived = new Set(arrivedNumbers(logplex));
  expect(arrived.size).toBe(N - done.spoolDropped);
  expect(done).toMatchObject({
    dropped: full.spoolDropped,
    spoolDropped: full.spoolDropped,
    forwarded: N - full.spoolDropped,
    failed: 0,
  });
  // The newest were dropped (a batch that was in flight when logplex failed is put back after newer
  // records, so what arrived is not always exactly a prefix).
  expect(arrived.has(0)).toBe(true);
  expect(arrived.has(N - 1)).toBe(false);
  expectAllAccountedFor(done);
}, 120_000);

test(
  "--spool-max drop-oldest: past the bound the oldest records are given up, exactly as many as never arrive, the newest arrive",
  async () => {
    const N = 6_000;
    const setup = await startSetup();
    const sl = await setup.startServeLogs(["--spool-max", "256KiB", "--spool-overflow", "drop-oldest"]);
    await sendNumbered(setup.socket, N, 1);
    const full = await figuresWhen(sl, setup.socket, (c) => c.received === N && c.pending === 0, "every record read");
    expect(full.spoolDropped).toBeGreaterThan(0);
    expect(countersBalance(full)).toBe(true);
    const logplex = await setup.logplexUp();
    const done = await figuresWhen(sl, setup.socket, settled, "the spool sent");
    const arrived = new Set(arrivedNumbers(logplex));
    expect(arrived.size).toBe(N - done.spoolDropped);
    expect(done).toMatchObject({ dropped: done.spoolDropped, forwarded: arrived.size, failed: 0 });
    expect(arrived.has(N - 1)).toBe(true);
    expect(arrived.has(N / 2)).toBe(false);
    expectAllAccountedFor(done);
  },
  120_000,
);

test(
  "a serve removed from the serve database keeps its spool: after a restart it is sent to the serve's logplex, then removed",
  async () => {
    const N = 3_000;
    const setup = await startSetup();
    const first = await setup.startServeLogs();
    await sendNumbered(setup.socket, N);
    await figuresWhen(first, setup.socket, (c) => c.spooled === N, "every record in the spool");
    await spoolOnDisk(first, setup);
    await first.child.stop("SIGKILL");
    writeFileSync(join(setup.db, "serves.loaded"), JSON.stringify({ serves: [] }));

    const logplex = await setup.logplexUp();
    const second = await setup.startServeLogs();
    // The drain-only forwarder leaves /metrics once its spool is empty: its last figures are in the log.
    await second.child.waitForStderr(
      /the spool of a serve no longer served is empty: 3000 records sent, 0 rejected, 0 given up; removed/,
      60_000,
    );
    expect(new Set(arrivedNumbers(logplex)).size).toBe(N);
    expect(segmentFiles(setup.spoolDir)).toEqual([]);
    const health = (await (await fetch(`${second.statsUrl}/healthz`)).json()) as { status: string };
    expect(health.status).toBe("ok");
  },
  120_000,
);

test(
  "--spool-max-age gives up the spool of a serve no longer served whose logplex never comes back, counted",
  async () => {
    const N = 500;
    const setup = await startSetup();
    const first = await setup.startServeLogs();
    await sendNumbered(setup.socket, N, 1);
    await figuresWhen(first, setup.socket, (c) => c.spooled === N, "every record in the spool");
    await spoolOnDisk(first, setup);
    await first.child.stop("SIGKILL");
    writeFileSync(join(setup.db, "serves.loaded"), JSON.stringify({ serves: [] }));
    const second = await setup.startServeLogs(["--spool-max-age", "1s"]);
    await second.child.waitForStderr(
      /the spool of a serve no longer served is empty: 0 records sent, 0 rejected, 500 given up; removed/,
      30_000,
    );
    expect(segmentFiles(setup.spoolDir)).toEqual([]);
  },
  60_000,
);
