/**
 * A serveLogs for the spool's end-to-end tests: one serve whose logplex (a real fake-logplexd) can be
 * down and come back on the same port, serve-logs processes started, SIGKILLed and started again on
 * the same spool directory, numbered records whose arrival can be counted one by one.
 * @module
 */
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { concat, encodeIdentity, encodeRecord, encodeVersion, sendFrames } from "../../dev/logfebe-sender.ts";
import {
  type Child,
  type FakeLogplexdProcess,
  type ServeFigures,
  type ServeLogsProcess,
  startFakeLogplexd,
  startServeLogs,
  tempServeDirs,
  waitFor,
} from "../../dev/log-processes.ts";
import { sampleRecord } from "../../dev/sample-record.ts";

const IDENTITY = "spool identity";
const VERSION = "PG-15.20 (Debian 15.20-0+deb12u1)/logfebe-1";
export const TOKEN = "t.spool-token";
const MARK = /spool-record-(\d{7})/;

/** The serve, its sockets and processes; `cleanUp` kills and removes everything. */
export interface SpoolServeLogs {
  readonly root: string;
  readonly db: string;
  readonly socket: string;
  readonly spoolDir: string;
  readonly port: number;
  logplex: FakeLogplexdProcess | undefined;
  /** Starts serve-logs with the spool flags and `extra`. */
  startServeLogs(extra?: readonly string[]): Promise<ServeLogsProcess>;
  /** Starts fake-logplexd on the serve's port (logplex comes back). */
  logplexUp(extra?: readonly string[]): Promise<FakeLogplexdProcess>;
  cleanUp(): Promise<void>;
}

/** Creates the serveLogs; logplex is down until `logplexUp()`. `spoolDir` may point elsewhere (a small tmpfs). */
export async function startSpoolServeLogs(spoolDir?: string): Promise<SpoolServeLogs> {
  const dirs = tempServeDirs("spool-e2e-");
  const port = await freePort();
  const socket = dirs.socket("web");
  const children: Child[] = [];
  writeFileSync(
    join(dirs.db, "serves.loaded"),
    JSON.stringify({
      serves: [{ i: IDENTITY, p: socket, url: `http://token:${TOKEN}@127.0.0.1:${port}/logs`, name: "web" }],
    }),
  );
  const serveLogs: SpoolServeLogs = {
    root: dirs.root,
    db: dirs.db,
    socket,
    port,
    logplex: undefined,
    spoolDir: spoolDir ?? join(dirs.root, "spool"),
    async startServeLogs(extra = []) {
      const sl = await startServeLogs(dirs.db, [
        "--spool-dir",
        serveLogs.spoolDir,
        "--flush-interval",
        "20ms",
        // A request that times out after logplex took it is sent again: a duplicate no cursor can
        // see. 1 s and even 10 s were exceeded on a loaded 2-core machine; nothing here waits on a
        // silent logplex, so a long deadline only keeps the duplicate count about the kills.
        "--request-timeout",
        "60s",
        ...extra,
      ]);
      children.push(sl.child);
      return sl;
    },
    async logplexUp(extra = []) {
      const logplex = await startFakeLogplexd(dirs.root, ["--port", String(port), ...extra], TOKEN);
      children.push(logplex.child);
      serveLogs.logplex = logplex;
      return logplex;
    },
    async cleanUp() {
      await Promise.all(children.splice(0).map((child) => child.stop("SIGKILL")));
      dirs.cleanup();
    },
  };
  return serveLogs;
}

/** The pg_logfebe stream of records `from` to `to - 1` on one connection, each carrying its number. */
export function numberedStream(from: number, to: number, sessionId = "6b011ba6.1602"): Uint8Array {
  const frames = [encodeVersion(VERSION), encodeIdentity(IDENTITY)];
  for (let i = from; i < to; i++) {
    const marked = `spool-record-${String(i).padStart(7, "0")}`;
    frames.push(
      encodeRecord(
        sampleRecord({
          sessionId,
          seqNum: i + 1,
          errMessage: marked,
          errDetail: null,
          userQuery: null,
          userQueryPos: -1,
        }),
      ),
    );
  }
  return concat(frames);
}

/** Sends `count` numbered records over `connections` connections at once (as many PostgreSQL processes). */
export async function sendNumbered(socket: string, count: number, connections = 4, first = 0): Promise<void> {
  const per = Math.ceil(count / connections);
  // Every stream is built before the first connection opens: building one takes seconds on a loaded
  // machine, and a connection that says nothing that long is closed by serve-logs (no startup).
  const streams = Array.from({ length: connections }, (_, c) => {
    const from = first + c * per;
    return numberedStream(from, Math.min(first + count, from + per), `6b011ba6.${first + c}`);
  });
  await Promise.all(streams.map((stream) => sendFrames(socket, stream, { chunkSize: 64 * 1024 })));
}

/** The record numbers logplex received, in arrival order (duplicates included). */
export function arrivedNumbers(logplex: FakeLogplexdProcess): number[] {
  return logplex.recorded().flatMap((m) => {
    const match = MARK.exec(m.msg);
    return match ? [Number(match[1])] : [];
  });
}

/** The serve's figures once `ok` holds. */
export async function figuresWhen(
  sl: ServeLogsProcess,
  socket: string,
  ok: (c: ServeFigures) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<ServeFigures> {
  return waitFor(
    async () => {
      const c = (await sl.counters()).get(socket);
      return c && ok(c) ? c : undefined;
    },
    timeoutMs,
    () => what,
  );
}

/** Bytes of segment files on disk under `spoolDir` (every serve). */
export function segmentBytesOnDisk(spoolDir: string): number {
  let total = 0;
  for (const serve of readdirSync(spoolDir, { withFileTypes: true })) {
    if (!serve.isDirectory()) continue;
    for (const name of readdirSync(join(spoolDir, serve.name))) {
      if (name.endsWith(".seg")) total += statSync(join(spoolDir, serve.name, name)).size;
    }
  }
  return total;
}

/** Segment files under `spoolDir`, oldest first. */
export function segmentFiles(spoolDir: string): string[] {
  return readdirSync(spoolDir, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) =>
    readdirSync(join(spoolDir, d.name)).filter((n) => n.endsWith(".seg")).sort().map((n) => join(spoolDir, d.name, n))
  );
}

/** Waits until everything the spool counts is written to its files (a SIGKILL then loses nothing). */
export async function spoolOnDisk(sl: ServeLogsProcess, serveLogs: SpoolServeLogs): Promise<void> {
  await waitFor(
    async () => {
      const c = (await sl.counters()).get(serveLogs.socket);
      return c && c.spoolBytes > 0 && segmentBytesOnDisk(serveLogs.spoolDir) === c.spoolBytes ? true : undefined;
    },
    30_000,
    () => "the spool's bytes to be on disk",
  );
}

/** A loopback port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
