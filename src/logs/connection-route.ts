/**
 * The serve's side of its connections: how many may be open, and what each connection reports to
 * the serve (opened and closed, refused frames, skipped records, stalls), counted and complained about.
 * @module
 */
import type { Socket } from "node:net";
import type { RateLimitedLog } from "./logplex/rate-limited-log.ts";
import { type ConnectionRoute, serveConnection } from "./listen/connection.ts";
import type { LogRecord } from "./record.ts";
import type { ForwarderSettings } from "./forwarder-settings.ts";
import type { ServeCounters } from "./stats.ts";

/** Connection figures beside the serve counters. */
export interface ConnectionStats {
  /** Connections open now. */
  active: number;
  /** Connections that ended inside a frame (a short write by PostgreSQL, then EOF). */
  truncated: number;
  /** Connections closed for sitting inside a frame past the deadline, or evicted to free split-frame memory. */
  stalled: number;
  /** Connections closed on arrival because the serve had `maxConnections` open. */
  refused: number;
}

/** What the route needs from its forwarder. */
export interface RouteContext {
  readonly identity: string;
  readonly settings: ForwarderSettings;
  readonly counters: ServeCounters;
  readonly connections: ConnectionStats;
  readonly complain: RateLimitedLog;
  /** The serve's log-line prefix. */
  readonly prefix: string;
  /** The per-record path of a connection from a server of this major version. */
  readonly records: (major: number) => (record: LogRecord) => void;
}

/** Serves a new connection, unless the serve, or all serves together, already hold as many as they may. */
export function acceptConnection(socket: Socket, context: RouteContext, route: ConnectionRoute): void {
  const { connections, settings } = context;
  const slots = settings.connectionSlots;
  const full = connections.active >= settings.maxConnections;
  if (!full && (!slots || slots.tryTake())) return serveConnection(socket, route);
  connections.refused++;
  socket.destroy();
  const why = full
    ? `${connections.active} are open, the limit (--max-connections) is ${settings.maxConnections}`
    : `all serves together hold ${slots!.limit}, what the open-file limit (ulimit -n) leaves room for`;
  context.complain(full ? "too-many" : "no-files", `${context.prefix} closed a new connection: ${why}`);
}

/** What every connection of the serve reports to it. */
export function connectionRoute(context: RouteContext): ConnectionRoute {
  const { counters, connections, complain, prefix, settings } = context;
  return {
    identity: context.identity,
    maxFrameBytes: settings.maxFrameBytes ?? 1024 * 1024,
    frameTimeoutMs: settings.frameTimeoutMs,
    memory: (evict) => settings.splitFrames.account(evict),
    opened: () => {
      counters.connections++;
      connections.active++;
    },
    records: context.records,
    refused: (kind, why) => {
      counters.protocolErrors++;
      complain(kind, `${prefix} closed a connection: ${why}`);
    },
    skipped: (bytes) => {
      counters.received++;
      counters.dropped++;
      complain("skipped", `${prefix} dropped a record of ${bytes} bytes: no memory left to hold it (--max-memory)`);
    },
    stalled: (why) => {
      connections.stalled++;
      complain("stalled", `${prefix} closed a connection: ${why}`);
    },
    closed: (truncated) => {
      connections.active--;
      settings.connectionSlots?.give();
      if (truncated) connections.truncated++;
    },
  };
}
