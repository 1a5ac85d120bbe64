/**
 * A point-in-time copy of one serve's figures, the input of the stats line and `/metrics`.
 * @module
 */
import type { ServeForwarder } from "../forward.ts";
import type { ServeCounters } from "../stats.ts";

/** One serve's figures. No token, no URL credentials: safe to print and to export. */
export interface ServeSnapshot {
  readonly identity: string;
  readonly name: string | undefined;
  readonly socketPath: string;
  readonly listening: boolean;
  readonly counters: Readonly<ServeCounters>;
  /** Connections open now. */
  readonly activeConnections: number;
  /** Connections that ended inside a frame. */
  readonly truncated: number;
  /** Connections closed inside a frame past the deadline or evicted for memory. */
  readonly stalled: number;
  /** Connections closed on arrival over the limit. */
  readonly refusedConnections: number;
  /** Records cut to the per-record byte cap, and the bytes cut. */
  readonly truncatedRecords: number;
  readonly cutBytes: number;
  /** Records whose LogTime was invalid (sent with the receive time). */
  readonly invalidTimes: number;
  /** Framed bytes the sender holds (open batch, queue, in flight). */
  readonly bufferedBytes: number;
  /** Requests to logplex in flight. */
  readonly requestsInFlight: number;
}

/** Copies the figures of a forwarder. */
export function snapshotOf(forwarder: ServeForwarder): ServeSnapshot {
  const sender = forwarder.sender.stats();
  return {
    identity: forwarder.serve.identity,
    name: forwarder.serve.name,
    socketPath: forwarder.serve.socketPath,
    listening: forwarder.listening,
    counters: { ...forwarder.counters },
    activeConnections: forwarder.connections.active,
    truncated: forwarder.connections.truncated,
    stalled: forwarder.connections.stalled,
    refusedConnections: forwarder.connections.refused,
    truncatedRecords: forwarder.records.truncated,
    cutBytes: forwarder.records.cutBytes,
    invalidTimes: forwarder.records.invalidTimes,
    bufferedBytes: sender.heldBytes,
    requestsInFlight: sender.inFlight,
  };
}
