/**
 * Incremental pg_logfebe decoder: bytes from one unix-socket connection in, events out. Frames are
 * `type:u8 length:u32be payload[length-4]`; the stream is `V`, `I`, then `L`* until the process goes.
 * Chunks may split a frame anywhere (down to one byte at a time). Complete frames are decoded straight
 * from the chunk; only a frame that straddles chunks is copied, piece by piece as its bytes arrive
 * (never allocated at the announced length up front: a header costs 5 bytes to send), each piece
 * reserved from `memory`, and joined once when the frame is complete. When memory refuses, an `L` frame is read to its end and discarded (a
 * `skipped` event, so it can be counted); a `V` or `I` frame is a protocol error.
 *
 * Pure: no I/O, no clock. The socket wiring feeds `push()`, watches `inFrame` for a deadline, and
 * calls `finish()` at EOF (or `abandon()`), which gives the memory back.
 * @module
 */
import type { LogRecord } from "../record.ts";
import { FieldReader } from "./field-reader.ts";
import { Identity, Log, Version } from "./messages.ts";
import { hexByte, ProtocolError } from "./protocol-error.ts";

/** One decoded frame, or an `L` frame discarded for lack of memory. */
export type FebeEvent =
  | { readonly type: "V"; readonly version: string; readonly major: number }
  | { readonly type: "I"; readonly identity: string }
  | { readonly type: "L"; readonly record: LogRecord }
  | { readonly type: "skipped"; readonly bytes: number };

/** Where a split frame's buffer is reserved; both calls are synchronous. */
export interface FrameMemory {
  /** Reserves `n` more bytes; false when they are not available. */
  tryReserve(n: number): boolean;
  /** Gives back `n` bytes reserved earlier. */
  release(n: number): void;
}

/** Options of `createFebeDecoder`. */
export interface FebeDecoderOptions {
  /**
   * Largest accepted frame, counted as the length field does (4 + payload). The original collector
   * disconnected above 1 MiB too.
   * @default 1048576
   */
  readonly maxFrameBytes?: number;
  /** Reserves the buffers of split frames. @default unlimited */
  readonly memory?: FrameMemory;
}

/** A decoder for one connection. */
export interface FebeDecoder {
  /**
   * Decodes what `chunk` completes. The chunk may be reused by the caller afterwards.
   * @throws {ProtocolError} on the first protocol violation; its `events` holds what this call decoded
   *   before it. The decoder stays failed (its memory given back): later calls throw the same error.
   */
  push(chunk: Uint8Array): FebeEvent[];
  /** True while the stream stops inside a frame (header or payload): what a deadline watches. */
  readonly inFrame: boolean;
  /** Stream offset of the frame being read: a deadline restarts when it moves. */
  readonly frameOffset: number;
  /** Bytes reserved for the split frame now. */
  readonly heldBytes: number;
  /** At EOF: `"truncated"` when the stream stopped inside a frame, else `"clean"`. Gives the memory back. */
  finish(): "clean" | "truncated";
  /** Gives the memory back and fails later pushes (the connection is being closed). */
  abandon(): void;
}

const HEADER_BYTES = 5;
const TYPE_V = 0x56;
const TYPE_I = 0x49;
const TYPE_L = 0x4c;
const UNLIMITED: FrameMemory = { tryReserve: () => true, release: () => {} };

/** Creates a decoder for one connection. */
export function createFebeDecoder(options: FebeDecoderOptions = {}): FebeDecoder {
  return new FebeStream(options.maxFrameBytes ?? 1024 * 1024, options.memory ?? UNLIMITED);
}

/** Which frame type the protocol allows next. */
type Stage = typeof TYPE_V | typeof TYPE_I | typeof TYPE_L;

/** A frame split across chunks: copies of its pieces so far (exactly what arrived); null = discarding. */
class SplitFrame {
  fill = 0;
  pieces: Uint8Array[] | null = [];

  constructor(readonly type: number, readonly size: number) {}

  /** The whole payload, joined once. */
  joined(): Uint8Array {
    const pieces = this.pieces!;
    if (pieces.length === 1) return pieces[0]!;
    const payload = new Uint8Array(this.size);
    let at = 0;
    for (const piece of pieces) {
      payload.set(piece, at);
      at += piece.length;
    }
    return payload;
  }
}

class FebeStream implements FebeDecoder {
  #stage: Stage = TYPE_V;
  /** Stream offset of the next unread byte. */
  #consumed = 0;
  /** A header split across chunks. */
  readonly #header = new Uint8Array(HEADER_BYTES);
  #headerFill = 0;
  #split: SplitFrame | null = null;
  #failure: ProtocolError | null = null;
  readonly #reader = new FieldReader();
  #events: FebeEvent[] = [];

  readonly #maxFrameBytes: number;
  readonly #memory: FrameMemory;

  constructor(maxFrameBytes: number, memory: FrameMemory) {
    this.#maxFrameBytes = maxFrameBytes;
    this.#memory = memory;
  }

  get inFrame(): boolean {
    return this.#headerFill > 0 || this.#split !== null;
  }

  get frameOffset(): number {
    return this.#consumed;
  }

  get heldBytes(): number {
    return this.#split?.pieces === null ? 0 : (this.#split?.fill ?? 0);
  }

  push(chunk: Uint8Array): FebeEvent[] {
    if (this.#failure !== null) throw this.#failure;
    this.#events = [];
    try {
      this.#consume(chunk);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.#failure = new ProtocolError(error.reason, error.message, error.offset, this.#events);
      this.#dropSplit();
      throw this.#failure;
    }
    return this.#events;
  }

  finish(): "clean" | "truncated" {
    const truncated = this.inFrame;
    this.abandon();
    return truncated ? "truncated" : "clean";
  }

  abandon(): void {
    this.#dropSplit();
    this.#headerFill = 0;
    this.#failure ??= new ProtocolError(
      "closed",
      "Cannot accept more bytes: the connection was closed",
      this.#consumed,
    );
  }

