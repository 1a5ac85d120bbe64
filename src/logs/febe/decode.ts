/**
 * Incremental pg_logfebe decoder: bytes from one unix-socket connection in, events out. Frames are
 * `type:u8 length:u32be payload[length-4]`; the stream is `V`, `I`, then `L`* until the process goes.
 * Chunks may split a frame anywhere (down to one byte at a time). Complete frames are decoded straight
 * from the chunk; only a frame that straddles chunks is copied, once, into a buffer of its exact size,
 * after its length has been checked against the limit.
 *
 * Pure: no I/O, no clock. The socket wiring feeds `push()` and calls `finish()` at EOF.
 * @module
 */
import type { LogRecord } from "../record.ts";
import { FieldReader } from "./field-reader.ts";
import { Identity, Log, Version } from "./messages.ts";
import { hexByte, ProtocolError } from "./protocol-error.ts";

/** One decoded frame. */
export type FebeEvent =
  | { readonly type: "V"; readonly version: string; readonly major: number }
  | { readonly type: "I"; readonly identity: string }
  | { readonly type: "L"; readonly record: LogRecord };

/** Options of `createFebeDecoder`. */
export interface FebeDecoderOptions {
  /**
   * Largest accepted frame, counted as the length field does (4 + payload). The original collector
   * disconnected above 1 MiB too.
   * @default 1048576
   */
  readonly maxFrameBytes?: number;
}

/** A decoder for one connection. */
export interface FebeDecoder {
  /**
   * Decodes what `chunk` completes. The chunk may be reused by the caller afterwards.
   * @throws {ProtocolError} on the first protocol violation; its `events` holds what this call decoded
   *   before it. The decoder stays failed: later calls throw the same error.
   */
  push(chunk: Uint8Array): FebeEvent[];
  /** At EOF: `"truncated"` when the stream stopped inside a frame, else `"clean"`. */
  finish(): "clean" | "truncated";
}

const HEADER_BYTES = 5;
const TYPE_V = 0x56;
const TYPE_I = 0x49;
const TYPE_L = 0x4c;

/** Creates a decoder for one connection. */
export function createFebeDecoder(options: FebeDecoderOptions = {}): FebeDecoder {
  return new FebeStream(options.maxFrameBytes ?? 1024 * 1024);
}

/** Which frame type the protocol allows next. */
type Stage = typeof TYPE_V | typeof TYPE_I | typeof TYPE_L;

class FebeStream implements FebeDecoder {
  private stage: Stage = TYPE_V;
  /** Stream offset of the next unread byte. */
  private consumed = 0;
  /** A header split across chunks. */
  private readonly header = new Uint8Array(HEADER_BYTES);
  private headerFill = 0;
  /** The payload of a frame split across chunks, allocated at its exact size. */
  private partial: Uint8Array | null = null;
  private partialFill = 0;
  private partialType = 0;
  private failure: ProtocolError | null = null;
  private readonly reader = new FieldReader();
  private events: FebeEvent[] = [];

  constructor(private readonly maxFrameBytes: number) {}

  push(chunk: Uint8Array): FebeEvent[] {
    if (this.failure !== null) throw this.failure;
    this.events = [];
    try {
      this.consume(chunk);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.failure = new ProtocolError(error.reason, error.message, error.offset, this.events);
      throw this.failure;
    }
    return this.events;
  }

  finish(): "clean" | "truncated" {
    return this.headerFill > 0 || this.partial !== null ? "truncated" : "clean";
  }

  private consume(chunk: Uint8Array): void {
    let pos = this.resume(chunk);
    while (pos >= 0 && chunk.length - pos >= HEADER_BYTES) {
      const length = this.checkHeader(chunk[pos]!, readLength(chunk, pos + 1));
      const end = pos + 1 + length;
      if (end > chunk.length) return this.startPartial(chunk, pos, length);
      this.dispatch(chunk[pos]!, chunk.subarray(pos + HEADER_BYTES, end));
      pos = end;
    }
    if (pos >= 0) this.keepHeader(chunk, pos);
  }

  /** Finishes a frame left over from earlier chunks; returns where whole frames start, −1 if none do. */
  private resume(chunk: Uint8Array): number {
    if (this.partial !== null) return this.fillPartial(chunk, 0);
    if (this.headerFill === 0) return 0;
    const taken = Math.min(HEADER_BYTES - this.headerFill, chunk.length);
    this.header.set(chunk.subarray(0, taken), this.headerFill);
    this.headerFill += taken;
    if (this.headerFill < HEADER_BYTES) return -1;
    this.headerFill = 0;
    const length = this.checkHeader(this.header[0]!, readLength(this.header, 1));
    this.partial = new Uint8Array(length - 4);
    this.partialType = this.header[0]!;
    this.partialFill = 0;
    return this.fillPartial(chunk, taken);
  }

  private fillPartial(chunk: Uint8Array, from: number): number {
    const partial = this.partial!;
    const taken = Math.min(partial.length - this.partialFill, chunk.length - from);
    partial.set(chunk.subarray(from, from + taken), this.partialFill);
    this.partialFill += taken;
    if (this.partialFill < partial.length) return -1;
    this.partial = null;
    this.dispatch(this.partialType, partial);
    return from + taken;
  }

  private startPartial(chunk: Uint8Array, pos: number, length: number): void {
    this.partial = new Uint8Array(length - 4);
    this.partialType = chunk[pos]!;
    this.partialFill = 0;
    this.fillPartial(chunk, pos + HEADER_BYTES);
  }

  private keepHeader(chunk: Uint8Array, pos: number): void {
    if (pos === chunk.length) return;
    this.checkType(chunk[pos]!);
    this.header.set(chunk.subarray(pos), 0);
    this.headerFill = chunk.length - pos;
  }

  /** Validates type and length before anything is buffered; returns the length. */
  private checkHeader(type: number, length: number): number {
    this.checkType(type);
    if (length < 4) {
      const why = "the length counts its own 4 bytes, so it is at least 4";
      throw new ProtocolError("bad-length", `Cannot accept frame length ${length}: ${why}`, this.consumed);
    }
    if (length > this.maxFrameBytes) {
      const why = `it is over the ${this.maxFrameBytes}-byte limit`;
      throw new ProtocolError("frame-too-large", `Cannot accept frame length ${length}: ${why}`, this.consumed);
    }
    return length;
  }

  private checkType(type: number): void {
    if (type === this.stage) return;
    if (type !== TYPE_V && type !== TYPE_I && type !== TYPE_L) {
      const message = `Cannot accept frame type ${hexByte(type)}: expected V, I or L`;
      throw new ProtocolError("unknown-type", message, this.consumed);
    }
    const why = this.stage === TYPE_L ? "V and I come once, then only L" : `expected ${hexByte(this.stage)} next`;
    throw new ProtocolError("unexpected-frame", `Cannot accept frame type ${hexByte(type)} here: ${why}`, this.consumed);
  }

  /** Decodes one complete frame; its type was checked against the stage already. */
  private dispatch(type: number, payload: Uint8Array): void {
    const offset = this.consumed;
    if (type === TYPE_L) this.events.push({ type: "L", record: Log(payload, offset, this.reader) });
    else if (type === TYPE_V) this.events.push({ type: "V", ...Version(payload, offset) });
    else this.events.push({ type: "I", identity: Identity(payload) });
    this.stage = type === TYPE_V ? TYPE_I : TYPE_L;
    this.consumed += HEADER_BYTES + payload.length;
  }
}

function readLength(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
