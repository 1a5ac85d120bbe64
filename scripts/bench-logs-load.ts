/**
 * Load for scripts/bench-logs.ts: pg_logfebe streams built from the pgbench capture, senders that
 * replay them (unpaced or at a rate), probe records that carry an id so the sink can time them, a
 * null logplex sink, and a raw socket drain (the baseline). Not a test: it prints figures.
 * @module
 */
import { once } from "node:events";
import { createConnection, createServer } from "node:net";
import { readFileSync } from "node:fs";
import { createFebeDecoder } from "../src/logs/febe/decode.ts";
import type { LogRecord } from "../src/logs/record.ts";
import { type HttpServer, serveHttp } from "../src/http/serve.ts";
import { concat, encodeIdentity, encodeRecord, encodeVersion } from "../dev/logfebe-sender.ts";
import { fixturePath } from "../dev/fixtures.ts";

export const PROBE_MARK = "bench-probe:";
const ID_DIGITS = 12;
const PROBES_PER_BLOCK = 4;

/** One sender's stream: the startup frames and a block of L frames replayed with fresh probe ids. */
export interface SenderLoad {
  readonly startup: Uint8Array;
  readonly block: Uint8Array;
  readonly recordsPerBlock: number;
  /** Byte offsets of the probe id digits inside `block`. */
  readonly probeOffsets: readonly number[];
}

/** Builds sender `index`'s stream from the pgbench capture, with its own session id. */
export function buildSenderLoad(index: number, identity: string): SenderLoad {
  const decoder = createFebeDecoder();
  const events = decoder.push(new Uint8Array(readFileSync(fixturePath("pg15-pgbench-client"))));
  const version = events.find((e) => e.type === "V")!;
  const records = events.flatMap((e) => (e.type === "L" ? [e.record] : []));
  const step = Math.floor(records.length / PROBES_PER_BLOCK);
  const frames = records.map((record, i) =>
    encodeRecord(withProbe({ ...record, sessionId: `bench.${index}` }, i % step === Math.floor(step / 2)))
  );
  const block = concat(frames);
  return {
    startup: concat([encodeVersion(version.type === "V" ? version.version : ""), encodeIdentity(identity)]),
    block,
    recordsPerBlock: records.length,
    probeOffsets: findAll(block, new TextEncoder().encode(PROBE_MARK)).map((at) => at + PROBE_MARK.length),
  };
}

function withProbe(record: LogRecord, probe: boolean): LogRecord {
  return probe ? { ...record, errMessage: `${PROBE_MARK}${"0".repeat(ID_DIGITS)} ${record.errMessage}` } : record;
}

function findAll(haystack: Uint8Array, needle: Uint8Array): number[] {
  const found: number[] = [];
  for (let at = Buffer.from(haystack).indexOf(needle); at >= 0; at = Buffer.from(haystack).indexOf(needle, at + 1)) {
    found.push(at);
  }
  return found;
}

/** Send times of probes, by id. */
export type ProbeTimes = Map<string, number>;

/** Options of `runSender`. */
export interface SenderRun {
  readonly path: string;
  readonly load: SenderLoad;
  readonly index: number;
  readonly blocks: number;
  /** Blocks per second for this sender; 0 = as fast as the socket takes them. */
  readonly blocksPerSecond: number;
  readonly sent: ProbeTimes;
}

/** Replays `blocks` blocks into the socket, stamping probe ids and their send times. */
export async function runSender(run: SenderRun): Promise<void> {
  const socket = createConnection({ path: run.path });
  await once(socket, "connect");
  socket.write(run.load.startup);
  const start = performance.now();
  for (let b = 0; b < run.blocks; b++) {
    const copy = Buffer.from(run.load.block);
    run.load.probeOffsets.forEach((offset, p) => {
      const id = String(run.index * 1e9 + b * run.load.probeOffsets.length + p).padStart(ID_DIGITS, "0");
      copy.write(id, offset, "latin1");
      run.sent.set(id, Date.now());
    });
    if (!socket.write(copy)) await once(socket, "drain");
    if (run.blocksPerSecond > 0) await sleepUntil(start + ((b + 1) / run.blocksPerSecond) * 1000);
  }
  socket.end();
  await once(socket, "close");
}

function sleepUntil(at: number): Promise<void> {
  const wait = at - performance.now();
  return new Promise((resolve) => (wait > 0 ? setTimeout(resolve, wait) : setImmediate(resolve)));
}

/** A logplex stand-in that only counts messages and times probes. */
export interface NullSink {
  readonly url: string;
  readonly server: HttpServer;
  messages: number;
  readonly arrived: ProbeTimes;
}

/** Starts the null sink on 127.0.0.1. */
export async function startNullSink(): Promise<NullSink> {
  const sink = { messages: 0, arrived: new Map<string, number>() } as {
    messages: number;
    arrived: ProbeTimes;
    url: string;
    server: HttpServer;
  };
  sink.server = await serveHttp(async (request) => {
    const text = await request.text();
    const now = Date.now();
    sink.messages += Number(request.headers.get("logplex-msg-count") ?? 0);
    for (let at = text.indexOf(PROBE_MARK); at >= 0; at = text.indexOf(PROBE_MARK, at + 1)) {
      sink.arrived.set(text.slice(at + PROBE_MARK.length, at + PROBE_MARK.length + ID_DIGITS), now);
    }
    return new Response(null, { status: 204 });
  }, { hostname: "127.0.0.1", port: 0 });
  sink.url = sink.server.url.replace("://", "://token:t.bench@") + "/logs";
  return sink;
}

/** Latency percentiles (ms) of the probes that arrived. */
export function latencies(
  sent: ProbeTimes,
  arrived: ProbeTimes,
): { count: number; p50: number; p99: number; max: number } {
  const all: number[] = [];
  for (const [id, at] of arrived) {
    const from = sent.get(id);
    if (from !== undefined) all.push(at - from);
  }
  all.sort((a, b) => a - b);
  const pick = (q: number) => all[Math.min(all.length - 1, Math.floor(q * all.length))] ?? NaN;
  return { count: all.length, p50: pick(0.5), p99: pick(0.99), max: all.at(-1) ?? NaN };
}

/** The baseline: a process that reads the socket and counts bytes. Runs as `bench-logs.ts --drain PATH BYTES`. */
export async function runDrain(path: string, expectedBytes: number): Promise<void> {
  let bytes = 0;
  const server = createServer((socket) => {
    socket.on("data", (chunk) => {
      bytes += chunk.length;
      if (bytes >= expectedBytes) {
        console.log("done");
        process.exit(0);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  console.log("ready");
}
