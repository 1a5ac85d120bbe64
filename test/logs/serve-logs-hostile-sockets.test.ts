/**
 * serve-logs against a local user on its socket, beyond memory: connections that say nothing, frame
 * lengths at every boundary, a record written a byte at a time, thousands of connections opened and
 * closed, frames of types and versions it does not know, and fields chosen to forge or flood its log
 * lines. Real serve-logs, real sockets, real fake-logplexd.
 */
import { afterEach, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { waitFor } from "../../dev/log-processes.ts";
import { concat, encodeIdentity, encodeVersion } from "../../dev/logfebe-sender.ts";
import {
  cleanUp,
  connect,
  header,
  IDENTITY,
  record,
  settled,
  startHostileServeLogs,
  startup,
} from "../harness/hostile-serve-logs.ts";

afterEach(cleanUp);

const TYPE_L = 0x4c;

/** Resolves when the socket closes (without rejecting on the ECONNRESET a server's close may cause). */
function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.once("close", () => resolve()));
}

/** Writes `bytes` and resolves once the kernel took them (or the peer closed). */
function write(socket: Socket, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off("close", done);
      resolve();
    };
    socket.once("close", done);
    socket.write(bytes, done);
  });
}

test(
  "connections that never send their startup are closed at the frame deadline and counted: they cannot hold every slot",
  async () => {
    const setup = await startHostileServeLogs({ flags: ["--max-connections", "5", "--frame-timeout", "300ms"] });
    const silent = await Promise.all(Array.from({ length: 5 }, () => connect(setup.path)));
    await settled(setup, (c) => c.active === 5);
    await Promise.all(silent.map(closed));
    const c = await settled(setup, (c) => c.active === 0);
    expect(c.stalled).toBe(5);
    const genuine = await connect(setup.path);
    await write(genuine, concat([startup(), record({ seqNum: 1 })]));
    await settled(setup, (c) => c.forwarded === 1);
  },
  30_000,
);

test("frame lengths at every boundary close only their own connection, each counted once", async () => {
  const setup = await startHostileServeLogs();
  const genuine = await connect(setup.path);
  await write(genuine, concat([startup(), record({ seqNum: 1 })]));
  const lengths = [0, 1, 3, 4, 1024 * 1024 + 1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
  for (const length of lengths) {
    const socket = await connect(setup.path);
    await write(socket, concat([startup(), header(TYPE_L, length)]));
    await closed(socket);
  }
  await write(genuine, record({ seqNum: 2 }));
  const c = await settled(setup, (c) => c.protocolErrors === lengths.length && c.forwarded === 2);
  expect(c).toMatchObject({ received: 2, connections: lengths.length + 1, stalled: 0 });
  expect(setup.sl.child.stderr()).toContain("Cannot accept frame length 0:"); // the rest, same kind, rate-limited
}, 30_000);

test("a record written one byte at a time arrives whole", async () => {
  const setup = await startHostileServeLogs();
  const socket = await connect(setup.path);
  const bytes = concat([startup(), record({ seqNum: 1 })]);
  for (const byte of bytes) await write(socket, Uint8Array.of(byte));
  const c = await settled(setup, (c) => c.forwarded === 1);
  expect(c.protocolErrors).toBe(0);
}, 30_000);

test(
  "3,000 connections opened and closed, some inside a header, leave nothing open and every one counted",
  async () => {
    const setup = await startHostileServeLogs();
    for (let i = 0; i < 3000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, async (_, j) => {
        const socket = await connect(setup.path);
        if ((i + j) % 3 === 1) await write(socket, concat([startup(), header(TYPE_L, 200).subarray(0, 3)]));
        if ((i + j) % 3 === 2) await write(socket, startup());
        socket.end();
        await closed(socket);
      }));
    }
    const c = await settled(setup, (c) => c.connections === 3000 && c.active === 0);
    expect(c).toMatchObject({ protocolErrors: 0, received: 0, truncated: 1000 });
    const genuine = await connect(setup.path);
    await write(genuine, concat([startup(), record({ seqNum: 1 })]));
    await settled(setup, (c) => c.forwarded === 1);
  },
  60_000,
);

test(
  "frames of unknown type, a second V, and a version it does not speak are protocol errors, one line each",
  async () => {
    const setup = await startHostileServeLogs();
    const attempts = [
      concat([startup(), Uint8Array.of(0x58, 0, 0, 0, 4)]),
      concat([startup(), record({ seqNum: 1 }), encodeVersion("PG-15.20/logfebe-1")]),
      concat([encodeVersion("PG-15.20/logfebe-2"), encodeIdentity(IDENTITY)]),
      concat([encodeVersion("PG-15.20/logfebe-1"), encodeVersion("PG-15.20/logfebe-1")]),
    ];
    for (const bytes of attempts) {
      const socket = await connect(setup.path);
      await write(socket, bytes);
      await closed(socket);
    }
    const c = await settled(setup, (c) => c.protocolErrors === attempts.length && c.pending === 0);
    expect(c).toMatchObject({ received: 1, forwarded: 1 });
  },
  30_000,
);

