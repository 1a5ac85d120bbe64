/**
 * The periodic stats log line of one serve, logfmt-style so it greps and parses easily:
 * `serve-logs: stats [web] socket="/run/pg/web.sock" received=10 forwarded=9 ... pending=1`.
 * @module
 */
import type { ServeSnapshot } from "./snapshot.ts";

/** Formats the stats line of one serve. */
export function statsLine(snapshot: ServeSnapshot): string {
  const c = snapshot.counters;
  const label = snapshot.name ?? snapshot.identity;
  return `serve-logs: stats [${label}] socket=${JSON.stringify(snapshot.socketPath)} received=${c.received} forwarded=${c.forwarded} ` +
    `dropped=${c.dropped} rejected=${c.rejected} failed=${c.failed} pending=${c.pending} lost_upstream=${c.lostUpstream} ` +
    `connections=${c.connections} active=${snapshot.activeConnections} protocol_errors=${c.protocolErrors} truncated=${snapshot.truncated}` +
    (snapshot.spool ? ` spooled=${c.spooled} spool_dropped=${c.spoolDropped} spool_bytes=${snapshot.spool.bytes}` : "") +
    hostileFigures(snapshot);
}

/** What hostile or broken input cost, only once there is any (ordinary lines stay short). */
function hostileFigures(s: ServeSnapshot): string {
  if (s.stalled + s.refusedConnections + s.truncatedRecords + s.invalidTimes === 0) return "";
  return ` stalled=${s.stalled} refused_connections=${s.refusedConnections} cut_records=${s.truncatedRecords} invalid_log_times=${s.invalidTimes}`;
}
