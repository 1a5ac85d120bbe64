/**
 * How a real serve-logs process treats its PostgreSQL connections: identity mismatches, protocol
 * errors and truncated streams close only the offending connection; reloads leave live connections
 * alone; SeqNum gaps are counted; a thousand concurrent connections are served.
 */
import { afterEach, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { createConnection, type Socket } from "node:net";
import { join } from "node:path";
import { readFixture } from "../../dev/fixtures.ts";
import { concat, encodeIdentity, encodeRecord, encodeVersion, sendFrames } from "../../dev/logfebe-sender.ts";
import { decodeFixture } from "../harness/expected-messages.ts";
import {
  type Child,
  type ServeFigures,
  type ServeLogsProcess,
  startFakeLogplexd,
  startServeLogs,
  tempServeDirs,
  waitFor,
  writeServesNew,
} from "../../dev/log-processes.ts";
import { countersBalance } from "../../src/logs/stats.ts";

const VERSION = "PG-15.20 (Debian 15.20-0+deb12u1)/logfebe-1";
const IDENTITY = "e2e identity";
const setups: Array<ReturnType<typeof tempServeDirs>> = [];
const children: Child[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(children.splice(0).map((child) => child.stop("SIGKILL")));
  for (const setup of setups.splice(0)) setup.cleanup();
});

/** A serve-logs with one serve per name (identity `e2e identity` unless given) into one fake-logplexd. */
async function setUp(serves: Record<string, string> = { a: IDENTITY }, extra: string[] = []) {
  const setup = tempServeDirs();
  setups.push(setup);
  const logplex = await startFakeLogplexd(setup.root);
  children.push(logplex.child);
  const records = Object.entries(serves).map(([name, identity]) => ({
    i: identity,
    p: setup.socket(name),
    url: logplex.url,
    name,
  }));
  writeFileSync(join(setup.db, "serves.loaded"), JSON.stringify({ serves: records }));
  const sl = await startServeLogs(setup.db, ["--flush-interval", "20ms", ...extra]);
  children.push(sl.child);
  return { setup, logplex, sl, records };
}

/** Opens a raw connection, as one PostgreSQL process would. */
async function connect(path: string): Promise<Socket> {
  const socket = createConnection({ path });
  sockets.push(socket);
  socket.on("error", () => {});
  await once(socket, "connect");
  return socket;
}

async function countersOf(sl: ServeLogsProcess, path: string) {
  return (await sl.counters()).get(path)!;
}

/** Waits until the serve's counters satisfy `ok`, then checks the invariant on them. */
async function settled(sl: ServeLogsProcess, path: string, ok: (c: ServeFigures) => boolean) {
  const counters = await waitFor(
    async () => {
      const c = await countersOf(sl, path);
      return c && ok(c) ? c : undefined;
    },
    15_000,
    () => `counters of ${path}`,
  );
  expect(countersBalance(counters)).toBe(true);
  return counters;
}

const checkpointer = decodeFixture("pg15-checkpointer");
const record = (seqNum: number, sessionId = "6b011cb9.5b38") =>
  encodeRecord({ ...checkpointer.records[0]!, seqNum, sessionId });
const startup = () => concat([encodeVersion(VERSION), encodeIdentity(IDENTITY)]);

test("serve-logs closes a connection whose identity does not match and logs it once per interval", async () => {
  const { sl, records } = await setUp({ a: "another identity" });
  for (let i = 0; i < 5; i++) await sendFrames(records[0]!.p, readFixture("pg15-checkpointer"));
  const c = await settled(sl, records[0]!.p, (c) => c.protocolErrors === 5);
  expect(c).toMatchObject({ received: 0, connections: 5, protocolErrors: 5 });
  const complaints = sl.child.stderr().split("\n").filter((line) => line.includes("is not the serve's"));
  expect(complaints).toEqual([
    `serve-logs: [a] "${
      records[0]!.p
    }": closed a connection: identity "e2e identity" is not the serve's "another identity"`,
  ]);
}, 30_000);

