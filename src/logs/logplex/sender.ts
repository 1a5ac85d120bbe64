/**
 * The logplex client of one serve: records are framed as they arrive into an open batch, sealed at
 * `flushBytes` or `flushIntervalMs` after the batch's first record, and POSTed with at most
 * `maxInFlight` requests at a time. It never blocks and never throws at the caller: past the per-serve
 * bound or the shared budget, records are dropped and counted. Every counter change is synchronous,
 * so received = forwarded + dropped + rejected + failed + pending (+ spooled) holds whenever the caller
 * looks. The open batch is in open-batch.ts, how requests are made in sender-delivery.ts, the spool
 * side in spool-feed.ts.
 * @module
 */
import type { ServeCounters } from "../stats.ts";
import { createMemoryBudget, type MemoryBudget } from "./budget.ts";
import type { Batch, DeliveryContext, Outcome } from "./deliver.ts";
import { deliverNarrowing } from "./narrow.ts";
import type { FeedHost } from "./spool-feed.ts";
import { releaseBytes } from "../release-bytes.ts";
import type { LogplexMessage } from "./message.ts";
import { OpenBatch } from "./open-batch.ts";
import type { RateLimitedLog } from "./rate-limited-log.ts";
import type { LogplexSender, LogplexSenderOptions, LogplexSenderStats } from "./sender-api.ts";
import { createDeliveries } from "./sender-delivery.ts";
import { resolveSenderSettings, type SenderSettings } from "./sender-options.ts";
import { SpoolFeed } from "./spool-feed.ts";

export type { LogplexSender, LogplexSenderOptions, LogplexSenderStats } from "./sender-api.ts";

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
  readonly #open: OpenBatch;
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
    const deliveries = createDeliveries(settings, options, this.#stopper.signal);
    this.url = deliveries.url;
    this.#log = deliveries.log;
    this.#delivery = deliveries.delivery;
    this.#memoryDelivery = deliveries.memoryDelivery;
    this.#settings = settings;
    this.#counters = options.counters;
    this.#budget = options.budget ?? createMemoryBudget(settings.maxServeBytes);
    this.#open = new OpenBatch(settings.flushBytes, settings.flushIntervalMs, () => this.flush());
    this.#feed = options.spool && new SpoolFeed(options.spool, this.#feedHost(), options.onSpoolDrained);
    if (this.#feed) void options.spool!.resumed.then(() => this.#pump());
  }

  enqueue(messages: readonly LogplexMessage[]): boolean {
    if (this.#closing) return this.#drop();
    if (this.#feed?.spooling) return this.#feed.appendRecord(messages);
    let added: number;
    try {
      added = this.#open.append(messages);
    } catch (error) {
      return this.#reject(error as Error);
    }
    if (!this.#reserve(added)) return this.#overflow(messages);
    this.#counters.pending++;
    if (this.#open.keep()) this.flush();
    return true;
  }

  flush(): void {
    this.#seal();
    this.#pump();
  }

  /** A record memory has no room for: to the spool (from now on, after what memory queues), else dropped. */
  #overflow(messages: readonly LogplexMessage[]): boolean {
    this.#open.undoAppend();
    if (!this.#feed) return this.#drop();
    this.#feed.start();
    return this.#feed.appendRecord(messages);
  }

  /** Moves the open batch to the queue. */
  #seal(): void {
    const batch = this.#open.seal();
    if (batch) this.#queue.push(batch);
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
    return this.#open.records === 0 && this.#queue.length === 0 && this.#inFlight.size === 0 &&
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
