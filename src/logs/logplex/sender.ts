/**
 * The logplex client of one serve: records are framed as they arrive into an open batch, sealed at
 * `flushBytes` or `flushIntervalMs` after the batch's first record, and POSTed with at most
 * `maxInFlight` requests at a time. It never blocks and never throws at the caller: past the per-serve
 * bound or the shared budget, records are dropped and counted. Every counter change is synchronous,
 * so received = forwarded + dropped + rejected + failed + pending holds whenever the caller looks.
 * @module
 */
import { type FetchLike, fetchWithTls } from "../../http/tls-fetch.ts";
import type { ServeCounters } from "../stats.ts";
import { POSEMO_VERSION } from "../../version.ts";
import { createMemoryBudget, type MemoryBudget } from "./budget.ts";
import type { Batch, DeliveryContext, DeliveryStats, Outcome } from "./deliver.ts";
import { deliverNarrowing } from "./narrow.ts";
import type { FeedHost } from "./spool-feed.ts";
import { parseLogplexEndpoint, scrubSecrets } from "./endpoint.ts";
import { FrameBuffer } from "./frame.ts";
import { releaseBytes } from "../release-bytes.ts";
import type { LogplexMessage } from "./message.ts";
import { createRateLimitedLog, type RateLimitedLog } from "./rate-limited-log.ts";
import { resolveSenderSettings, type SenderSettings } from "./sender-options.ts";
import { SpoolFeed } from "./spool-feed.ts";
import type { Spool } from "../spool/spool.ts";

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

/**
 * Creates the sender of one serve.
 * @throws {TypeError|RangeError|Error} for a bad URL, option value or unreadable CA file (one line, no secrets).
 */
export function createLogplexSender(options: LogplexSenderOptions): LogplexSender {
  return new Sender(resolveSenderSettings(options), options);
}

class Sender implements LogplexSender {
  readonly url: string;
  readonly #settings: SenderSettings;
  readonly #counters: ServeCounters;
  readonly #budget: MemoryBudget;
  readonly #log: RateLimitedLog;
  readonly #delivery: DeliveryContext;
  readonly #stopper = new AbortController();
  readonly #open: FrameBuffer;
  #openRecords = 0;
  /** Where each record of the open batch ends (bytes, messages): a refused batch is halved there. */
  #openRecordEnds: number[] = [];
  #openMessageEnds: number[] = [];
  #openTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #queue: Batch[] = [];
  /** Batches being sent, with how many of their records are not settled yet (narrowing settles them piece by piece). */
  readonly #inFlight = new Map<Batch, { unsettled: number }>();
  #heldBytes = 0;
  #closing: Promise<void> | undefined;
  #onIdle: (() => void) | undefined;
  readonly #feed: SpoolFeed | undefined;
  /** What memory batches are sent with: one attempt when a spool takes the failures. */
  readonly #memoryDelivery: DeliveryContext;

