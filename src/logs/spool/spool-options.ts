/**
 * The options a spool is opened with, and the figures it gives for /metrics and /healthz.
 * @module
 */
import type { DiskBudget } from "./disk-budget.ts";
import type { OverflowPolicy, SpoolCounters } from "./segment-table.ts";

/** Options of {@link openSpool}. */
export interface SpoolOptions {
  /** The serve's spool directory (created 0700 when missing). */
  readonly dir: string;
  readonly counters: SpoolCounters;
  /** Most bytes of segment files this serve may hold. */
  readonly maxBytes: number;
  /** Bytes all serves' spools may hold. */
  readonly budget: DiskBudget;
  readonly overflow: OverflowPolicy;
  /** Group commit: entries are written and flushed to disk at most this long after they were appended. */
  readonly commitIntervalMs: number;
  /** Records older than this are given up on, a whole segment at a time; 0 keeps them. */
  readonly maxAgeMs: number;
  /** A segment is closed once it holds this much. @default maxBytes / 8, from 64 KiB to 16 MiB */
  readonly segmentBytes?: number;
  /** Write at once, without waiting for the interval, once this much is waiting (fewer, larger flushes under load). @default 4 MiB */
  readonly commitBytes?: number;
  /** Most bytes waiting for the disk; past it (a disk slower than the input) records are dropped. @default 16 MiB */
  readonly maxWaitingBytes?: number;
  /** Complaints, by kind (the caller rate-limits them). */
  readonly log: (kind: string, line: string) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Figures for /metrics and /healthz. */
export interface SpoolStats {
  /** Bytes of segment files, written or waiting to be. */
  readonly bytes: number;
  readonly segments: number;
  /** Receive time of the oldest record still in the spool (segment precision), if any. */
  readonly oldestTimeMs: number | undefined;
  /** The last write problem, for a minute after it happened. */
  readonly problem: string | undefined;
  /** Bytes of damaged or torn entries skipped, and the last such finding. */
  readonly damagedBytes: number;
  readonly damage: string | undefined;
  /** Segments of an earlier run still being counted. */
  readonly resuming: boolean;
  /** Bytes appended and not yet written (group commit), or being written. */
  readonly waitingBytes: number;
}