test("serve-logs closes only the connection that breaks the protocol and keeps serving the others", async () => {
  const { sl, records } = await setUp();
  const path = records[0]!.p;
  const good = await connect(path);
  good.write(concat([startup(), record(1)]));
  const oversize = concat([startup(), Uint8Array.of(0x4c, 0x00, 0x20, 0x00, 0x00)]); // L of 2 MiB
  const unknownType = concat([startup(), Uint8Array.of(0x58, 0, 0, 0, 4)]);
  const malformed = concat([startup(), Uint8Array.of(0x4c, 0, 0, 0, 7, 0x41, 0x42, 0x43)]);
  for (const bytes of [oversize, unknownType, malformed]) await sendFrames(path, bytes);
  await settled(sl, path, (c) => c.protocolErrors === 3);
  good.write(concat([record(2), record(3)]));
  good.end();
  const c = await settled(sl, path, (c) => c.forwarded === 3 && c.active === 0);
  expect(c).toMatchObject({ received: 3, forwarded: 3, connections: 4, protocolErrors: 3, truncated: 0 });
  expect(sl.child.stderr()).toContain("Cannot accept frame length 2097152: it is over the 1048576-byte limit");
}, 30_000);

test(
  "serve-logs counts a stream cut inside a frame as truncated, forwards what came before, and logs nothing for it",
  async () => {
    const { sl, records } = await setUp();
    const whole = readFixture("pg15-psql-select-and-errors");
    const complete = decodeFixture("pg15-psql-select-and-errors").records.length - 1; // the last record is cut
    await sendFrames(records[0]!.p, whole.subarray(0, whole.length - 10));
    const c = await settled(sl, records[0]!.p, (c) => c.truncated === 1 && c.pending === 0);
    expect(c).toMatchObject({ received: complete, forwarded: complete, protocolErrors: 0, truncated: 1 });
    expect(sl.child.stderr()).not.toMatch(/truncat|closed a connection/);
  },
  30_000,
);

test("serve-logs counts SeqNum gaps of a session as lost upstream, across reconnections", async () => {
  const { sl, records } = await setUp();
  const path = records[0]!.p;
  await sendFrames(path, [startup(), record(1), record(2), record(5)]);
  await sendFrames(path, [startup(), record(9)]); // the backend reconnected after losing 6 to 8
  await sendFrames(path, [startup(), record(3, "another.session")]); // a new session sets its own baseline
  const c = await settled(sl, path, (c) => c.received === 5 && c.pending === 0);
  expect(c.lostUpstream).toBe(2 + 3);
}, 30_000);

test(
  "serve-logs reload leaves a live connection of an unchanged serve open and closes those of a removed serve",
  async () => {
    const { setup, sl, records, logplex } = await setUp({ a: IDENTITY, gone: IDENTITY });
    const [a, gone] = records as [(typeof records)[0], (typeof records)[0]];
    const live = await connect(a.p);
    const doomed = await connect(gone.p);
    let liveClosed = false;
    live.on("close", () => (liveClosed = true));
    const doomedClosed = once(doomed, "close");
    live.write(concat([startup(), record(1)]));
    doomed.write(concat([startup(), record(1)]));
    await settled(sl, a.p, (c) => c.received === 1);
    const b = { i: IDENTITY, p: setup.socket("b"), url: logplex.url, name: "b" };
    writeServesNew(setup.db, [a, b]);
    sl.hangup();
    await waitFor(async () => (await sl.listening(b.p)) && !existsSync(gone.p), 15_000, () => "reload");
    await doomedClosed;
    live.write(concat([record(2), record(3)]));
    const c = await settled(sl, a.p, (c) => c.forwarded === 3);
    expect(liveClosed).toBe(false);
    expect(c).toMatchObject({ received: 3, connections: 1, active: 1, protocolErrors: 0, lostUpstream: 0 });
    live.end();
  },
  30_000,
);

test("serve-logs serves 1,000 concurrent connections and accounts for every record", async () => {
  const { sl, records } = await setUp();
  const path = records[0]!.p;
  const open: Socket[] = [];
  for (let i = 0; i < 1000; i++) {
    const socket = await connect(path);
    socket.write(concat([startup(), record(1, `session.${i}`)]));
    open.push(socket);
    // Let serve-logs accept in steps: Bun keeps a unix socket's accept queue at 512 whatever backlog is asked.
    if (open.length % 200 === 0) await settled(sl, path, (c) => c.active === open.length);
  }
  const during = await settled(sl, path, (c) => c.active === 1000 && c.received === 1000);
  expect(during.connections).toBe(1000);
  for (const socket of open) socket.write(record(2, `session.${open.indexOf(socket)}`));
  await settled(sl, path, (c) => c.received === 2000);
  for (const socket of open) socket.end();
  const after = await settled(sl, path, (c) => c.active === 0 && c.pending === 0);
  expect(after).toMatchObject({
    received: 2000,
    forwarded: 2000,
    connections: 1000,
    protocolErrors: 0,
    truncated: 0,
    lostUpstream: 0,
  });
  expect(countersBalance(after)).toBe(true);
}, 60_000);
