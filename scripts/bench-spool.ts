/**
 * serve-logs with --spool-dir, end to end (a real serve-logs process, the pgbench capture replayed on
 * real sockets), and the spool writer against the raw disk. Prints figures; asserts nothing.
 *
 *  1. burst: 8 connections send 800,000 records unpaced into a null sink, without and with a spool:
 *     records forwarded and dropped, time, serve-logs peak RSS.
 *  2. outage: logplex answers 503 for --outage seconds while senders run at --rate records/s; then it
 *     answers again while they keep sending (as long again): records spooled, time to drain, peak RSS, lost records.
 *  3. disk: the spool's own write path (append + group commit, in this process) in records/s and MB/s,
 *     against `dd ... conv=fdatasync` on the same file system.
 *
 * Run: bun scripts/bench-spool.ts [--records 800000] [--senders 8] [--outage 60] [--rate 50000] [--skip burst,outage,disk]
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildSenderLoad, runSender, type SenderLoad } from "./bench-logs-load.ts";
import { serveHttp } from "../src/http/serve.ts";
import { createDiskBudget } from "../src/logs/spool/disk-budget.ts";
import { openSpool } from "../src/logs/spool/spool.ts";
import { type ServeLogsProcess, startServeLogs, waitFor } from "../dev/log-processes.ts";

const IDENTITY = "bench identity";
const { values: args } = parseArgs({
  options: {
    records: { type: "string", default: "800000" },
    senders: { type: "string", default: "8" },
    outage: { type: "string", default: "60" },
    rate: { type: "string", default: "50000" },
    skip: { type: "string", default: "" },
  },
});
const skip = new Set(args.skip!.split(",").filter(Boolean));
const root = mkdtempSync(join(tmpdir(), "bench-spool-"));
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

try {
  console.log(
    `bench-spool: ${navigator.hardwareConcurrency} cores, load average ${
      readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")
    }`,
  );
  if (!skip.has("burst")) {
    await burst(false);
    await burst(true);
  }
  if (!skip.has("outage")) await outage(Number(args.outage), Number(args.rate));
  if (!skip.has("disk")) await disk();
} finally {
  rmSync(root, { recursive: true, force: true });
}

/** A logplex stand-in that counts messages, and answers 503 while `down`. */
async function sink() {
  const state = { messages: 0, down: false, url: "", close: async () => {} };
  const server = await serveHttp(async (request) => {
    await request.arrayBuffer();
    if (state.down) return new Response("down", { status: 503 });
    state.messages += Number(request.headers.get("logplex-msg-count") ?? 0);
    return new Response(null, { status: 204 });
  }, { hostname: "127.0.0.1", port: 0 });
  state.url = server.url.replace("://", "://token:t.bench@") + "/logs";
  state.close = () => server.close();
  return state;
}

async function serveLogs(
  name: string,
  url: string,
  extra: string[],
): Promise<{ sl: ServeLogsProcess; socket: string }> {
  const db = join(root, `db-${name}`);
  mkdirSync(db);
  const socket = join(root, `${name}.sock`);
  writeFileSync(join(db, "serves.loaded"), JSON.stringify({ serves: [{ i: IDENTITY, p: socket, url }] }));
  return { sl: await startServeLogs(db, ["--stats-interval", "1h", ...extra]), socket };
}

function loads(): SenderLoad[] {
  return Array.from({ length: Number(args.senders) }, (_, i) => buildSenderLoad(i, IDENTITY));
}