  #consume(chunk: Uint8Array): void {
    let pos = this.#resume(chunk);
    while (pos >= 0 && chunk.length - pos >= HEADER_BYTES) {
      const length = this.#checkHeader(chunk[pos]!, readLength(chunk, pos + 1));
      const end = pos + 1 + length;
      if (end > chunk.length) {
        this.#split = new SplitFrame(chunk[pos]!, length - 4);
        this.#fillSplit(chunk, pos + HEADER_BYTES);
        return;
      }
      this.#dispatch(chunk[pos]!, chunk.subarray(pos + HEADER_BYTES, end));
      pos = end;
    }
    if (pos >= 0) this.#keepHeader(chunk, pos);
  }

  /** Finishes a frame left over from earlier chunks; returns where whole frames start, −1 if none do. */
  #resume(chunk: Uint8Array): number {
    if (this.#split !== null) return this.#fillSplit(chunk, 0);
    if (this.#headerFill === 0) return 0;
    const taken = Math.min(HEADER_BYTES - this.#headerFill, chunk.length);
    this.#header.set(chunk.subarray(0, taken), this.#headerFill);
    this.#headerFill += taken;
    if (this.#headerFill < HEADER_BYTES) return -1;
    this.#headerFill = 0;
    const length = this.#checkHeader(this.#header[0]!, readLength(this.#header, 1));
    this.#split = new SplitFrame(this.#header[0]!, length - 4);
    return this.#fillSplit(chunk, taken);
  }

  #fillSplit(chunk: Uint8Array, from: number): number {
    const split = this.#split!;
    const taken = Math.min(split.size - split.fill, chunk.length - from);
    if (split.pieces !== null && this.#reserve(split, taken)) split.pieces.push(copyOf(chunk, from, from + taken));
    split.fill += taken;
    if (split.fill < split.size) return -1;
    this.#completeSplit(split);
    return from + taken;
  }

  #completeSplit(split: SplitFrame): void {
    if (split.pieces === null) {
      this.#events.push({ type: "skipped", bytes: HEADER_BYTES + split.size });
      this.#consumed += HEADER_BYTES + split.size;
      this.#dropSplit();
      return;
    }
    const payload = split.joined();
    this.#dropSplit(); // before decoding: the memory is free again whatever the decoding does
    this.#dispatch(split.type, payload);
  }

  /** Reserves `bytes` more for the split frame; false (and discarding from now on) when memory refuses. */
  #reserve(split: SplitFrame, bytes: number): boolean {
    if (this.#memory.tryReserve(bytes)) return true;
    if (split.type !== TYPE_L) {
      throw new ProtocolError(
        "no-memory",
        `Cannot buffer a ${hexByte(split.type)} frame of ${split.size + 4} bytes: the memory budget is used up`,
        this.#consumed,
      );
    }
    this.#memory.release(split.fill);
    split.pieces = null;
    return false;
  }

  #dropSplit(): void {
    const held = this.heldBytes;
    this.#split = null;
    if (held > 0) this.#memory.release(held);
  }

  #keepHeader(chunk: Uint8Array, pos: number): void {
    if (pos === chunk.length) return;
    this.#checkType(chunk[pos]!);
    this.#header.set(chunk.subarray(pos), 0);
    this.#headerFill = chunk.length - pos;
  }

  /** Validates type and length before anything is buffered; returns the length. */
  #checkHeader(type: number, length: number): number {
    this.#checkType(type);
    if (length < 4) {
      const why = "the length counts its own 4 bytes, so it is at least 4";
      throw new ProtocolError("bad-length", `Cannot accept frame length ${length}: ${why}`, this.#consumed);
    }
    if (length > this.#maxFrameBytes) {
      const why = `it is over the ${this.#maxFrameBytes}-byte limit`;
      throw new ProtocolError("frame-too-large", `Cannot accept frame length ${length}: ${why}`, this.#consumed);
    }
    return length;
  }

  #checkType(type: number): void {
    if (type === this.#stage) return;
    if (type !== TYPE_V && type !== TYPE_I && type !== TYPE_L) {
      const message = `Cannot accept frame type ${hexByte(type)}: expected V, I or L`;
      throw new ProtocolError("unknown-type", message, this.#consumed);
    }
    const why = this.#stage === TYPE_L ? "V and I come once, then only L" : `expected ${hexByte(this.#stage)} next`;
    throw new ProtocolError(
      "unexpected-frame",
      `Cannot accept frame type ${hexByte(type)} here: ${why}`,
      this.#consumed,
    );
  }

  /** Decodes one complete frame; its type was checked against the stage already. */
  #dispatch(type: number, payload: Uint8Array): void {
    const offset = this.#consumed;
    if (type === TYPE_L) this.#events.push({ type: "L", record: Log(payload, offset, this.#reader) });
    else if (type === TYPE_V) this.#events.push({ type: "V", ...Version(payload, offset) });
    else this.#events.push({ type: "I", identity: Identity(payload) });
    this.#stage = type === TYPE_V ? TYPE_I : TYPE_L;
    this.#consumed += HEADER_BYTES + payload.length;
  }
}

/**
 * A copy of `chunk[from..to)`. Not `chunk.slice()`: sockets hand over Buffers, whose `slice` is a view,
 * so a piece of a few bytes would keep the whole read (hundreds of KiB) alive, past what was reserved.
 */
function copyOf(chunk: Uint8Array, from: number, to: number): Uint8Array {
  return Uint8Array.prototype.slice.call(chunk, from, to);
}

function readLength(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
