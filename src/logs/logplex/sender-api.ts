/**
 * What a serve's logplex sender is: the options it is created with, what it offers its forwarder,
 * and the figures it reports beside the serve counters.
 * @module
 */
import type { FetchLike } from "../../http/tls-fetch.ts";
import type { ServeCounters } from "../stats.ts";
import type { Spool } from "../spool/spool.ts";
import type { MemoryBudget } from "./budget.ts";
import type { DeliveryStats } from "./deliver.ts";
import type { LogplexMessage } from "./message.ts";

/** Options of {@link createLogplexSender}. */
export interface LogplexSenderOptions {
  /** logplex input URL, `https://` or `http://`; may carry `token:SECRET@` userinfo. */
  readonly url: string;
  /** The logplex token, sent as the Basic-auth password (user: the URL's user or `token`). @default the URL's password */
  readonly token?: string;
  /** This serve's counters. The sender owns pending, forwarded, dropped, rejected and failed; the caller owns received. */
  readonly counters: ServeCounters;
  /** Byte budget shared by all serves. @default a budget of this serve's own `maxServeBytes` */
  readonly budget?: MemoryBudget;
  /** Most framed bytes this serve may hold (open batch, queue, in flight); past it records are dropped. @default 8 MiB */
  readonly maxServeBytes?: number;
  /** Seal a batch once it holds this many bytes. @default 102400 (100 KiB) */
  readonly flushBytes?: number;
  /** Seal a batch this long after its first record. @default 250 */
  readonly flushIntervalMs?: number;
  /** Requests in flight at once (a request keeps its slot through its retries). @default 4 */
  readonly maxInFlight?: number;
  /** Deadline of one whole request (connect, send, answer, body); a watchdog frees the slot even if fetch never settles. @default 5000 */
  readonly requestTimeoutMs?: number;
  /** Attempts per batch, the first included. @default 3 */
  readonly maxAttempts?: number;
  /** Backoff cap of the first retry, doubling per retry, full jitter. @default 250 */
  readonly retryBaseMs?: number;
  /** Largest backoff cap. @default 5000 */
  readonly retryMaxMs?: number;
  /** No retry starts later than this after a batch's first attempt. @default 30000 */
  readonly retryBudgetMs?: number;
  /** PEM file of CAs to trust for HTTPS. @default the system store */
  readonly caFile?: string;
  /** Skip TLS certificate verification. @default false */
  readonly insecure?: boolean;
  /** The fetch to use (tests inject one). @default globalThis.fetch */
  readonly fetch?: FetchLike;
  /** Where log lines go (already free of secrets). @default discard */
  readonly log?: (line: string) => void;
  /** Minimum time between two log lines of one kind. @default 10000 */
  readonly logIntervalMs?: number;
  /** Source of backoff jitter in [0, 1). @default Math.random */
  readonly random?: () => number;
  /**
   * The serve's spool (`--spool-dir`): records that do not fit in memory, or arrive while logplex
   * fails, go there instead of being dropped, and batches that fail go back there instead of failing.
   * The sender closes it. @default none: past the bounds records are dropped
   */
  readonly spool?: Spool;
  /** Called when the spool has been emptied and nothing from it is in flight. */
  readonly onSpoolDrained?: () => void;
}

/** A snapshot of the sender's own state, beside the serve counters. */
export interface LogplexSenderStats extends Readonly<DeliveryStats> {
  /** Requests being sent (each holds one of `maxInFlight` slots, retries included). */
  readonly inFlight: number;
  /** Sealed batches waiting for a slot. */
  readonly queuedBatches: number;
  /** Framed bytes held: open batch, queue and in flight. */
  readonly heldBytes: number;
  /** close() was called. */
  readonly closed: boolean;
  /** Records go to the spool now; logplex is failing (one request at a time). */
  readonly spooling: boolean;
  readonly failing: boolean;
}

/** One serve's batching logplex client. */
export interface LogplexSender {
  /** The endpoint without credentials, for log lines. */
  readonly url: string;
  /**
   * Queues the messages of one record (kept together in one batch). False when the record was not
   * taken: dropped (a bound was reached, or the sender is closed) or rejected (a message over 10,240
   * bytes). Never blocks, never throws.
   */
  enqueue(messages: readonly LogplexMessage[]): boolean;
  /** Seals the open batch and sends it as soon as a slot is free. */
  flush(): void;
  /** Stops accepting, sends what is pending, and after `deadlineMs` counts whatever is left as failed. */
  close(deadlineMs: number): Promise<void>;
  /** Current state. */
  stats(): LogplexSenderStats;
}