async function burst(withSpool: boolean): Promise<void> {
  const all = loads();
  const blocks = Math.max(1, Math.round(Number(args.records) / all[0]!.recordsPerBlock / all.length));
  const records = blocks * all[0]!.recordsPerBlock * all.length;
  const logplex = await sink();
  const name = withSpool ? "burst-spool" : "burst-memory";
  const { sl, socket } = await serveLogs(
    name,
    logplex.url,
    withSpool ? ["--spool-dir", join(root, "spool-burst")] : [],
  );
  try {
    const t0 = performance.now();
    const peak = peakSampler(sl, socket);
    await Promise.all(
      all.map((load, index) => runSender({ path: socket, load, index, blocks, blocksPerSecond: 0, sent: new Map() })),
    );
    const sent = (performance.now() - t0) / 1000;
    const done = await waitFor(
      async () => {
        const c = (await sl.counters()).get(socket);
        return c && c.received >= records && c.pending === 0 && c.spooled === 0 ? c : undefined;
      },
      900_000,
      () => "the burst to settle",
    );
    const seconds = (performance.now() - t0) / 1000;
    await peak.stop();
    console.log(
      `burst ${withSpool ? "with --spool-dir" : "memory only"}: ${
        fmt(records)
      } records from ${all.length} connections unpaced (sent in ${sent.toFixed(1)} s); ` +
        `forwarded ${fmt(done.forwarded)}, dropped ${fmt(done.dropped)}, ${peak.summary()}; all settled after ${
          seconds.toFixed(1)
        } s ` +
        `(${fmt(done.forwarded / seconds)} records/s); serve-logs peak RSS ${
          rssMb(sl, "VmHWM")
        } MB (aim: at most 150, nothing dropped); sink got ${fmt(logplex.messages)} messages`,
    );
  } finally {
    await sl.child.stop();
    await logplex.close();
  }
}

async function outage(outageSeconds: number, rate: number): Promise<void> {
  const all = loads().slice(0, 4);
  const logplex = await sink();
  const { sl, socket } = await serveLogs("outage", logplex.url, [
    "--spool-dir",
    join(root, "spool-outage"),
    "--spool-max",
    "8GiB",
    "--spool-max-total",
    "8GiB",
  ]);
  try {
    const blocksPerSecond = rate / all[0]!.recordsPerBlock / all.length;
    const sampler = rssSampler(sl);
    const peak = peakSampler(sl, socket, 500);
    logplex.down = true;
    const t0 = performance.now();
    const senders = all.map((load, index) =>
      runSender({
        path: socket,
        load,
        index,
        blocks: Math.ceil(blocksPerSecond * outageSeconds * 2),
        blocksPerSecond,
        sent: new Map(),
      })
    );
    await new Promise((resolve) => setTimeout(resolve, outageSeconds * 1000));
    const atRecovery = (await sl.counters()).get(socket)!;
    logplex.down = false;
    const tBack = performance.now();
    const drained = await waitFor(
      async () => {
        const c = (await sl.counters()).get(socket);
        return c && c.spooled === 0 && c.received > atRecovery.received ? c : undefined;
      },
      1_800_000,
      () => "the spool to drain",
    );
    const drainSeconds = (performance.now() - tBack) / 1000;
    await Promise.all(senders);
    const final = await waitFor(async () => {
      const c = (await sl.counters()).get(socket);
      return c && c.pending === 0 && c.spooled === 0 ? c : undefined;
    }, 600_000);
    sampler.stop();
    await peak.stop();
    const elapsed = (performance.now() - t0) / 1000;
    console.log(
      `outage: logplex 503 for ${outageSeconds} s with senders at ${fmt(rate)} records/s (${
        fmt(atRecovery.received)
      } received, ${fmt(atRecovery.spooled)} spooled, ` +
        `${(atRecovery.spoolBytes / 1e6).toFixed(0)} MB on disk); spool drained ${
          drainSeconds.toFixed(1)
        } s after logplex came back while senders kept going ` +
        `(${fmt(drained.forwarded - atRecovery.forwarded)} forwarded meanwhile, ${
          fmt((drained.forwarded - atRecovery.forwarded) / drainSeconds)
        } records/s); ` +
        `end: received ${fmt(final.received)}, forwarded ${fmt(final.forwarded)}, dropped ${
          fmt(final.dropped)
        }, failed ${final.failed} in ${elapsed.toFixed(0)} s; RSS peak ${
          rssMb(sl, "VmHWM")
        } MB, samples ${sampler.summary()}; ${peak.summary()}`,
    );
  } finally {
    await sl.child.stop();
    await logplex.close();
  }
}

