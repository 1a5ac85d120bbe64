/**
 * Micro benchmark of the log half's pure core: decodes the pgbench capture over and over, fed in 64 KiB
 * chunks like a socket delivers it, and prints records/s and MB/s for decoding alone and for decoding
 * plus formatting in each format. Usage: `bun scripts/bench-decode.ts [records, default 1000000]`
 * (also runs under `deno run -A`).
 */
import { createFebeDecoder } from "../src/logs/febe/decode.ts";
import { formatRecord, type LogFormat } from "../src/logs/logplex/format.ts";
import type { LogRecord } from "../src/logs/record.ts";
import { readFixture } from "../dev/fixtures.ts";

const RECORDS = Number(process.argv[2] ?? 1_000_000);
const CHUNK = 64 * 1024;
const ROUNDS = 3;

const capture = readFixture("pg15-pgbench-client.bin");
const startup = capture.subarray(0, frameEnd(capture, frameEnd(capture, 0)));
const body = capture.subarray(startup.length);
const chunks = Array.from(
  { length: Math.ceil(body.length / CHUNK) },
  (_, i) => body.subarray(i * CHUNK, (i + 1) * CHUNK),
);

function frameEnd(bytes: Uint8Array, at: number): number {
  return at + 1 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(at + 1);
}

interface Run {
  readonly seconds: number;
  /** CPU seconds of this process (user + system): steadier than wall time on a shared machine. */
  readonly cpuSeconds: number;
  readonly bytes: number;
  readonly records: number;
}

/** Decodes at least RECORDS records, handing each to `use`. */
function run(use: (record: LogRecord) => void): Run {
  const decoder = createFebeDecoder();
  decoder.push(startup);
  let records = 0;
  let bytes = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  while (records < RECORDS) {
    for (const chunk of chunks) {
      for (const event of decoder.push(chunk)) {
        if (event.type === "L") {
          use(event.record);
          records++;
        }
      }
    }
    bytes += body.length;
  }
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, bytes, records };
}

function report(label: string, use: (record: LogRecord) => void): void {
  run(use); // warm-up: let the JIT settle
  const results = Array.from({ length: ROUNDS }, () => run(use)).sort((a, b) => a.seconds - b.seconds);
  const median = results[Math.floor(ROUNDS / 2)]!;
  const rate = (seconds: number) => Math.round(median.records / seconds).toLocaleString("en-US").padStart(10);
  const mbPerSecond = (median.bytes / median.seconds / 1e6).toFixed(1).padStart(6);
  console.log(
    `${label.padEnd(22)} ${rate(median.seconds)} records/s ${mbPerSecond} MB/s   per CPU second: ${
      rate(median.cpuSeconds)
    } records/s`,
  );
}

const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
const runtime = typeof Bun !== "undefined"
  ? `bun ${Bun.version}`
  : deno
  ? `deno ${deno.version.deno}`
  : `node ${process.version}`;
console.log(
  `bench-decode: pg15-pgbench-client.bin (${body.length.toLocaleString("en-US")} bytes, 1,052 records) in ${
    CHUNK / 1024
  } KiB chunks, ${RECORDS.toLocaleString("en-US")} records per run, median of ${ROUNDS} runs, ${runtime}`,
);
report("decode", () => {});
for (const format of ["legacy", "heroku", "json"] as LogFormat[]) {
  const serve = {
    format,
    identity: "e2e identity",
    name: "bench",
    major: 15,
    token: "t.00000000-0000-0000-0000-000000000000",
  };
  report(`decode+format ${format}`, (record) => void formatRecord(record, serve, { receivedAt: 0 }));
}
