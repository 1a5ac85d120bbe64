/**
 * The disk side of a serve's sender (`--spool-dir`). The sender keeps records in memory while they
 * fit and logplex answers; when a record would not fit, or a delivery fails for a reason worth
 * retrying, the feed starts spooling: what memory still queues goes to the spool first, then every
 * new record, so the order of reception is kept. Batches are read back from the spool and settled
 * only when logplex answered (at-least-once); one that fails is retried with backoff, one request at
 * a time while logplex keeps failing. Once everything written has been read and logplex answers,
 * records still waiting for the disk are taken back into memory and spooling stops.
 * @module
 */
import type { ServeCounters } from "../stats.ts";
import { ENTRY_HEADER_BYTES } from "../spool/entry.ts";
import type { PendingEntry, Spool, SpoolBatch } from "../spool/spool.ts";
import { type Batch, deliver, type DeliveryContext } from "./deliver.ts";
import { FrameBuffer } from "./frame.ts";
import { releaseBytes } from "../release-bytes.ts";
import type { LogplexMessage } from "./message.ts";
import type { SenderSettings } from "./sender-options.ts";

/** What the feed needs from its sender. */
export interface FeedHost {
  readonly settings: SenderSettings;
  readonly counters: ServeCounters;
  /** Delivery with a single attempt per call: the feed does its own retrying. */
  readonly delivery: DeliveryContext;
  /** Memory requests in flight. */
  memoryInFlight(): number;
  /** Seals the open batch and hands over every queued batch, their memory released and their records no longer pending. */
  takeQueued(): Batch[];
  /** Bytes memory could take now. */
  memoryRoom(): number;
  /** Queues a batch of records taken back from the spool (memory was checked with `memoryRoom`). */
  queue(batch: Batch): void;
  /** A record over logplex's message size: counted rejected. */
  reject(error: Error): false;
  /** Starts queued batches while slots are free (calls `fill` back). */
  pump(): void;
  /** True once the sender is closing: no new reads, no retries. */
  closing(): boolean;
}

export class SpoolFeed {
  /** Records go to the spool (it holds records newer than anything memory still queues). */
  spooling: boolean;
  /** The last delivery failed for a reason worth retrying, and none succeeded since. */
  failing = false;
  #inFlight = 0;
  #inFlightBytes = 0;
  #reading = false;
  readonly #scratch = new FrameBuffer(4096);

  constructor(readonly spool: Spool, readonly host: FeedHost, readonly onDrained: () => void = () => {}) {
    this.spooling = spool.hasUnread(); // an earlier run's records go out before any new one
  }

  /** Spool batches in flight, and their bytes. */
  get inFlight(): number {
    return this.#inFlight;
  }

  get inFlightBytes(): number {
    return this.#inFlightBytes;
  }

  /** Requests allowed at once: all slots while logplex answers, one probe while it fails. */
  slots(): number {
    return this.failing ? 1 : this.host.settings.maxInFlight;
  }

