/**
 * serve-logs end to end: M senders replay the pgbench capture (each with its own session) through a
 * real `posemo serve-logs` process into a null logplex sink in this process (which times probe
 * records) and into `posemo fake-logplexd --quiet`, against a raw socket drain of the same streams
 * as the baseline. Prints records/s, MB/s, p50/p99 record latency, serve-logs CPU and peak RSS, RSS
 * with 1,000 connections, and RSS over a paced soak. Figures, not a test.
 *
 * Run: bun scripts/bench-logs.ts [--senders 4] [--records 1000000] [--soak 60] [--soak-rate 100000]
 *      [--fake-rate 200000] [--connections 1000] [--format legacy]
 * @module
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import { createConnection, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createInterface } from "node:readline";
import {
  buildSenderLoad,
  latencies,
  type NullSink,
  type ProbeTimes,
  runDrain,
  runSender,
  type SenderLoad,
  startNullSink,
} from "./bench-logs-load.ts";
import { type ServeLogsProcess, startFakeLogplexd, startServeLogs, waitFor } from "../dev/log-processes.ts";

const IDENTITY = "bench identity";
const { values: args } = parseArgs({
  options: {
    senders: { type: "string", default: "4" },
    records: { type: "string", default: "1000000" },
    soak: { type: "string", default: "60" },
    "soak-rate": { type: "string", default: "100000" },
    connections: { type: "string", default: "1000" },
    "fake-rate": { type: "string", default: "200000" },
    format: { type: "string", default: "legacy" },
    drain: { type: "string" },
    bytes: { type: "string" },
  },
});
if (args.drain) {
  await runDrain(args.drain, Number(args.bytes));
} else {
  await main();
}

async function main(): Promise<void> {
  const senders = Number(args.senders);
  const loads = Array.from({ length: senders }, (_, i) => buildSenderLoad(i, IDENTITY));
  const perBlock = loads[0]!.recordsPerBlock;
  const blocks = Math.max(1, Math.round(Number(args.records) / perBlock / senders));
  const records = blocks * perBlock * senders;
  const bytes = blocks * loads[0]!.block.length * senders;
  const root = mkdtempSync(join(tmpdir(), "bench-logs-"));
  console.log(
    `bench-logs: ${senders} senders × ${blocks} replays of pg15-pgbench-client (${perBlock} records, ${
      loads[0]!.block.length
    } bytes) = ${fmt(records)} records, ${
      (bytes / 1e6).toFixed(0)
    } MB; format ${args.format}; ${navigatorCores()} cores`,
  );
  try {
    await baseline(root, loads, blocks, records, bytes);
    const sink = await startNullSink();
    const sl = await serveLogsInto(root, "null", sink.url);
    try {
      await burst("serve-logs → null sink", sl, loads, blocks, records, bytes, sink);
      await manyConnections(sl, Number(args.connections));
      await paced(`soak ${args.soak} s`, sl, loads, Number(args["soak-rate"]), Number(args.soak), sink);
    } finally {
      await sl.child.stop();
      await sink.server.close();
    }
    const fake = await startFakeLogplexd(root);
    const viaFake = await serveLogsInto(root, "fake", fake.url);
    try {
      await burst("serve-logs → fake-logplexd --quiet", viaFake, loads, blocks, records, bytes);
      await paced("serve-logs → fake-logplexd --quiet, paced 5 s", viaFake, loads, Number(args["fake-rate"]), 5);
    } finally {
      await viaFake.child.stop();
      await fake.child.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The raw drain: the same streams into a process that only counts bytes. */
async function baseline(
  root: string,
  loads: SenderLoad[],
  blocks: number,
  records: number,
  bytes: number,
): Promise<void> {
  const path = join(root, "drain.sock");
  const startupBytes = loads.reduce((n, l) => n + l.startup.length, 0);
  const drain = spawn(process.execPath, [
    import.meta.filename,
    "--drain",
    path,
    "--bytes",
    String(bytes + startupBytes),
  ], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: drain.stdout! })[Symbol.asyncIterator]();
  await lines.next(); // ready
  const t0 = performance.now();
  const sent: ProbeTimes = new Map();
  await Promise.all(loads.map((load, index) => runSender({ path, load, index, blocks, blocksPerSecond: 0, sent })));
  await lines.next(); // done
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `raw socket drain (baseline): ${fmt(records / seconds)} records/s, ${(bytes / seconds / 1e6).toFixed(0)} MB/s`,
  );
}

async function serveLogsInto(root: string, name: string, url: string): Promise<ServeLogsProcess> {
  const db = join(root, `db-${name}`);
  mkdirSync(db);
  writeFileSync(
    join(db, "serves.loaded"),
    JSON.stringify({ serves: [{ i: IDENTITY, p: join(root, `${name}.sock`), url, format: args.format }] }),
  );
  return startServeLogs(db, ["--stats-interval", "1h"]);
}