  constructor(settings: SenderSettings, options: LogplexSenderOptions) {
    const endpoint = parseLogplexEndpoint(options.url, options.token);
    const write = options.log ?? (() => {});
    this.#log = createRateLimitedLog((line) => write(scrubSecrets(line, endpoint.secrets)), {
      intervalMs: settings.logIntervalMs,
    });
    const tls = fetchWithTls({ caFile: options.caFile, insecure: options.insecure }, options.fetch);
    if (tls.warning) this.#log("tls", `logplex ${endpoint.redacted}: ${tls.warning}`);
    this.url = endpoint.redacted;
    this.#settings = settings;
    this.#counters = options.counters;
    this.#budget = options.budget ?? createMemoryBudget(settings.maxServeBytes);
    this.#open = new FrameBuffer(Math.min(settings.flushBytes + 16 * 1024, 256 * 1024));
    const stats: DeliveryStats = { requests: 0, retries: 0, timeouts: 0, transportErrors: 0, lastStatus: 0 };
    this.#delivery = {
      endpoint,
      fetch: tls.fetch,
      requestTimeoutMs: settings.requestTimeoutMs,
      retry: settings.retry,
      random: settings.random,
      log: this.#log,
      stopped: this.#stopper.signal,
      stats,
      userAgent: `posemo/${POSEMO_VERSION}`,
    };
    this.#memoryDelivery = options.spool
      ? { ...this.#delivery, retry: { ...settings.retry, maxAttempts: 1 }, log: spooledFailureLog(this.#log) }
      : this.#delivery;
    this.#feed = options.spool && new SpoolFeed(options.spool, this.#feedHost(), options.onSpoolDrained);
    if (this.#feed) void options.spool!.resumed.then(() => this.#pump());
  }

  enqueue(messages: readonly LogplexMessage[]): boolean {
    if (this.#closing) return this.#drop();
    if (this.#feed?.spooling) return this.#feed.appendRecord(messages);
    const bytesBefore = this.#open.byteLength;
    const messagesBefore = this.#open.messageCount;
    let added: number;
    try {
      added = this.#open.append(messages);
    } catch (error) {
      return this.#reject(error as Error);
    }
    if (!this.#reserve(added)) {
      this.#open.truncate(bytesBefore, messagesBefore);
      if (!this.#feed) return this.#drop();
      this.#feed.start();
      return this.#feed.appendRecord(messages);
    }
    this.#counters.pending++;
    this.#openRecords++;
    this.#openRecordEnds.push(this.#open.byteLength);
    this.#openMessageEnds.push(this.#open.messageCount);
    if (this.#open.byteLength >= this.#settings.flushBytes) this.flush();
    else this.#openTimer ??= setTimeout(() => this.flush(), this.#settings.flushIntervalMs);
    return true;
  }

  flush(): void {
    this.#seal();
    this.#pump();
  }

  /** Moves the open batch to the queue. */
  #seal(): void {
    clearTimeout(this.#openTimer);
    this.#openTimer = undefined;
    if (this.#openRecords > 0) {
      const messages = this.#open.messageCount;
      this.#queue.push({
        body: this.#open.take(),
        messages,
        records: this.#openRecords,
        recordEnds: this.#openRecordEnds,
        messageEnds: this.#openMessageEnds,
        frameId: crypto.randomUUID(),
      });
      this.#openRecords = 0;
      this.#openRecordEnds = [];
      this.#openMessageEnds = [];
    }
  }

  close(deadlineMs: number): Promise<void> {
    this.#closing ??= this.#shutdown(deadlineMs);
    return this.#closing;
  }

  stats(): LogplexSenderStats {
    const feed = this.#feed;
    return {
      ...this.#delivery.stats,
      inFlight: this.#inFlight.size + (feed?.inFlight ?? 0),
      queuedBatches: this.#queue.length,
      heldBytes: this.#heldBytes + (feed?.inFlightBytes ?? 0),
      closed: this.#closing !== undefined,
      spooling: feed?.spooling ?? false,
      failing: feed?.failing ?? false,
    };
  }

  /** Holds `bytes` against both the per-serve bound and the shared budget, or neither. */
  #reserve(bytes: number): boolean {
    if (this.#heldBytes + bytes > this.#settings.maxServeBytes || !this.#budget.tryReserve(bytes)) return false;
    this.#heldBytes += bytes;
    return true;
  }

  #drop(): false {
    this.#counters.dropped++;
    if (!this.#closing) {
      this.#log(
        "dropped",
        `logplex ${this.url}: buffer full (${this.#heldBytes} bytes held by this serve, ${this.#budget.used} by all), dropping records`,
      );
    }
    return false;
  }

  #reject(error: Error): false {
    this.#counters.rejected++;
    this.#log("oversize", `logplex ${this.url}: record rejected: ${error.message}`);
    return false;
  }

  /** Starts queued batches while slots are free, then lets the spool fill the slots left. */
  #pump(): void {
    const slots = this.#feed?.slots() ?? this.#settings.maxInFlight;
    while (this.#inFlight.size + (this.#feed?.inFlight ?? 0) < slots && !this.#stopper.signal.aborted) {
      const batch = this.#queue.shift();
      if (!batch) break;
      const progress = { unsettled: batch.records };
      this.#inFlight.set(batch, progress);
      const settle = (piece: Batch, outcome: Outcome) => {
        if (!this.#inFlight.has(batch)) return; // the close deadline settled it already
        progress.unsettled -= piece.records;
        this.#settle(piece, outcome);
      };
      void deliverNarrowing(batch, this.#memoryDelivery, settle).then(() => this.#finish(batch));
    }
    this.#feed?.fill();
    if (this.#idle()) this.#onIdle?.();
  }

  /** Settles a delivered batch or piece of one (narrowing): counted, or with a spool a failed one goes there. */
  #settle(piece: Batch, outcome: Outcome): void {
    this.#counters.pending -= piece.records;
    if (outcome === "failed" && this.#feed && !this.#stopper.signal.aborted) return this.#feed.memoryBatchFailed(piece);
    this.#counters[outcome] += piece.records;
    if (outcome === "forwarded") this.#feed?.succeeded();
  }

  /** Ends an in-flight batch once all its records are settled, unless the close deadline already did. */
  #finish(batch: Batch): void {
    if (!this.#inFlight.delete(batch)) return;
    this.#releaseBytes(batch);
    releaseBytes(batch.body); // sent, or its pieces copied to the spool (fetch copies a body when called)
    this.#pump();
  }

  /** The batch leaves memory: its records are no longer pending, its bytes are free. */
  #release(batch: Batch): void {
    this.#counters.pending -= batch.records;
    this.#releaseBytes(batch);
  }

  #releaseBytes(batch: Batch): void {
    this.#heldBytes -= batch.body.length;
    this.#budget.release(batch.body.length);
  }

  #idle(): boolean {
    return this.#openRecords === 0 && this.#queue.length === 0 && this.#inFlight.size === 0 &&
      (this.#feed?.inFlight ?? 0) === 0;
  }

  /** The sender's side of the spool feed. */
  #feedHost(): FeedHost {
    return {
      settings: this.#settings,
      counters: this.#counters,
      delivery: this.#memoryDelivery,
      memoryInFlight: () => this.#inFlight.size,
      takeQueued: () => {
        this.#seal();
        const batches = this.#queue.splice(0);
        for (const batch of batches) this.#release(batch);
        return batches;
      },
      memoryRoom: () =>
        Math.min(this.#settings.maxServeBytes - this.#heldBytes, this.#budget.total - this.#budget.used),
      queue: (batch) => {
        if (!this.#reserve(batch.body.length)) return void this.#feed!.putBack(batch); // memory changed its mind: back to disk
        this.#counters.pending += batch.records;
        this.#queue.push(batch);
      },
      reject: (error) => this.#reject(error),
      pump: () => this.#pump(),
      closing: () => this.#closing !== undefined,
    };
  }

  async #shutdown(deadlineMs: number): Promise<void> {
    this.flush();
    this.#feed?.start(); // what memory queues is safe on disk at once, whatever happens next
    if (!this.#idle()) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#onIdle = resolve;
        timer = setTimeout(resolve, deadlineMs);
      });
      clearTimeout(timer);
    }
    this.#stopper.abort();
    this.#failLeftovers();
    await this.#feed?.spool.close();
  }

  /**
   * At the close deadline: everything still queued or in flight is failed, in one synchronous step;
   * with a spool it goes there instead (batches read from the spool simply stay in it).
   */
  #failLeftovers(): void {
    // An in-flight batch being narrowed may have settled some pieces: only the rest is counted here.
    // Put back in the spool, it goes whole under the count of its unsettled records (at-least-once).
    const left = [
      ...this.#queue.splice(0).map((batch) => ({ batch, unsettled: batch.records })),
      ...[...this.#inFlight].map(([batch, p]) => ({ batch, unsettled: p.unsettled })),
    ];
    this.#inFlight.clear();
    const records = left.reduce((n, l) => n + l.unsettled, 0);
    for (const { batch, unsettled } of left) {
      this.#counters.pending -= unsettled;
      this.#releaseBytes(batch);
      if (!this.#feed) this.#counters.failed += unsettled;
      else if (unsettled > 0) this.#feed.putBack({ ...batch, records: unsettled });
    }
    if (records > 0) {
      this.#log(
        "close",
        `logplex ${this.url}: close deadline reached, ${records} records ${this.#feed ? "put in the spool" : "failed"}`,
      );
    }
  }
}

/** With a spool a failed batch is not given up: it goes to (or stays in) the spool, and the log says so. */
function spooledFailureLog(log: RateLimitedLog): RateLimitedLog {
  return (kind, line) =>
    log(
      kind,
      kind === "failed"
        ? line.replace(
          /; giving up on (\d+) records after \d+ attempts?$/,
          "; its $1 records wait in the spool, retrying",
        )
        : line,
    );
}
