/**
 * One pg_logfebe connection: bytes → decoder → `V` (major version), `I` (identity check), `L` records
 * handed to the serve. The socket is read for as long as it is open, whatever happens downstream:
 * a collector that stops reading freezes the PostgreSQL process inside its logging call (reference
 * §1.5), so this code never pauses a socket; the sender drops and counts instead.
 * @module
 */
import type { Socket } from "node:net";
import { createFebeDecoder, type FebeEvent } from "../febe/decode.ts";
import { ProtocolError } from "../febe/protocol-error.ts";
import type { LogRecord } from "../record.ts";

/** What a connection needs from its serve. */
export interface ConnectionRoute {
  /** The identity the `I` frame must carry. */
  readonly identity: string;
  /** Largest frame accepted. */
  readonly maxFrameBytes: number;
  /** A connection was accepted. */
  opened(): void;
  /** The connection announced PostgreSQL `major`; returns where its records go. */
  records(major: number): (record: LogRecord) => void;
  /** The connection broke the protocol (bad frame, wrong identity) and is being closed. */
  refused(kind: string, why: string): void;
  /** The connection ended; `truncated` when it stopped inside a frame. */
  closed(truncated: boolean): void;
}

/** Serves one accepted socket until it closes. */
export function serveConnection(socket: Socket, route: ConnectionRoute): void {
  const decoder = createFebeDecoder({ maxFrameBytes: route.maxFrameBytes });
  let deliver: ((record: LogRecord) => void) | undefined;
  let refused = false;
  const refuse = (kind: string, why: string) => {
    refused = true;
    route.refused(kind, why);
    socket.destroy();
  };
  /** Handles decoded frames; false once the connection has been refused. */
  const handle = (events: readonly FebeEvent[]): boolean => {
    for (const event of events) {
      if (event.type === "L") deliver!(event.record);
      else if (event.type === "V") deliver = route.records(event.major);
      else if (event.identity !== route.identity) {
        refuse("identity", `identity "${event.identity}" is not the serve's "${route.identity}"`);
        return false;
      }
    }
    return true;
  };
  route.opened();
  socket.on("data", (chunk: Uint8Array) => {
    if (refused) return;
    try {
      handle(decoder.push(chunk));
    } catch (error) {
      failed(error, handle, refuse);
    }
  });
  socket.on("error", () => {}); // ECONNRESET and the like: "close" follows and does the accounting
  socket.once("close", () => route.closed(!refused && decoder.finish() === "truncated"));
}

/** A protocol error: forward what decoded before the bad frame, then close. Anything else is a bug, also contained to this connection. */
function failed(error: unknown, handle: (events: readonly FebeEvent[]) => boolean, refuse: (kind: string, why: string) => void): void {
  if (error instanceof ProtocolError) {
    if (handle(error.events)) refuse(error.reason, error.message);
    return;
  }
  refuse("internal", `internal error (please report): ${error instanceof Error ? error.message : String(error)}`);
}
