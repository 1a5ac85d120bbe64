/**
 * One pg_logfebe connection: bytes → decoder → `V` (major version), `I` (identity check), `L` records
 * handed to the serve. The socket is read for as long as it is open, whatever happens downstream:
 * a collector that stops reading freezes the PostgreSQL process inside its logging call (pg_logfebe
 * sends with a blocking write), so this code never pauses a socket; the sender drops and counts instead.
 *
 * A connection that stops inside a frame for longer than the frame deadline is closed: pg_logfebe
 * writes each frame with one blocking send, so only a stalled or hostile writer (a header and half a
 * body, a byte a second) sits there, holding memory and a connection slot.
 * @module
 */
import type { Socket } from "node:net";
import { createFebeDecoder, type FebeDecoder, type FebeEvent } from "../febe/decode.ts";
import { ProtocolError } from "../febe/protocol-error.ts";
import { quoteValue } from "../quote-value.ts";
import type { LogRecord } from "../record.ts";
import { releaseBytes } from "../release-bytes.ts";
import type { ConnectionMemory } from "./split-frame-memory.ts";

/** What a connection needs from its serve. */
export interface ConnectionRoute {
  /** The identity the `I` frame must carry. */
  readonly identity: string;
  /** Largest frame accepted. */
  readonly maxFrameBytes: number;
  /** How long the stream may stop inside one frame. */
  readonly frameTimeoutMs: number;
  /** The account split frames of this connection reserve from; `evict` closes the connection. */
  memory(evict: () => void): ConnectionMemory;
  /** A connection was accepted. */
  opened(): void;
  /** The connection announced PostgreSQL `major`; returns where its records go. */
  records(major: number): (record: LogRecord) => void;
  /** An `L` frame of `bytes` was read and discarded: no memory to hold it. */
  skipped(bytes: number): void;
  /** The connection broke the protocol (bad frame, wrong identity) and is being closed. */
  refused(kind: string, why: string): void;
  /** The connection sat inside a frame past the deadline, or was evicted for memory, and is being closed. */
  stalled(why: string): void;
  /** The connection ended; `truncated` when it stopped inside a frame. */
  closed(truncated: boolean): void;
}

/** Serves one accepted socket until it closes. */
export function serveConnection(socket: Socket, route: ConnectionRoute): void {
  let ended = false;
  const end = (report: () => void) => {
    if (ended) return;
    ended = true;
    decoder.abandon(); // gives split-frame memory back now, before anyone else reserves
    deadline.stop();
    clearTimeout(startup);
    report();
    socket.destroy();
  };
  const refuse = (kind: string, why: string) => end(() => route.refused(kind, why));
  const stall = (why: string) => end(() => route.stalled(why));
  const memory = route.memory(() => stall("evicted to make room for other split frames (memory budget)"));
  const decoder = createFebeDecoder({ maxFrameBytes: route.maxFrameBytes, memory });
  const deadline = frameDeadline(
    decoder,
    route.frameTimeoutMs,
    () => stall(`no complete frame within ${route.frameTimeoutMs} ms (stopped inside a frame)`),
  );
  // pg_logfebe sends V and I the moment it connects: a connection still without them at the frame
  // deadline only holds a slot (--max-connections) that a PostgreSQL process may need.
  const startup = setTimeout(
    () => stall(`no startup (V and I frames) within ${route.frameTimeoutMs} ms of connecting`),
    route.frameTimeoutMs,
  );
  const handle = eventHandler(route, refuse, () => clearTimeout(startup));
  route.opened();
  socket.on("data", (chunk: Uint8Array) => {
    if (ended) return;
    try {
      handle(decoder.push(chunk));
    } catch (error) {
      failed(error, handle, refuse);
    }
    if (!ended) deadline.check();
    releaseBytes(chunk); // decoded (split frames are copies): its memory goes back now, not at the next collection
  });
  socket.on("error", () => {}); // ECONNRESET and the like: "close" follows and does the accounting
  socket.once("close", () => {
    deadline.stop();
    clearTimeout(startup);
    route.closed(!ended && decoder.finish() === "truncated");
    ended = true;
  });
}

/** Handles decoded frames; the returned function says false once the connection has been refused. */
function eventHandler(
  route: ConnectionRoute,
  refuse: (kind: string, why: string) => void,
  identified: () => void,
): (events: readonly FebeEvent[]) => boolean {
  let deliver: ((record: LogRecord) => void) | undefined;
  return (events) => {
    for (const event of events) {
      if (event.type === "L") deliver!(event.record);
      else if (event.type === "skipped") route.skipped(event.bytes);
      else if (event.type === "V") deliver = route.records(event.major);
      else if (event.identity !== route.identity) {
        refuse(
          "identity",
          `identity ${quoteValue(event.identity)} is not the serve's ${JSON.stringify(route.identity)}`,
        );
        return false;
      } else identified();
    }
    return true;
  };
}

/** A timer per frame the stream stops inside: restarted when a new frame begins, stopped when none is open. */
function frameDeadline(decoder: FebeDecoder, timeoutMs: number, expire: () => void): { check(): void; stop(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let frame = -1;
  const stop = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  return {
    check() {
      if (!decoder.inFrame) return stop();
      if (timer !== undefined && frame === decoder.frameOffset) return;
      stop();
      frame = decoder.frameOffset;
      timer = setTimeout(expire, timeoutMs);
    },
    stop,
  };
}

/** A protocol error: forward what decoded before the bad frame, then close. Anything else is a bug, also contained to this connection. */
function failed(
  error: unknown,
  handle: (events: readonly FebeEvent[]) => boolean,
  refuse: (kind: string, why: string) => void,
): void {
  if (error instanceof ProtocolError) {
    if (handle(error.events)) refuse(error.reason, error.message);
    return;
  }
  refuse("internal", `internal error (please report): ${error instanceof Error ? error.message : String(error)}`);
}
