/**
 * Framing throughput: 1M realistic messages framed the way the sender does it (records appended to a
 * FrameBuffer, taken every ~100 KiB) and in one frameMessages() call, then parsed back in ~100 KiB
 * bodies as fake-logplexd does. Prints messages/s and MB/s.
 * Run: bun scripts/bench-frame.ts [count]   (also: deno run -A scripts/bench-frame.ts)
 * @module
 */
import { FrameBuffer, frameMessages } from "../src/logs/logplex/frame.ts";
import { parseFrames } from "../src/logs/logplex/parse-frames.ts";
import type { LogplexMessage } from "../src/logs/logplex/message.ts";

const count = Number(globalThis.process?.argv?.[2] ?? 1_000_000);
const FLUSH_BYTES = 100 * 1024;

/** A heroku-format-like message of about 200 bytes, varied so no string is shared. */
function sample(i: number): LogplexMessage {
  const pid = 10_000 + (i % 500);
  return {
    pri: i % 17 === 0 ? 132 : 134,
    timestamp: `2026-11-21T04:23:${String(i % 60).padStart(2, "0")}.${String(i % 1_000_000).padStart(6, "0")}Z`,
    hostname: "postgres",
    appName: "t.01234567-89ab-cdef-0123-456789abcdef",
    procId: `postgres.${pid}`,
    body: `[main] [${i}-1]  sql_error_code = 00000 LOG:  duration: ${
      (i % 977) / 10
    } ms  statement: SELECT abalance FROM pgbench_accounts WHERE aid = ${i * 7};`,
  };
}

/** Times `run` and prints its rates. */
function report(label: string, bytes: number, run: () => void): void {
  const start = performance.now();
  run();
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `${label}: ${Math.round(count / seconds).toLocaleString("en")} messages/s, ${
      (bytes / seconds / 1e6).toFixed(1)
    } MB/s (${seconds.toFixed(3)} s)`,
  );
}

const messages = Array.from({ length: count }, (_, i) => sample(i));
const total = frameMessages(messages).length;
console.log(
  `${count.toLocaleString("en")} messages, ${(total / 1e6).toFixed(1)} MB framed, ${
    Math.round(total / count)
  } bytes per frame`,
);

for (let round = 1; round <= 3; round++) {
  report(`round ${round} sender-style (1 message per record, take() at 100 KiB)`, total, () => {
    const buffer = new FrameBuffer(128 * 1024);
    for (const m of messages) {
      buffer.append([m]);
      if (buffer.byteLength >= FLUSH_BYTES) buffer.take();
    }
    buffer.take();
  });
  report(`round ${round} frameMessages() of all`, total, () => void frameMessages(messages));
}

const bodies: Uint8Array[] = [];
const collector = new FrameBuffer(128 * 1024);
for (const m of messages) {
  collector.append([m]);
  if (collector.byteLength >= FLUSH_BYTES) bodies.push(collector.take());
}
bodies.push(collector.take());
for (let round = 1; round <= 2; round++) {
  report(`round ${round} parseFrames() of ~100 KiB bodies (fake-logplexd's side)`, total, () => {
    for (const body of bodies) parseFrames(body);
  });
}
