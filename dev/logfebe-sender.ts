/**
 * A pg_logfebe stand-in for tests and benchmarks: encodes `V`, `I` and `L` frames as the extension does
 * (including the 3 bytes its `I` frame carries past the NUL) and writes them to a unix socket, one
 * `write` per frame like its one blocking `send()` per frame, or in fixed-size chunks when asked.
 * @module
 */
import { createConnection, type Socket } from "node:net";
import { once } from "node:events";
import type { LogRecord } from "../src/logs/record.ts";

const encoder = new TextEncoder();
/** What the fixtures carry after the identity's NUL (pg_logfebe reads past the GUC string). */
const IDENTITY_TRAILER = [0x7f, 0x00, 0x00];

/** A `V` frame: `"PG-15.20 (Debian ...)/logfebe-1"` as a C string. */
export function encodeVersion(version: string): Uint8Array {
  return frame(0x56, [cstr(version)]);
}

/**
 * An `I` frame with pg_logfebe's quirk: its length counts `sizeof '\0'` (4) for the terminator, so
 * 3 more bytes follow the NUL. `trailer` sets them (default: the bytes seen in the fixtures).
 */
export function encodeIdentity(identity: string, trailer: readonly number[] = IDENTITY_TRAILER): Uint8Array {
  return frame(0x49, [cstr(identity), Uint8Array.from(trailer)]);
}

/** An `L` frame with the 23 fields of `record` in wire order. */
export function encodeRecord(record: LogRecord): Uint8Array {
  const r = record;
  return frame(0x4c, [
    cstr(r.logTime),
    maybe(r.userName),
    maybe(r.databaseName),
    int32(r.pid),
    maybe(r.clientAddr),
    cstr(r.sessionId),
    int64(r.seqNum),
    maybe(r.psDisplay),
    cstr(r.sessionStart),
    maybe(r.vxid),
    int64(r.txid),
    int32(r.eLevel),
    maybe(r.sqlState),
    maybe(r.errMessage),
    maybe(r.errDetail),
    maybe(r.errHint),
    maybe(r.internalQuery),
    int32(r.internalQueryPos),
    maybe(r.errContext),
    maybe(r.userQuery),
    int32(r.userQueryPos),
    maybe(r.fileErrPos),
    maybe(r.applicationName),
  ]);
}

/** Options of `sendFrames`. */
export interface SendOptions {
  /** Write the concatenated bytes in pieces of this size instead of one write per frame. */
  readonly chunkSize?: number;
}

/**
 * Connects to `socketPath`, writes `frames` and closes, as a PostgreSQL process would. Resolves once
 * everything was handed to the kernel, or when the collector closed the connection first (pg_logfebe
 * then just drops the record); rejects when the connection cannot be made.
 */
export async function sendFrames(
  socketPath: string,
  frames: Uint8Array[] | Uint8Array,
  options: SendOptions = {},
): Promise<void> {
  const socket = createConnection({ path: socketPath });
  await once(socket, "connect");
  let closedByPeer = false;
  socket.on("error", () => (closedByPeer = true)); // EPIPE / ECONNRESET after connect
  for (const piece of pieces(frames, options.chunkSize)) {
    if (closedByPeer) break;
    if (!socket.write(piece)) await eventOrClose(socket, "drain");
  }
  if (!closedByPeer) {
    socket.end();
    await eventOrClose(socket, "finish");
  }
  socket.destroy();
}

/** Waits for `name`, or for the socket to close (an error closes it too). Never rejects. */
function eventOrClose(socket: Socket, name: string): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off(name, done);
      socket.off("close", done); // a long write waits for drain many times: leave no listener behind
      resolve();
    };
    socket.once(name, done);
    socket.once("close", done);
  });
}

function pieces(frames: Uint8Array[] | Uint8Array, chunkSize: number | undefined): Uint8Array[] {
  const list = Array.isArray(frames) ? frames : [frames];
  if (chunkSize === undefined) return list;
  const all = concat(list);
  const out: Uint8Array[] = [];
  for (let at = 0; at < all.length; at += chunkSize) out.push(all.subarray(at, at + chunkSize));
  return out;
}

/** Joins byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function frame(type: number, parts: Uint8Array[]): Uint8Array {
  const payload = concat(parts);
  const out = new Uint8Array(5 + payload.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, 4 + payload.length);
  out.set(payload, 5);
  return out;
}

function cstr(text: string): Uint8Array {
  return concat([encoder.encode(text), Uint8Array.of(0)]);
}

function maybe(text: string | null): Uint8Array {
  return text === null ? Uint8Array.of(0x4e, 0) : concat([Uint8Array.of(0x50), cstr(text)]);
}

function int32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value);
  return out;
}

function int64(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(value));
  return out;
}
