/**
 * A serve-logs process with one serve into a fake-logplexd, and raw connections to it, for the tests
 * that play a hostile local user or database user: every wait is bounded, every socket and process
 * is cleaned up by `cleanUp()` (call it in afterEach).
 * @module
 */
import { expect } from "bun:test";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { join } from "node:path";
import type { LogRecord } from "../../src/logs/record.ts";
import { countersBalance } from "../../src/logs/stats.ts";
import { concat, encodeIdentity, encodeRecord, encodeVersion } from "../../dev/logfebe-sender.ts";
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

export const VERSION = "PG-15.20 (Debian 15.20-0+deb12u1)/logfebe-1";
export const IDENTITY = "e2e identity";

const tempDirs: Array<ReturnType<typeof tempServeDirs>> = [];
const children: Child[] = [];
const sockets: Socket[] = [];

/** Closes every socket, kills every process and removes every directory made so far. */
export async function cleanUp(): Promise<void> {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(children.splice(0).map((child) => child.stop("SIGKILL")));
  for (const serveLogs of tempDirs.splice(0)) serveLogs.cleanup();
}

/** A running serve-logs with one serve named `web` (format `format`) into a fake-logplexd started with `fakeFlags`. */
export interface HostileServeLogs {
  readonly sl: ServeLogsProcess;
  readonly logplex: FakeLogplexdProcess;
  /** The serve's socket. */
  readonly path: string;
  readonly root: string;
}

export async function startHostileServeLogs(
  options: {
    flags?: string[];
    fakeFlags?: string[];
    format?: string;
    serve?: Record<string, unknown>;
    /** How serve-logs is started (e.g. under a shell that lowers ulimit -n). */
    command?: readonly string[];
  } = {},
): Promise<HostileServeLogs> {
  const dirs = tempServeDirs();
  tempDirs.push(dirs);
  const logplex = await startFakeLogplexd(dirs.root, options.fakeFlags ?? []);
  children.push(logplex.child);
  const serve = {
    i: IDENTITY,
    p: dirs.socket("web"),
    url: logplex.url,
    name: "web",
    format: options.format ?? "heroku",
    ...options.serve,
  };
  writeFileSync(join(dirs.db, "serves.loaded"), JSON.stringify({ serves: [serve] }));
  const flags = options.flags ?? [];
  const sl = await startServeLogs(
    dirs.db,
    [
      ...(flags.includes("--flush-interval") ? [] : ["--flush-interval", "20ms"]),
      ...flags,
    ],
    {},
    { command: options.command },
  );
  children.push(sl.child);
  return { sl, logplex, path: serve.p, root: dirs.root };
}

/** Opens a raw connection, as one PostgreSQL process would. */
export async function connect(path: string): Promise<Socket> {
  const socket = createConnection({ path });
  sockets.push(socket);
  socket.on("error", () => {});
  await once(socket, "connect");
  return socket;
}

/** V and I frames of a PostgreSQL 15 process with the serve's identity. */
export function startup(identity = IDENTITY): Uint8Array {
  return concat([encodeVersion(VERSION), encodeIdentity(identity)]);
}

/** An `L` frame: the sample ERROR record with `overrides`. */
export function record(overrides: Partial<LogRecord> = {}): Uint8Array {
  return encodeRecord(sampleRecord(overrides));
}

/** A frame header of `type` announcing `length` (as the length field counts: 4 + payload). */
export function header(type: number, length: number): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, length);
  return out;
}

/** Waits until the serve's counters satisfy `ok`, then checks the invariant on them. */
export async function settled(
  serveLogs: HostileServeLogs,
  ok: (c: ServeFigures) => boolean,
  timeoutMs = 20_000,
): Promise<ServeFigures> {
  const counters = await waitFor(
    async () => {
      const c = (await serveLogs.sl.counters()).get(serveLogs.path);
      return c && ok(c) ? c : undefined;
    },
    timeoutMs,
    () => `counters of ${serveLogs.path}`,
  );
  expect(countersBalance(counters)).toBe(true);
  return counters;
}

/** One process-wide figure from /metrics (a series without labels). */
export async function processFigure(serveLogs: HostileServeLogs, name: string): Promise<number> {
  const text = await (await fetch(`${serveLogs.sl.statsUrl}/metrics`)).text();
  const match = new RegExp(`^${name} (\\d+)$`, "m").exec(text);
  if (!match) throw new Error(`/metrics has no ${name}`);
  return Number(match[1]);
}

/** Resident set size now and at its peak, in bytes, of a process (Linux /proc). */
export async function residentBytes(pid: number): Promise<{ now: number; peak: number }> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
  return { now: kib("VmRSS"), peak: kib("VmHWM") };
}