test(
  "identities and versions chosen to forge or flood log lines come out as one bounded line each",
  async () => {
    const setup = await startHostileServeLogs({ flags: ["--frame-timeout", "10s"] });
    const forged = "x\nserve-logs: [web] forged line\r\x1b[2J\u2028\u0085";
    const attempts = [
      startup(forged),
      startup(forged + "y".repeat(500_000)),
      concat([encodeVersion(`PG-15\n${forged}${"v".repeat(500_000)}`), encodeIdentity(IDENTITY)]),
    ];
    for (const bytes of attempts) {
      const socket = await connect(setup.path);
      await write(socket, bytes);
      await closed(socket);
    }
    await settled(setup, (c) => c.protocolErrors === attempts.length);
    const lines = setup.sl.child.stderr().split("\n").filter((line) => line !== "");
    for (const line of lines) {
      expect(line).toMatch(/^serve-logs: /);
      // deno-lint-ignore no-control-regex -- control characters are what is looked for
      expect(line).not.toMatch(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/);
      expect(line.length).toBeLessThan(2000);
    }
  },
  30_000,
);

test(
  "a socket file replaced while running: health says so, the file is left alone, live connections are still served, and the socket comes back once the path is free",
  async () => {
    const setup = await startHostileServeLogs({ flags: ["--poll-interval", "100ms"] });
    const live = await connect(setup.path);
    await write(live, concat([startup(), record({ seqNum: 1 })]));
    await settled(setup, (c) => c.forwarded === 1);
    rmSync(setup.path);
    writeFileSync(setup.path, "a file someone put here");
    const health = async () => (await fetch(`${setup.sl.statsUrl}/healthz`)).json() as Promise<{ status: string }>;
    await waitFor(async () => (await health()).status === "degraded" || undefined, 15_000, () => "degraded health");
    await setup.sl.child.waitForStderr(/was removed or replaced: binding it again/);
    await write(live, record({ seqNum: 2 }));
    await settled(setup, (c) => c.forwarded === 2);
    expect(readFileSync(setup.path, "utf8")).toBe("a file someone put here");
    rmSync(setup.path);
    await waitFor(async () => (await health()).status === "ok" || undefined, 15_000, () => "health ok again");
    const later = await connect(setup.path);
    await write(later, concat([startup(), record({ seqNum: 1, sessionId: "later.1" })]));
    await settled(setup, (c) => c.forwarded === 3);
  },
  40_000,
);

test(
  "a storm of SIGHUPs while records flow into a logplex that never answers: every socket is read, every record counted",
  async () => {
    const setup = await startHostileServeLogs({
      fakeFlags: ["--hang"],
      flags: ["--max-pending", "256KiB", "--request-timeout", "30s"],
    });
    const sockets = await Promise.all(Array.from({ length: 4 }, () => connect(setup.path)));
    await Promise.all(sockets.map((socket) => write(socket, startup())));
    const storm = setInterval(() => setup.sl.hangup(), 2);
    const perSocket = 5000;
    await Promise.all(sockets.map(async (socket, s) => {
      for (let i = 1; i <= perSocket; i += 100) {
        const frames = Array.from({ length: 100 }, (_, j) => record({ seqNum: i + j, sessionId: `storm.${s}` }));
        await write(socket, concat(frames));
      }
    }));
    clearInterval(storm);
    const c = await settled(setup, (c) => c.received === 4 * perSocket);
    expect(c.dropped).toBeGreaterThan(0);
    expect(c).toMatchObject({ protocolErrors: 0, lostUpstream: 0, forwarded: 0 });
    expect(setup.sl.child.process.exitCode).toBeNull();
  },
  60_000,
);

test(
  "SeqNum values a local user forges (2^53, negative, a jump of 2^54) are not counted as lost upstream",
  async () => {
    const setup = await startHostileServeLogs();
    const socket = await connect(setup.path);
    await write(socket, concat([startup(), record({ seqNum: 1, sessionId: "s.1" })]));
    await write(socket, record({ seqNum: 2 ** 53, sessionId: "s.1" }));
    await write(socket, record({ seqNum: -(2 ** 53), sessionId: "s.2" }));
    await write(socket, record({ seqNum: 2 ** 53, sessionId: "s.2" }));
    await write(socket, record({ seqNum: 5, sessionId: "s.3" }));
    await write(socket, record({ seqNum: 8, sessionId: "s.3" })); // a real gap still counts
    const c = await settled(setup, (c) => c.received === 6 && c.pending === 0);
    expect(c.lostUpstream).toBe(2);
  },
  30_000,
);

test(
  "connections past what the open-file limit leaves room for are closed on arrival: serve-logs keeps descriptors to send with",
  async () => {
    // ulimit -n 300: 300 less the 256 kept for logplex, spool and stats leaves 44 connections.
    const lowFiles = ["bash", "-c", 'ulimit -Sn 300 && ulimit -Hn 300 && exec "$0" mod.ts "$@"', process.execPath];
    const setup = await startHostileServeLogs({ command: lowFiles, fakeFlags: [] });
    const genuine = await connect(setup.path);
    await write(genuine, startup());
    const flood: Socket[] = [];
    for (let i = 0; i < 400; i++) {
      const socket = createConnection({ path: setup.path });
      socket.on("error", () => {});
      flood.push(socket);
    }
    const during = await settled(setup, (c) => c.refusedConnections >= 400 - 43);
    expect(during.active).toBe(44);
    await write(genuine, record({ seqNum: 1 }));
    const c = await settled(setup, (c) => c.forwarded === 1);
    expect(c.failed).toBe(0);
    for (const socket of flood) socket.destroy();
    expect(setup.sl.child.stderr()).toContain("what the open-file limit (ulimit -n) leaves room for");
  },
  60_000,
);
