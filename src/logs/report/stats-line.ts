/**
 * The periodic stats log line of one serve, logfmt-style so it greps and parses easily:
 * `serve-logs: stats [web] socket="/run/pg/web.sock" received=10 forwarded=9 ... pending=1`.
 * @module
 */
import type { ServeSnapshot } from "./snapshot.ts";

/** Formats the stats line of one serve. */
export function statsLine(snapshot: ServeSnapshot): string {
  const counters = snapshot.counters;
  const label = snapshot.name ?? snapshot.identity;
  return `serve-logs: stats [${label}] socket=${
    JSON.stringify(snapshot.socketPath)
  } received=${counters.received} forwarded=${counters.forwarded} ` +
    `dropped=${counters.dropped} rejected=${counters.rejected} failed=${counters.failed} pending=${counters.pending} lost_upstream=${counters.lostUpstream} ` +
    `connections=${counters.connections} active=${snapshot.activeConnections} protocol_errors=${counters.protocolErrors} truncated=${snapshot.truncated}` +
    (snapshot.spool
      ? ` spooled=${counters.spooled} spool_dropped=${counters.spoolDropped} spool_bytes=${snapshot.spool.bytes}`
      : "") +
    hostileFigures(snapshot);
}

/** What hostile or broken input cost, only once there is any (ordinary lines stay short). */
function hostileFigures(snapshot: ServeSnapshot): string {
  if (snapshot.stalled + snapshot.refusedConnections + snapshot.truncatedRecords + snapshot.invalidTimes === 0) {
    return "";
  }
  return ` stalled=${snapshot.stalled} refused_connections=${snapshot.refusedConnections} cut_records=${snapshot.truncatedRecords} invalid_log_times=${snapshot.invalidTimes}`;
}
