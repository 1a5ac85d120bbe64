/**
 * The batch a sender is filling: records framed as they arrive, with where each record ends (so a
 * refused batch can be halved at a record boundary), sealed when it reaches `flushBytes` or
 * `flushIntervalMs` after its first record.
 * @module
 */
import type { Batch } from "./deliver.ts";
import { FrameBuffer } from "./frame.ts";
import type { LogplexMessage } from "./message.ts";

export class OpenBatch {
  readonly #frames: FrameBuffer;
  #records = 0;
  /** Where each record ends (bytes, messages). */
  #recordEnds: number[] = [];
  #messageEnds: number[] = [];
  /** The size before the last append, for `undoAppend`. */
  #before = { bytes: 0, messages: 0 };
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `onDue` is called `flushIntervalMs` after the batch's first record. */
  constructor(readonly flushBytes: number, readonly flushIntervalMs: number, readonly onDue: () => void) {
    this.#frames = new FrameBuffer(Math.min(flushBytes + 16 * 1024, 256 * 1024));
  }

  /** Records kept in the batch. */
  get records(): number {
    return this.#records;
  }

  /**
   * Frames one record's messages at the end of the batch and returns the bytes added; the caller
   * then keeps it (`keep`) or takes it out again (`undoAppend`).
   * @throws {RangeError} for a message over logplex's size (nothing is added).
   */
  append(messages: readonly LogplexMessage[]): number {
    this.#before = { bytes: this.#frames.byteLength, messages: this.#frames.messageCount };
    return this.#frames.append(messages);
  }

  /** Takes the record appended last out again. */
  undoAppend(): void {
    this.#frames.truncate(this.#before.bytes, this.#before.messages);
  }

  /** Keeps the record appended last; true when the batch is full (seal it), else its timer runs. */
  keep(): boolean {
    this.#records++;
    this.#recordEnds.push(this.#frames.byteLength);
    this.#messageEnds.push(this.#frames.messageCount);
    if (this.#frames.byteLength >= this.flushBytes) return true;
    this.#timer ??= setTimeout(this.onDue, this.flushIntervalMs);
    return false;
  }

  /** The batch, ready to send, and a new empty one begins; undefined when it holds no record. */
  seal(): Batch | undefined {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#records === 0) return undefined;
    const messages = this.#frames.messageCount;
    const batch = {
      body: this.#frames.take(),
      messages,
      records: this.#records,
      recordEnds: this.#recordEnds,
      messageEnds: this.#messageEnds,
      frameId: crypto.randomUUID(),
    };
    this.#records = 0;
    this.#recordEnds = [];
    this.#messageEnds = [];
    return batch;
  }
}
