/**
 * A point-in-time copy of one serve's figures, the input of the stats line and `/metrics`.
 * @module
 */
import type { ServeForwarder } from "../forward.ts";
import type { ServeCounters } from "../stats.ts";
import type { LogplexSenderStats } from "../logplex/sender.ts";

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
  /** Only sending the spool of a serve no longer in the serve database (never listens). */
  readonly drainOnly: boolean;
  /** The serve's spool, with --spool-dir. */
  readonly spool: SpoolSnapshot | undefined;
}

/** One serve's spool. */
export interface SpoolSnapshot {
  readonly bytes: number;
  readonly segments: number;
  /** Age of the oldest record in it (segment precision), 0 when it is empty. */
  readonly oldestAgeSeconds: number;
  /** Records go to the spool now; logplex is failing. */
  readonly spooling: boolean;
  readonly failing: boolean;
  /** The last write problem (full disk, unwritable directory) within the last minute, if any. */
  readonly problem: string | undefined;
  /** Bytes of damaged or torn entries skipped, and the last finding. */
  readonly damagedBytes: number;
  readonly damage: string | undefined;
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
    drainOnly: forwarder.drainOnly,
    spool: spoolSnapshot(forwarder, sender),
  };
}

function spoolSnapshot(forwarder: ServeForwarder, sender: LogplexSenderStats): SpoolSnapshot | undefined {
  const stats = forwarder.spool?.stats();
  if (!stats) return undefined;
  const { bytes, segments, problem, damagedBytes, damage } = stats;
  const oldestAgeSeconds = stats.oldestTimeMs === undefined ? 0 : Math.max(0, (Date.now() - stats.oldestTimeMs) / 1000);
  return {
    bytes,
    segments,
    oldestAgeSeconds,
    spooling: sender.spooling,
    failing: sender.failing,
    problem,
    damagedBytes,
    damage,
  };
}