/** Unpaced: every sender as fast as its socket takes the bytes; done when the sink has every record. */
async function burst(
  label: string,
  sl: ServeLogsProcess,
  loads: SenderLoad[],
  blocks: number,
  records: number,
  bytes: number,
  sink?: NullSink,
): Promise<void> {
  const path = [...(await sl.counters()).keys()][0]!;
  const cpu0 = cpuSeconds(sl);
  const sent: ProbeTimes = new Map();
  sink?.arrived.clear();
  const t0 = performance.now();
  await Promise.all(loads.map((load, index) => runSender({ path, load, index, blocks, blocksPerSecond: 0, sent })));
  const settled = await waitFor(
    async () => {
      const c = (await sl.counters()).get(path);
      return c && c.received >= records && c.pending === 0 ? c : undefined;
    },
    600_000,
    () => "records to settle",
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(sl) - cpu0;
  console.log(
    `${label}: ${fmt(settled.forwarded / seconds)} records/s, ${
      (bytes / seconds / 1e6).toFixed(0)
    } MB/s of logfebe input; forwarded ${
      fmt(settled.forwarded)
    }, dropped ${settled.dropped}, failed ${settled.failed}; serve-logs CPU ${cpu.toFixed(1)} s (${
      ((cpu / seconds) * 100).toFixed(0)
    }% of a core, ${((cpu / settled.received) * 1e6).toFixed(2)} µs/record), peak RSS ${rssMb(sl, "VmHWM")} MB`,
  );
  if (sink) printLatency("  latency (burst, includes queueing behind the whole burst)", sent, sink.arrived);
}

/** RSS of serve-logs with `count` connections open, each having sent its startup frames and one block. */
async function manyConnections(sl: ServeLogsProcess, count: number): Promise<void> {
  const path = [...(await sl.counters()).keys()][0]!;
  const before = rssMb(sl, "VmRSS");
  const load = buildSenderLoad(1000, IDENTITY);
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const socket = createConnection({ path });
    socket.on("error", () => {});
    await once(socket, "connect");
    socket.write(load.startup);
    socket.write(load.block.subarray(0, 2000)); // a few records and a partial frame: a realistic read buffer
    sockets.push(socket);
    // Bun keeps a unix socket's accept queue at 512 whatever backlog is asked: connect in steps.
    if (sockets.length % 200 === 0) {
      await waitFor(
        async () => ((await sl.counters()).get(path)?.active === sockets.length ? true : undefined),
        60_000,
      );
    }
  }
  await waitFor(
    async () => ((await sl.counters()).get(path)?.active === count ? true : undefined),
    60_000,
    () => "connections",
  );
  await new Promise((r) => setTimeout(r, 1000));
  console.log(`${fmt(count)} concurrent connections: serve-logs RSS ${rssMb(sl, "VmRSS")} MB (${before} MB before)`);
  for (const socket of sockets) socket.destroy();
}

/** Paced senders at `rate` records/s for `seconds`; serve-logs RSS sampled every second; probe latency when the sink times them. */
async function paced(
  label: string,
  sl: ServeLogsProcess,
  loads: SenderLoad[],
  rate: number,
  seconds: number,
  sink?: NullSink,
): Promise<void> {
  if (seconds <= 0) return;
  const path = [...(await sl.counters()).keys()][0]!;
  const blocksPerSecond = rate / loads[0]!.recordsPerBlock / loads.length;
  const blocks = Math.ceil(blocksPerSecond * seconds);
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssMb(sl, "VmRSS")), 1000);
  const sent: ProbeTimes = new Map();
  sink?.arrived.clear();
  const c0 = (await sl.counters()).get(path)!;
  const t0 = performance.now();
  await Promise.all(
    loads.map((load, index) => runSender({ path, load, index: index + 100, blocks, blocksPerSecond, sent })),
  );
  const c = await waitFor(
    async () => {
      const now = (await sl.counters()).get(path)!;
      return now.pending === 0 ? now : undefined;
    },
    60_000,
    () => "pending records to settle",
  );
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const received = c.received - c0.received;
  console.log(
    `${label} at ${fmt(rate)} records/s: ${fmt(received / elapsed)} records/s achieved, forwarded ${
      fmt(c.forwarded - c0.forwarded)
    } of ${fmt(received)}, dropped ${c.dropped - c0.dropped}; ${rssTrend(samples)}`,
  );
  if (sink) printLatency("  latency (paced)", sent, sink.arrived);
}

/** RSS after warm-up (second tenth of the samples) against the last tenth. */
function rssTrend(samples: number[]): string {
  if (samples.length < 2) return `RSS ${samples[0] ?? "?"} MB`;
  const tenth = Math.max(1, Math.floor(samples.length / 10));
  const avg = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
  const early = avg(samples.slice(tenth, 2 * tenth));
  const late = avg(samples.slice(-tenth));
  const every = Math.max(1, Math.round(samples.length / 12));
  const trace = samples.filter((_, i) => i % every === 0).join(" ");
  return `RSS ${early} MB after warm-up → ${late} MB at the end (${late >= early ? "+" : ""}${late - early} MB), max ${
    Math.max(...samples)
  } MB; every ${every} s: ${trace}`;
}

function printLatency(label: string, sent: ProbeTimes, arrived: ProbeTimes): void {
  const l = latencies(sent, arrived);
  console.log(`${label}: p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms over ${fmt(l.count)} probe records`);
}

function rssMb(sl: ServeLogsProcess, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${sl.child.process.pid}/status`, "utf8");
  return Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
}

/** User + system CPU seconds of the serve-logs process. */
function cpuSeconds(sl: ServeLogsProcess): number {
  const fields = readFileSync(`/proc/${sl.child.process.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function navigatorCores(): number {
  return (globalThis.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 0;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en");
}
