/**
 * Helpers for the spool's unit tests: a spool in a temporary directory with its counters and log,
 * records with recognisable payloads, and reading everything back.
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDiskBudget, type DiskBudget } from "../../../src/logs/spool/disk-budget.ts";
import {
  openSpool,
  type Spool,
  type SpoolBatch,
  type SpoolCounters,
  type SpoolOptions,
} from "../../../src/logs/spool/spool.ts";

/** A temporary directory, removed by `cleanup`. */
export function tempDir(): { root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), "spool-test-"));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A spool on `dir` with fresh counters, a generous budget and a commit interval long enough that only commitNow() writes. */
export function spoolOn(
  dir: string,
  options: Partial<SpoolOptions> = {},
): { spool: Spool; counters: SpoolCounters; logs: string[]; budget: DiskBudget } {
  const counters: SpoolCounters = { received: 0, spooled: 0, spoolDropped: 0, dropped: 0 };
  const logs: string[] = [];
  const budget = options.budget ?? createDiskBudget(1024 * 1024 * 1024);
  const spool = openSpool({
    dir,
    counters,
    maxBytes: 64 * 1024 * 1024,
    budget,
    overflow: "drop-oldest",
    commitIntervalMs: 60_000,
    maxAgeMs: 0,
    log: (_kind, line) => logs.push(line),
    ...options,
  });
  return { spool, counters, logs, budget };
}

const encoder = new TextEncoder();

/** The payload of record `i`: one logplex-looking frame of `size` bytes. */
export function payload(i: number, size = 100): Uint8Array {
  const text = `record ${i} `;
  return encoder.encode(text + "x".repeat(Math.max(0, size - text.length)));
}

/** Appends records `from` to `to - 1` (one record, one message each, received at time i). */
export function appendRecords(spool: Spool, from: number, to: number, size = 100): boolean[] {
  const results: boolean[] = [];
  for (let i = from; i < to; i++) {
    results.push(spool.append(payload(i, size), { messages: 1, records: 1, timeMs: 1_000 + i }));
  }
  return results;
}

/** The record numbers in a batch body, in order. */
export function recordNumbers(batch: SpoolBatch): number[] {
  return [...new TextDecoder().decode(batch.body).matchAll(/record (\d+) /g)].map((m) => Number(m[1]));
}

/** Reads batches until none is left, settling each unless `settle` is false; returns the record numbers. */
export async function drain(spool: Spool, options: { maxBytes?: number; settle?: boolean } = {}): Promise<number[]> {
  const seen: number[] = [];
  for (
    let batch = await spool.readBatch(options.maxBytes ?? 4096);
    batch;
    batch = await spool.readBatch(options.maxBytes ?? 4096)
  ) {
    seen.push(...recordNumbers(batch));
    if (options.settle !== false) spool.settle(batch);
  }
  return seen;
}

/** 0, 1, ..., n - 1. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** True when the spool's counters balance against the records the test put in. */
export function balanced(counters: SpoolCounters, appended: number, settled: number): boolean {
  return counters.received + appended === settled + counters.dropped + counters.spooled;
}
