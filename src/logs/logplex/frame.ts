/**
 * Writes octet-counted RFC 5424 frames, the body of an `application/logplex-1` request (parse-frames.ts
 * reads them back). Each frame is
 * `<byte count> <PRI>1 <TIMESTAMP> <HOSTNAME> <APP-NAME> <PROCID> - - <MSG>`: MSGID and
 * STRUCTURED-DATA are NILVALUEs, exactly as logplexc and log-shuttle send them.
 * logplex reads up to 10,240 bytes per message after the count and rejects the whole request
 * otherwise, so `FrameBuffer` refuses larger messages instead of sending a doomed batch.
 * @module
 */
import { releaseBytes } from "../release-bytes.ts";
import type { LogplexMessage } from "./message.ts";

/** The largest syslog message (header and body, without the `<count> ` prefix) logplex accepts. */
export const MAX_MESSAGE_BYTES = 10_240;

const encoder = new TextEncoder();
const SPACE = 0x20;
const DIGIT_0 = 0x30;

/** Number of decimal digits of a positive integer below 100,000 (frame lengths are at most 10,240). */
function digitCount(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10_000 ? 4 : n < 100_000 ? 5 : String(n).length;
}

/** The frame text after the count; one string so a single `encodeInto` writes it. */
function messageText(m: LogplexMessage): string {
  return "<" + m.pri + ">1 " + m.timestamp + " " + m.hostname + " " + m.appName + " " + m.procId + " - - " + m.body;
}

/**
 * A growable byte buffer of back-to-back frames. `append` writes a whole record's messages or none of
 * them; `take` hands the bytes over and starts afresh. Encoding goes straight into the buffer with
 * `encodeInto`, so framing allocates nothing per message.
 */
export class FrameBuffer {
  #bytes: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  #length = 0;
  #messages = 0;
  readonly #initialCapacity: number;

  /** @param initialCapacity bytes allocated on the first append; the buffer then doubles as needed. */
  constructor(initialCapacity = 16 * 1024) {
    this.#initialCapacity = Math.max(64, initialCapacity);
  }

  /** Bytes framed so far. */
  get byteLength(): number {
    return this.#length;
  }

  /** Messages framed so far. */
  get messageCount(): number {
    return this.#messages;
  }

  /**
   * Frames `messages` at the end of the buffer and returns the bytes added.
   * @throws {RangeError} when a message is over {@link MAX_MESSAGE_BYTES}; the buffer is then unchanged.
   */
  append(messages: readonly LogplexMessage[]): number {
    const start = this.#length;
    for (const message of messages) {
      const end = this.#write(messageText(message), this.#length);
      if (end < 0) {
        this.#length = start;
        throw new RangeError(`Cannot frame a message of ${-end} bytes: logplex accepts at most ${MAX_MESSAGE_BYTES}`);
      }
      this.#length = end;
    }
    this.#messages += messages.length;
    return this.#length - start;
  }

  /** Forgets what was appended after the buffer held `byteLength` bytes in `messageCount` messages. */
  truncate(byteLength: number, messageCount: number): void {
    if (byteLength > this.#length || messageCount > this.#messages) {
      throw new RangeError(`Cannot truncate a frame buffer of ${this.#length} bytes to ${byteLength}`);
    }
    this.#length = byteLength;
    this.#messages = messageCount;
  }

  /** The framed bytes so far, without copying (valid until the next append, truncate or take). */
  view(): Uint8Array<ArrayBuffer> {
    return this.#bytes.subarray(0, this.#length);
  }

  /**
   * Returns the framed bytes and empties the buffer, which allocates again only on the next append
   * (idle serves hold no buffer). The bytes are an exact-size copy, the whole of their own buffer:
   * a waiting batch holds what it counts, and whoever ends it can release it (`releaseBytes`). The
   * working buffer is given back at once.
   */
  take(): Uint8Array<ArrayBuffer> {
    const bytes = this.#bytes.slice(0, this.#length);
    releaseBytes(this.#bytes);
    this.#bytes = new Uint8Array(0);
    this.#length = 0;
    this.#messages = 0;
    return bytes;
  }

  /**
   * Writes `<count> <text>` at `at` and returns the end offset, or minus the message size when it is
   * too big. The count's width is guessed from the UTF-16 length (exact for ASCII); a wrong guess
   * costs one `copyWithin`.
   */
  #write(text: string, at: number): number {
    const guess = digitCount(Math.max(1, text.length));
    this.#reserve(at + guess + 1 + text.length * 3);
    const bodyAt = at + guess + 1;
    const size = encoder.encodeInto(text, this.#bytes.subarray(bodyAt)).written;
    if (size > MAX_MESSAGE_BYTES) return -size;
    const digits = digitCount(size);
    if (digits !== guess) this.#bytes.copyWithin(at + digits + 1, bodyAt, bodyAt + size);
    this.#writeCount(size, at, digits);
    return at + digits + 1 + size;
  }

  /** Writes `n` as `digits` ASCII digits at `at`, followed by a space. */
  #writeCount(n: number, at: number, digits: number): void {
    const bytes = this.#bytes;
    bytes[at + digits] = SPACE;
    for (let i = at + digits - 1; i >= at; i--) {
      bytes[i] = DIGIT_0 + (n % 10);
      n = Math.floor(n / 10);
    }
  }

  /** Makes room for `needed` bytes in total, doubling the capacity. */
  #reserve(needed: number): void {
    if (needed <= this.#bytes.length) return;
    let capacity = Math.max(this.#initialCapacity, this.#bytes.length * 2);
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }
}

/**
 * Frames messages into one `application/logplex-1` body.
 * @throws {RangeError} when a message is over {@link MAX_MESSAGE_BYTES}.
 */
export function frameMessages(messages: readonly LogplexMessage[]): Uint8Array<ArrayBuffer> {
  let estimate = 0;
  for (const message of messages) {
    estimate += 48 + message.body.length + message.timestamp.length + message.hostname.length + message.appName.length +
      message.procId.length;
  }
  const buffer = new FrameBuffer(estimate + 64);
  buffer.append(messages);
  return buffer.take();
}
