/**
 * Sender throughput over loopback: N records of one ~240-byte message each, enqueued in slices (as
 * fast as the event loop allows, or paced at a target rate) into a separate
 * `posemo fake-logplexd --quiet` process (the benchmark's sink). Prints records/s, MB/s, requests and
 * what was dropped.
 * Run: bun scripts/bench-sender.ts [records] [records-per-second]
 * @module
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { resolve } from "node:path";
import { createLogplexSender } from "../src/logs/logplex/sender.ts";
import type { LogplexMessage } from "../src/logs/logplex/message.ts";
import { emptyCounters } from "../src/logs/stats.ts";

const records = Number(process.argv[2] ?? 1_000_000);
const rate = Number(process.argv[3] ?? 0);
const SLICE = 2000;

function sample(i: number, token: string): LogplexMessage {
  return {
    pri: 134,
    timestamp: `2026-11-21T04:23:${String(i % 60).padStart(2, "0")}.${String(i % 1_000_000).padStart(6, "0")}Z`,
    hostname: "postgres",
    appName: token,
    procId: `postgres.${10_000 + (i % 500)}`,
    body: `[main] [${i}-1]  sql_error_code = 00000 LOG:  duration: ${
      (i % 977) / 10
    } ms  statement: SELECT abalance FROM pgbench_accounts WHERE aid = ${i * 7};`,
  };
}

const sink = spawn(process.execPath, ["mod.ts", "fake-logplexd", "--quiet"], {
  cwd: resolve(import.meta.dirname, ".."),
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise<string>((done) => createInterface({ input: sink.stdout! }).once("line", done));
const token = decodeURIComponent(new URL(url).password);
const counters = emptyCounters();
const sender = createLogplexSender({
  url,
  counters,
  maxServeBytes: 32 * 1024 * 1024,
  log: (line) => console.error(line),
});

const start = performance.now();
const cpuStart = process.cpuUsage();
let bytes = 0;
for (let i = 0; i < records; i += SLICE) {
  for (let j = i; j < Math.min(records, i + SLICE); j++) {
    const message = sample(j, token);
    bytes += message.body.length + 90;
    counters.received++;
    sender.enqueue([message]);
  }
  const due = rate > 0 ? start + ((i + SLICE) / rate) * 1000 - performance.now() : 0;
  await new Promise((next) => (due > 0 ? setTimeout(next, due) : setImmediate(next)));
}
await sender.close(30_000);
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
sink.kill("SIGTERM");

const stats = sender.stats();
console.log(
  `${rate > 0 ? `paced at ${rate.toLocaleString("en")}/s: ` : "unpaced: "}${records.toLocaleString("en")} records in ${
    seconds.toFixed(2)
  } s: ${Math.round(counters.forwarded / seconds).toLocaleString("en")} records/s forwarded, ~${
    (bytes / seconds / 1e6).toFixed(1)
  } MB/s`,
);
console.log(
  `forwarded ${counters.forwarded}, dropped ${counters.dropped}, failed ${counters.failed}, rejected ${counters.rejected}; ${stats.requests} requests, ${stats.retries} retries, ${stats.timeouts} timeouts`,
);
console.log(
  `sender process CPU: ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (${
    (((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)
  }% of one core), ${
    (((cpu.user + cpu.system) / counters.forwarded) * 1000).toFixed(0)
  } ns per record (sample generation included); RSS at the end ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
);
