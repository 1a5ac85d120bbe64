/**
 * serve-logs against a local user who holds memory and connections: frame headers announcing 1 MiB
 * followed by part of a body on hundreds of connections, a byte a second, thousands of connections,
 * frames just under and over the size limit. Real serve-logs, real sockets, real fake-logplexd.
 */
import { afterEach, expect, test } from "bun:test";
import { createConnection, type Socket } from "node:net";
import { sampleRecord } from "../../dev/sample-record.ts";
import { encodeRecord } from "../../dev/logfebe-sender.ts";
import {
  cleanUp,
  connect,
  header,
  processFigure,
  record,
  residentBytes,
  settled,
  startHostileServeLogs,
  startup,
} from "../harness/hostile-serve-logs.ts";
import { concat } from "../../dev/logfebe-sender.ts";
import { waitFor } from "../../dev/log-processes.ts";

afterEach(cleanUp);

const MiB = 1024 * 1024;
const TYPE_L = 0x4c;

/** Resolves when the socket closes; unlike `once(socket, "close")` it does not reject on the ECONNRESET a server's close may cause. */
function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once("close", () => resolve()));
}

/** Writes `bytes` and resolves once the kernel took them (or the peer closed). */
function write(socket: Socket, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    socket.write(bytes, () => resolve());
    socket.once("close", () => resolve());
  });
}

test(
  "half frames announcing 1 MiB on 400 connections: split frames stay within half of --max-memory, RSS within it plus the fixed overhead, genuine records all delivered",
  async () => {
    const setup = await startHostileServeLogs({ flags: ["--max-memory", "8MiB"] });
    const genuine = await connect(setup.path);
    await write(genuine, startup());
    let sent = 0;
    const attackers: Promise<void>[] = [];
    for (let i = 0; i < 400; i++) {
      const socket = await connect(setup.path);
      attackers.push(write(socket, concat([startup(), header(TYPE_L, MiB), new Uint8Array(200 * 1024)])));
      if (i % 20 === 0) await write(genuine, record({ seqNum: ++sent }));
    }
    await Promise.all(attackers);
    // Each connection past what fits evicts the oldest split frame: evictions prove serve-logs read the bodies.
    await waitFor(
      async () => (await processFigure(setup, "posemo_split_frame_evictions_total")) >= 300 || undefined,
      30_000,
      () => "evictions",
    );
    expect(await processFigure(setup, "posemo_split_frame_bytes")).toBeLessThanOrEqual(4 * MiB);
    const c = await settled(setup, (c) => c.forwarded === sent);
    expect(c).toMatchObject({ received: sent, forwarded: sent, dropped: 0, rejected: 0, failed: 0 });
    expect(c.stalled).toBeGreaterThanOrEqual(300);
    // 80 MB of bodies arrived; before split frames were bounded they took 400 MiB of buffers.
    const rss = await residentBytes(setup.sl.child.process.pid!);
    expect(rss.peak).toBeLessThan(8 * MiB + 160 * MiB);
  },
  90_000,
);

test(
  "a connection that stops inside a frame, or sends a byte at a time, is closed at --frame-timeout and counted; an idle one between frames is not",
  async () => {
    const setup = await startHostileServeLogs({ flags: ["--frame-timeout", "300ms"] });
    const idle = await connect(setup.path);
    await write(idle, concat([startup(), record({ seqNum: 1 })]));
    const halfFrame = await connect(setup.path);
    await write(halfFrame, concat([startup(), header(TYPE_L, 4096), new Uint8Array(100)]));
    const slowloris = await connect(setup.path);
    await write(slowloris, startup());
    const trickle = concat([header(TYPE_L, 4096), new Uint8Array(4091)]);
    let at = 0;
    const pace = setInterval(() => !slowloris.destroyed && slowloris.write(trickle.subarray(at, ++at)), 50);
    await Promise.all([closed(halfFrame), closed(slowloris)]);
    clearInterval(pace);
    expect(at).toBeLessThan(trickle.length); // closed before the frame could complete
    await write(idle, record({ seqNum: 2 }));
    // The server counts a connection closed when its own close event runs, which may come after the client's.
    const c = await settled(setup, (c) => c.forwarded === 2 && c.active === 1);
    expect(c).toMatchObject({ stalled: 2, active: 1, protocolErrors: 0, received: 2 });
    expect(setup.sl.child.stderr()).toContain(
      "closed a connection: no complete frame within 300 ms (stopped inside a frame)",
    );
  },
  30_000,
);

test(
  "--max-connections: connections past the limit are closed on arrival and counted; the open ones keep working",
  async () => {
    const setup = await startHostileServeLogs({ flags: ["--max-connections", "5"] });
    const open: Socket[] = [];
    for (let i = 0; i < 5; i++) open.push(await connect(setup.path));
    await settled(setup, (c) => c.active === 5);
    // Closed on arrival: the client sees a close, or a reset before its connect completes.
    await Promise.all([0, 1, 2].map(() => {
      const socket = createConnection({ path: setup.path });
      socket.on("error", () => {});
      return closed(socket);
    }));
    await Promise.all(
      open.map((socket, i) => write(socket, concat([startup(), record({ seqNum: 1, sessionId: `s.${i}` })]))),
    );
    const c = await settled(setup, (c) => c.forwarded === 5);
    expect(c).toMatchObject({ active: 5, refusedConnections: 3, connections: 5 });
    expect(setup.sl.child.stderr()).toContain("the limit (--max-connections) is 5");
  },
  30_000,
);

/** An L frame whose length field is exactly `length`. */
function frameOfLength(length: number): Uint8Array {
  const base = encodeRecord(sampleRecord({ errMessage: "" }));
  const frame = encodeRecord(sampleRecord({ errMessage: "x".repeat(length - (base.length - 1)) }));
  expect(frame.length - 1).toBe(length);
  return frame;
}

test(
  "a frame of exactly 1 MiB is taken, one byte more closes the connection; without memory to hold it a split 1 MiB frame is dropped and counted, the connection kept",
  async () => {
    const setup = await startHostileServeLogs({
      flags: ["--max-memory", "1MiB", "--max-pending", "1MiB", "--flush-bytes", "64KiB"],
    });
    const atLimit = await connect(setup.path);
    await write(atLimit, concat([startup(), frameOfLength(MiB), record({ seqNum: 7 })]));
    const c = await settled(setup, (c) => c.received === 2 && c.pending === 0);
    expect(c).toMatchObject({ dropped: 1, forwarded: 1, protocolErrors: 0, active: 1 });
    expect(setup.sl.child.stderr()).toContain("dropped a record of 1048577 bytes: no memory left to hold it");
    const over = await connect(setup.path);
    await write(over, concat([startup(), frameOfLength(MiB + 1)]));
    await closed(over);
    await settled(setup, (c) => c.protocolErrors === 1);
    expect(setup.sl.child.stderr()).toContain("Cannot accept frame length 1048577: it is over the 1048576-byte limit");
  },
  30_000,
);