/** The spool's write path alone against dd with fdatasync, on the same file system. */
async function disk(): Promise<void> {
  const dir = join(root, "disk");
  mkdirSync(dir);
  const ddBytes = 512 * 1024 * 1024;
  const dd = (flags: string) => {
    const line = execFileSync("sh", [
      "-c",
      `dd if=/dev/zero of=${join(dir, "dd.bin")} bs=1M count=${ddBytes >> 20} ${flags} 2>&1 | tail -1`,
    ], { encoding: "utf8" }).trim();
    rmSync(join(dir, "dd.bin"));
    return line.replace(/^.*copied, /, "");
  };
  const ddLine = `dd bs=1M conv=fdatasync (one flush at the end): ${
    dd("conv=fdatasync")
  }; dd bs=1M oflag=dsync (a flush per MiB, like the group commit): ${dd("oflag=dsync")}`;
  const counters = { received: 0, spooled: 0, spoolDropped: 0, dropped: 0 };
  const spool = openSpool({
    dir: join(dir, "spool"),
    counters,
    maxBytes: 4 * 1024 ** 3,
    budget: createDiskBudget(4 * 1024 ** 3),
    overflow: "drop-newest",
    commitIntervalMs: 100,
    maxAgeMs: 0,
    log: (_k, line) => console.log(line),
  });
  const payload = new TextEncoder().encode(
    `250 <134>1 2026-12-03T14:00:00.000000+00:00 postgres t.bench postgres.4242 - - ${"x".repeat(180)}`,
  );
  const total = 2_000_000;
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    spool.append(payload, { messages: 1, records: 1, timeMs: 0 });
    // As fast as the disk takes it: past 8 MiB waiting (half the spool's own bound), let the commit finish.
    if (i % 1000 === 0 && spool.stats().waitingBytes > 8 * 1024 * 1024) await spool.commitNow();
  }
  await spool.commitNow();
  const seconds = (performance.now() - t0) / 1000;
  const bytes = spool.stats().bytes;
  console.log(
    `disk: spool append + group commit (fdatasync every 100 ms or 4 MiB), producer paced by the disk, ${
      fmt(total)
    } records of ${payload.length} bytes: ${fmt(total / seconds)} records/s, ` +
      `${(bytes / seconds / 1e6).toFixed(0)} MB/s (${fmt(counters.dropped)} dropped for a slow disk); ${ddLine}`,
  );
  await spool.close();
}

function rssMb(sl: ServeLogsProcess, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${sl.child.process.pid}/status`, "utf8");
  return Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
}

/**
 * The most records spooled and pending at once, and the most spool bytes, from /metrics read every
 * `intervalMs` while the run goes on (a figure read only once the senders finished misses the peak).
 */
function peakSampler(
  sl: ServeLogsProcess,
  socket: string,
  intervalMs = 100,
): { stop(): Promise<void>; summary(): string } {
  const peak = { spooled: 0, pending: 0, spoolBytes: 0, samples: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const c = (await sl.counters()).get(socket);
      if (c) {
        peak.spooled = Math.max(peak.spooled, c.spooled);
        peak.pending = Math.max(peak.pending, c.pending);
        peak.spoolBytes = Math.max(peak.spoolBytes, c.spoolBytes);
        peak.samples++;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
    summary: () =>
      `most spooled at once ${fmt(peak.spooled)} (${(peak.spoolBytes / 1e6).toFixed(1)} MB), most pending ${
        fmt(peak.pending)
      } (${peak.samples} samples of /metrics, ${intervalMs} ms apart)`,
  };
}

function rssSampler(sl: ServeLogsProcess): { stop(): void; summary(): string } {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(rssMb(sl, "VmRSS")), 1000);
  return {
    stop: () => clearInterval(timer),
    summary: () => `min ${Math.min(...samples)} / max ${Math.max(...samples)} MB`,
  };
}
