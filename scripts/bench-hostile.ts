/**
 * serve-logs under hostile input, end to end: a real `posemo serve-logs` into a real
 * `posemo fake-logplexd --quiet --refuse POISON --record FILE`, fed at once by
 *   - a paced genuine stream (several PostgreSQL-like connections, each record numbered),
 *   - amplifying records (a statement of a million newlines, a megabyte without one, every field long),
 *   - half frames: headers announcing 1 MiB and half a body, on many connections,
 *   - slowloris connections writing a frame a byte a second,
 *   - poisoned records (invalid LogTimes, text logplex refuses),
 * and prints: genuine records delivered (all of them, or the run failed), serve-logs CPU per record,
 * its RSS before, at peak and at the end against --max-memory, and the counter invariant
 * received = forwarded + dropped + rejected + failed + pending + spooled. Figures, not a test.
 *
 * Run: bun scripts/bench-hostile.ts [--seconds 20] [--rate 1000] [--half-frames 1500] [--slow 100]
 *      [--max-memory 16MiB] [--format heroku]
 * @module
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { LogRecord } from "../src/logs/record.ts";
import { countersBalance } from "../src/logs/stats.ts";
import { concat, encodeIdentity, encodeRecord, encodeVersion } from "../dev/logfebe-sender.ts";
import { sampleRecord } from "../dev/sample-record.ts";
import { type ServeLogsProcess, startFakeLogplexd, startServeLogs, waitFor } from "../dev/log-processes.ts";

const IDENTITY = "bench identity";
const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "20" },
    rate: { type: "string", default: "1000" },
    "half-frames": { type: "string", default: "1500" },
    slow: { type: "string", default: "100" },
    "max-memory": { type: "string", default: "16MiB" },
    format: { type: "string", default: "heroku" },
  },
});
const seconds = Number(args.seconds);
const startup = concat([encodeVersion("PG-15.20 (Debian 15.20-0+deb12u1)/logfebe-1"), encodeIdentity(IDENTITY)]);
const sockets: Socket[] = [];
let stopping = false;

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "bench-hostile-"));
  const logplex = await startFakeLogplexd(root, ["--refuse", "POISON"], "t.bench-token");
  const path = join(root, "web.sock");
  const db = join(root, "db");
  mkdirSync(db);
  writeFileSync(
    join(db, "serves.loaded"),
    JSON.stringify({ serves: [{ i: IDENTITY, p: path, url: logplex.url, name: "web", format: args.format }] }),
  );
  const sl = await startServeLogs(db, [
    "--max-memory",
    args["max-memory"]!,
    "--frame-timeout",
    "2s",
    "--stats-interval",
    "1h",
    "--max-connections",
    "10000",
  ]);
  console.log(
    `bench-hostile: ${seconds} s, genuine ${args.rate} records/s, ${
      args["half-frames"]
    } half-frame connections, ${args.slow} slowloris, --max-memory ${args["max-memory"]}, format ${args.format}`,
  );
  try {
    await amplifyingAlone(sl, path);
    const before = memory(sl);
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(memory(sl).rss), 200);
    const cpu0 = cpuSeconds(sl);
    const attacks = [
      amplifiers(path),
      halfFrames(path, Number(args["half-frames"])),
      slowloris(path, Number(args.slow)),
      poisoned(path),
    ];
    const genuine = await genuineStream(path, Number(args.rate));
    stopping = true;
    const sent = await Promise.all(attacks);
    for (const socket of sockets) socket.destroy();
    const c = await waitFor(
      async () => {
        const now = (await sl.counters()).get(path);
        return now && now.pending === 0 && now.active === 0 ? now : undefined;
      },
      120_000,
      () => "everything to settle",
    );
    clearInterval(sampler);
    const cpu = cpuSeconds(sl) - cpu0;
    const delivered = genuineDelivered(logplex.recorded().map((m) => m.msg));
    const after = memory(sl);
    const budget = parseSize(args["max-memory"]!);
    console.log(
      `genuine records delivered: ${fmt(delivered)} of ${fmt(genuine)}${
        delivered === genuine ? " (all)" : " (MISSING SOME)"
      }`,
    );
    console.log(
      `hostile input sent: ${fmt(sent[0]!)} amplifying records, ${fmt(sent[1]!)} half frames, ${
        fmt(sent[2]!)
      } slowloris bytes, ${fmt(sent[3]!)} poisoned records`,
    );
    console.log(
      `serve-logs CPU: ${cpu.toFixed(2)} s for ${fmt(c.received)} records = ${
        ((cpu / c.received) * 1e6).toFixed(1)
      } µs/record (${((cpu / seconds) * 100).toFixed(0)}% of a core over the run)`,
    );
    console.log(
      `serve-logs RSS: ${mb(before.rss)} MB before, peak ${mb(after.peak)} MB (sampled max ${
        mb(Math.max(...samples))
      }), ${mb(after.rss)} MB at the end; --max-memory ${mb(budget)} MB, so overhead beyond the budget ${
        mb(after.peak - budget)
      } MB`,
    );
    console.log(
      `counters: received ${fmt(c.received)} = forwarded ${fmt(c.forwarded)} + dropped ${fmt(c.dropped)} + rejected ${
        fmt(c.rejected)
      } + failed ${fmt(c.failed)} + pending ${c.pending} + spooled ${c.spooled}: ${
        countersBalance(c) ? "holds" : "DOES NOT HOLD"
      }`,
    );
    console.log(
      `connections: ${fmt(c.connections)} accepted, ${fmt(c.stalled)} stalled or evicted, ${
        fmt(c.refusedConnections)
      } refused over the limit, ${fmt(c.protocolErrors)} protocol errors; records: ${
        fmt(c.truncatedRecords)
      } cut to the cap (${fmt(c.cutBytes)} bytes), ${fmt(c.invalidTimes)} invalid LogTimes`,
    );
  } finally {
    stopping = true;
    for (const socket of sockets) socket.destroy();
    await sl.child.stop();
    await logplex.child.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

async function open(path: string): Promise<Socket> {
  const socket = createConnection({ path });
  sockets.push(socket);
  socket.on("error", () => {});
  await once(socket, "connect");
  return socket;
}

/** Writes and waits for the kernel to take the bytes (never rejects). */
function write(socket: Socket, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    const done = () => {
      socket.off("close", done);
      resolve();
    };
    socket.once("close", done);
    socket.write(bytes, done);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `rate` numbered records per second over 4 connections for the run; returns how many were sent. */
async function genuineStream(path: string, rate: number): Promise<number> {
  const backends = 4;
  const perBackend = Math.round((rate * seconds) / backends);
  const counts = await Promise.all(Array.from({ length: backends }, async (_, b) => {
    const socket = await open(path);
    await write(socket, startup);
    const t0 = performance.now();
    for (let i = 0; i < perBackend; i++) {
      const n = b * perBackend + i;
      await write(
        socket,
        encodeRecord(
          sampleRecord({
            pid: 1000 + b,
            seqNum: i + 1,
            sessionId: `genuine.${b}`,
            errMessage: `genuine-${n}-end`,
            logTime: new Date().toISOString().replace("T", " ").replace("Z", " UTC"),
          }),
        ),
      );
      const due = t0 + ((i + 1) * 1000 * backends) / rate;
      if (due > performance.now()) await sleep(due - performance.now());
    }
    return perBackend;
  }));
  return counts.reduce((a, b) => a + b, 0);
}

const AMPLIFYING: Partial<LogRecord>[] = [
  { userQuery: `select 1/0 /*${"\n".repeat(1_000_000)}*/` },
  { userQuery: "x".repeat(1_000_000) },
  {
    errDetail: "\n".repeat(190_000),
    errHint: "\n".repeat(190_000),
    errContext: "\n".repeat(190_000),
    internalQuery: "\n".repeat(190_000),
    userQuery: "\n".repeat(190_000),
  },
];

/** One amplifying record (about 1 MB) every 100 ms from one database user, reconnecting when closed. */
async function amplifiers(path: string): Promise<number> {
  const frames = AMPLIFYING.map((fields, i) =>
    encodeRecord(sampleRecord({ ...fields, pid: 66, sessionId: "amplifier", seqNum: i + 1 }))
  );
  let socket = await open(path);
  await write(socket, startup);
  let sent = 0;
  while (!stopping) {
    if (socket.destroyed) {
      // Closed (evicted while its 1 MB frame waited for memory): reconnect, as pg_logfebe does.
      socket = await open(path);
      await write(socket, startup);
    }
    await write(socket, frames[sent % frames.length]!);
    sent++;
    await sleep(100);
  }
  return sent;
}

/** 30 amplifying records alone, one after the other: serve-logs CPU per such record (about 1 MB each). */
async function amplifyingAlone(sl: ServeLogsProcess, path: string): Promise<void> {
  const frames = AMPLIFYING.map((fields, i) =>
    encodeRecord(sampleRecord({ ...fields, pid: 65, sessionId: "alone", seqNum: i + 1 }))
  );
  const socket = await open(path);
  await write(socket, startup);
  const c0 = (await sl.counters()).get(path)!;
  const cpu0 = cpuSeconds(sl);
  for (let i = 0; i < 30; i++) await write(socket, frames[i % frames.length]!);
  await waitFor(
    async () => ((await sl.counters()).get(path)!.received - c0.received === 30 ? true : undefined),
    60_000,
    () => "30 amplifying records",
  );
  const cpu = cpuSeconds(sl) - cpu0;
  socket.destroy();
  console.log(
    `amplifying records alone (a statement of a million newlines, a megabyte without one, five 190 kB fields of newlines): ${
      ((cpu / 30) * 1000).toFixed(1)
    } ms CPU per record`,
  );
}

/** `count` connections, each a header announcing 1 MiB and 512 KiB of its body, then silence. */
async function halfFrames(path: string, count: number): Promise<number> {
  const header = Uint8Array.of(0x4c, 0x00, 0x10, 0x00, 0x00);
  const half = concat([startup, header, new Uint8Array(512 * 1024)]);
  let sent = 0;
  for (let i = 0; i < count && !stopping; i++) {
    const socket = await open(path);
    void write(socket, half);
    sent++;
    if (i % 100 === 99) await sleep(50); // Bun keeps a unix socket's accept queue at 512
  }
  return sent;
}

/** `count` connections writing one frame a byte a second. */
async function slowloris(path: string, count: number): Promise<number> {
  const frame = concat([startup, encodeRecord(sampleRecord({ pid: 77 }))]);
  const socketsHere = await Promise.all(Array.from({ length: count }, () => open(path)));
  let bytes = 0;
  for (let at = 0; !stopping; at++) {
    for (const socket of socketsHere) {
      if (!socket.destroyed && at < frame.length) socket.write(frame.subarray(at, at + 1));
    }
    bytes += socketsHere.filter((s) => !s.destroyed).length;
    await sleep(1000);
  }
  return bytes;
}

const POISONED_TIMES = [
  "2026-11-21 04;32:06.832 UTC",
  "2026-13-01 00:00:00 UTC",
  "2026-11-21 24:00:00 UTC",
  "",
  "2026-11-21 04:32:06 +99",
  "2026-11-21T04:32:06Z",
];

/** 100 poisoned records a second: bad LogTimes, and text the fake logplex refuses with 400. */
async function poisoned(path: string): Promise<number> {
  const socket = await open(path);
  await write(socket, startup);
  let sent = 0;
  while (!stopping && !socket.destroyed) {
    const logTime = POISONED_TIMES[sent % POISONED_TIMES.length]!;
    const errMessage = sent % 10 === 0 ? "has POISON in it" : "poisoned time";
    await write(
      socket,
      encodeRecord(sampleRecord({ pid: 88, sessionId: "poison", seqNum: sent + 1, logTime, errMessage })),
    );
    sent++;
    await sleep(10);
  }
  return sent;
}

/** Distinct genuine record numbers among the messages logplex accepted. */
function genuineDelivered(messages: readonly string[]): number {
  const seen = new Set<string>();
  for (const message of messages) {
    const match = /genuine-(\d+)-end/.exec(message);
    if (match) seen.add(match[1]!);
  }
  return seen.size;
}

function memory(sl: ServeLogsProcess): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${sl.child.process.pid}/status`, "utf8");
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

function cpuSeconds(sl: ServeLogsProcess): number {
  const fields = readFileSync(`/proc/${sl.child.process.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function parseSize(text: string): number {
  const match = /^(\d+)(KiB|MiB|GiB)?$/.exec(text);
  const unit = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }[match?.[2] as "KiB"] ?? 1;
  return Number(match?.[1]) * unit;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
const fmt = (n: number) => Math.round(n).toLocaleString("en");

await main();