  /** Appends one record to the spool; false when it was dropped (counted by the spool) or rejected. */
  appendRecord(messages: readonly LogplexMessage[]): boolean {
    this.#scratch.truncate(0, 0);
    try {
      this.#scratch.append(messages);
    } catch (error) {
      return this.host.reject(error as Error);
    }
    const taken = this.spool.append(this.#scratch.view(), {
      messages: messages.length,
      records: 1,
      timeMs: Date.now(),
    });
    this.fill();
    return taken;
  }

  /** Starts spooling: what memory queues goes to the spool first. */
  start(): void {
    if (this.spooling) return;
    this.spooling = true;
    for (const batch of this.host.takeQueued()) {
      this.putBack(batch);
      releaseBytes(batch.body); // copied into the spool; a queued batch is held by nothing else
    }
  }

  /** A memory batch whose delivery failed goes to the spool (before what memory still queues). */
  memoryBatchFailed(batch: Batch): void {
    this.failing = true;
    this.putBack(batch);
    this.start();
  }

  /** A delivery succeeded: logplex is back, all slots may be used again. */
  succeeded(): void {
    if (!this.failing) return;
    this.failing = false;
    this.host.pump();
  }

  /** Puts a batch that left memory into the spool (its records stay in order within it). */
  putBack(batch: Batch): void {
    this.spool.append(batch.body, { messages: batch.messages, records: batch.records, timeMs: Date.now() });
    this.fill();
  }

  /** Reads from the spool into free slots, unless a read is running or there is nothing to read. */
  fill(): void {
    if (this.#reading || this.host.closing() || !this.#slotFree()) return;
    if (!this.spooling && !this.spool.hasUnread()) return;
    this.#reading = true;
    void this.#readWhileSlotsFree().finally(() => {
      this.#reading = false;
      if (this.#slotFree() && this.spool.hasUnread() && !this.host.closing()) this.fill();
    });
  }

  #slotFree(): boolean {
    return this.host.memoryInFlight() + this.#inFlight < this.slots();
  }

  async #readWhileSlotsFree(): Promise<void> {
    while (!this.host.closing() && this.#slotFree()) {
      const batch = await this.spool.readBatch(this.host.settings.flushBytes);
      if (batch) {
        this.#send(batch);
        continue;
      }
      if (!this.spool.hasUnread()) return this.#caughtUp();
      if (!this.failing && this.#takeBack()) return;
      await this.spool.written(); // what is unread waits for the disk: write it now and read it
    }
  }

  /** Everything in the spool was read: records go to memory again (unless logplex is still failing). */
  #caughtUp(): void {
    if (!this.failing) this.spooling = false;
    this.#checkDrained();
  }

  /**
   * Takes the records still waiting for the disk back into memory, as batches, when they are no more
   * than a batch (the input has slowed down to what memory handles); false otherwise.
   */
  #takeBack(): boolean {
    const entries = this.spool.takeWaiting(Math.min(this.host.memoryRoom(), this.host.settings.flushBytes));
    if (!entries) return false;
    this.spooling = false;
    for (const group of batchesOf(entries, this.host.settings.flushBytes)) this.host.queue(group);
    this.host.pump();
    return true;
  }

  #send(spooled: SpoolBatch): void {
    const batch: Batch = {
      body: spooled.body,
      messages: spooled.messages,
      records: spooled.records,
      frameId: crypto.randomUUID(),
    };
    this.#inFlight++;
    this.#inFlightBytes += batch.body.length;
    void this.#deliverUntilSettled(spooled, batch).finally(() => {
      this.#inFlight--;
      this.#inFlightBytes -= batch.body.length;
      releaseBytes(batch.body); // settled, or left in the spool (read again from there)
      this.#checkDrained();
      this.host.pump();
    });
  }

  /** Sends until logplex answers; a batch left when the sender closes stays in the spool for the next run. */
  async #deliverUntilSettled(spooled: SpoolBatch, batch: Batch): Promise<void> {
    const { retry, random, stopped } = this.host.delivery;
    for (let attempt = 0;; attempt++) {
      const outcome = await deliver(batch, this.host.delivery);
      if (outcome !== "failed") {
        this.spool.settle(spooled);
        this.host.counters[outcome] += spooled.records;
        if (outcome === "forwarded") this.succeeded();
        return;
      }
      if (this.host.closing() || stopped.aborted) return;
      if (this.spool.givenUp(spooled)) return this.spool.abandon(spooled); // too old, or pushed out: not worth another try
      this.failing = true;
      const delay = random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.min(attempt, 20));
      if (!(await sleep(delay, stopped))) return;
    }
  }

  #checkDrained(): void {
    if (this.#inFlight === 0 && this.spool.isEmpty()) this.onDrained();
  }
}

/** Entries taken back from the spool as memory batches of about `flushBytes`. */
function batchesOf(entries: readonly PendingEntry[], flushBytes: number): Batch[] {
  const batches: Batch[] = [];
  let group: PendingEntry[] = [];
  let bytes = 0;
  const seal = () => {
    if (group.length > 0) batches.push(joined(group));
    group = [];
    bytes = 0;
  };
  for (const entry of entries) {
    const size = entry.bytes.length - ENTRY_HEADER_BYTES;
    if (bytes > 0 && bytes + size > flushBytes) seal();
    group.push(entry);
    bytes += size;
  }
  seal();
  return batches;
}

function joined(entries: readonly PendingEntry[]): Batch {
  const body = new Uint8Array(entries.reduce((n, e) => n + e.bytes.length - ENTRY_HEADER_BYTES, 0));
  let at = 0;
  for (const entry of entries) {
    body.set(entry.bytes.subarray(ENTRY_HEADER_BYTES), at);
    at += entry.bytes.length - ENTRY_HEADER_BYTES;
  }
  return {
    body,
    messages: entries.reduce((n, e) => n + e.messages, 0),
    records: entries.reduce((n, e) => n + e.records, 0),
    frameId: crypto.randomUUID(),
  };
}

/** Waits `ms`; false when `signal` aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
