/**
 * Prometheus text exposition (version 0.0.4) of the serves' figures: one series per counter per serve,
 * labelled by identity, name and socket path. Nothing secret is exported. Pure.
 * @module
 */
import { escapeLabelValue } from "../../safe-text.ts";
import type { ServeCounters } from "../stats.ts";
import type { ServeSnapshot } from "./snapshot.ts";

/** Figures of the process as a whole. */
export interface ProcessFigures {
  /** Serve sets accepted and rejected since start. */
  readonly reloads: { readonly accepted: number; readonly rejected: number };
  /** Bytes of the shared memory budget in use, and its total. */
  readonly budgetUsedBytes: number;
  readonly budgetTotalBytes: number;
  /** Bytes of the budget held by frames split across reads, and connections evicted to free them. */
  readonly splitFrameBytes: number;
  readonly splitFrameEvictions: number;
  /** Bytes all spools hold, and --spool-max-total; absent without --spool-dir. */
  readonly spool?: { readonly usedBytes: number; readonly totalBytes: number };
}

interface Family {
  readonly name: string;
  readonly type: "counter" | "gauge";
  readonly help: string;
  readonly value: (s: ServeSnapshot) => number;
  /** Only serves for which this holds have the series. @default every serve */
  readonly has?: (s: ServeSnapshot) => boolean;
}

const spool = (
  name: string,
  type: Family["type"],
  help: string,
  value: (s: NonNullable<ServeSnapshot["spool"]>, c: ServeSnapshot["counters"]) => number,
): Family => ({
  name,
  type,
  help,
  value: (s) => (s.spool ? value(s.spool, s.counters) : 0),
  has: (s) => s.spool !== undefined,
});

const counter = (key: keyof ServeCounters, name: string, help: string): Family => ({
  name,
  type: "counter",
  help,
  value: (s) => s.counters[key],
});

const SERVE_FAMILIES: readonly Family[] = [
  counter("received", "posemo_serve_received_records_total", "Log records decoded from the serve's socket."),
  counter("forwarded", "posemo_serve_forwarded_records_total", "Records logplex accepted."),
  counter("dropped", "posemo_serve_dropped_records_total", "Records dropped because a memory bound was reached."),
  counter(
    "rejected",
    "posemo_serve_rejected_records_total",
    "Records logplex refused with a non-retryable 4xx (or too large to send).",
  ),
  counter(
    "failed",
    "posemo_serve_failed_records_total",
    "Records given up on after retries or at the shutdown deadline.",
  ),
  counter(
    "lostUpstream",
    "posemo_serve_lost_upstream_records_total",
    "Records PostgreSQL failed to deliver (SeqNum gaps).",
  ),
  counter("connections", "posemo_serve_connections_total", "Connections accepted."),
  counter(
    "protocolErrors",
    "posemo_serve_protocol_errors_total",
    "Connections closed for a protocol error or an identity mismatch.",
  ),
  {
    name: "posemo_serve_truncated_connections_total",
    type: "counter",
    help: "Connections that ended inside a frame.",
    value: (s) => s.truncated,
  },
  {
    name: "posemo_serve_stalled_connections_total",
    type: "counter",
    help: "Connections closed for stopping inside a frame past --frame-timeout, or evicted to free split-frame memory.",
    value: (s) => s.stalled,
  },
  {
    name: "posemo_serve_refused_connections_total",
    type: "counter",
    help: "Connections closed on arrival because --max-connections were open.",
    value: (s) => s.refusedConnections,
  },
  {
    name: "posemo_serve_truncated_records_total",
    type: "counter",
    help: "Records cut to the per-record byte cap (--max-record-bytes).",
    value: (s) => s.truncatedRecords,
  },
  {
    name: "posemo_serve_cut_bytes_total",
    type: "counter",
    help: "Bytes of text cut from records over the cap.",
    value: (s) => s.cutBytes,
  },
  {
    name: "posemo_serve_invalid_log_time_records_total",
    type: "counter",
    help: "Records whose LogTime was not a valid time; they were sent with the receive time.",
    value: (s) => s.invalidTimes,
  },
  {
    name: "posemo_serve_pending_records",
    type: "gauge",
    help: "Records queued or in flight to logplex.",
    value: (s) => s.counters.pending,
  },
  {
    name: "posemo_serve_active_connections",
    type: "gauge",
    help: "Connections open now.",
    value: (s) => s.activeConnections,
  },
  {
    name: "posemo_serve_buffered_bytes",
    type: "gauge",
    help: "Framed bytes held for logplex.",
    value: (s) => s.bufferedBytes,
  },
  {
    name: "posemo_serve_requests_in_flight",
    type: "gauge",
    help: "Requests to logplex in flight.",
    value: (s) => s.requestsInFlight,
  },
  {
    name: "posemo_serve_listening",
    type: "gauge",
    help: "1 when the serve's socket accepts connections.",
    value: (s) => (s.listening ? 1 : 0),
  },
  spool(
    "posemo_serve_spooled_records",
    "gauge",
    "Records in the serve's spool on disk, not yet settled.",
    (_, c) => c.spooled,
  ),
  spool(
    "posemo_serve_spool_dropped_records_total",
    "counter",
    "Records the spool gave up (full, too old, a failed write, damage); also counted dropped.",
    (_, c) => c.spoolDropped,
  ),
  spool("posemo_serve_spool_bytes", "gauge", "Bytes of the serve's spool segments.", (p) => p.bytes),
  spool("posemo_serve_spool_segments", "gauge", "Segment files of the serve's spool.", (p) => p.segments),
  spool(
    "posemo_serve_spool_oldest_record_age_seconds",
    "gauge",
    "Age of the oldest record in the spool (segment precision), 0 when empty.",
    (p) => Math.round(p.oldestAgeSeconds * 1000) / 1000,
  ),
  spool(
    "posemo_serve_spool_damaged_bytes_total",
    "counter",
    "Bytes of damaged or torn spool entries skipped.",
    (p) => p.damagedBytes,
  ),
  spool(
    "posemo_serve_spool_write_failing",
    "gauge",
    "1 while the spool cannot write (full disk, unwritable directory), and for a minute after.",
    (p) => (p.problem ? 1 : 0),
  ),
  spool(
    "posemo_serve_logplex_failing",
    "gauge",
    "1 while deliveries fail and the spool holds the records (one request at a time).",
    (p) => (p.failing ? 1 : 0),
  ),
  {
    name: "posemo_serve_drain_only",
    type: "gauge",
    help: "1 for the spool of a serve no longer in the serve database, being sent.",
    value: (s) => (s.drainOnly ? 1 : 0),
    has: (s) => s.spool !== undefined,
  },
];

/** Renders the exposition text for `serves` and the process figures. */
export function renderMetrics(serves: readonly ServeSnapshot[], process: ProcessFigures): string {
  const lines: string[] = [];
  for (const family of SERVE_FAMILIES) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const serve of serves) {
      if (family.has?.(serve) ?? true) lines.push(`${family.name}{${serveLabels(serve)}} ${family.value(serve)}`);
    }
  }
  lines.push(
    "# HELP posemo_servedb_reloads_total Serve sets read from serves.new, by result.",
    "# TYPE posemo_servedb_reloads_total counter",
    `posemo_servedb_reloads_total{result="accepted"} ${process.reloads.accepted}`,
    `posemo_servedb_reloads_total{result="rejected"} ${process.reloads.rejected}`,
    "# HELP posemo_memory_budget_used_bytes Bytes of the shared log buffer budget in use.",
    "# TYPE posemo_memory_budget_used_bytes gauge",
    `posemo_memory_budget_used_bytes ${process.budgetUsedBytes}`,
    "# HELP posemo_memory_budget_bytes Size of the shared log buffer budget.",
    "# TYPE posemo_memory_budget_bytes gauge",
    `posemo_memory_budget_bytes ${process.budgetTotalBytes}`,
    "# HELP posemo_split_frame_bytes Bytes of the budget held by pg_logfebe frames split across reads.",
    "# TYPE posemo_split_frame_bytes gauge",
    `posemo_split_frame_bytes ${process.splitFrameBytes}`,
    "# HELP posemo_split_frame_evictions_total Connections closed to make room for other split frames.",
    "# TYPE posemo_split_frame_evictions_total counter",
    `posemo_split_frame_evictions_total ${process.splitFrameEvictions}`,
  );
  if (process.spool) {
    lines.push(
      "# HELP posemo_spool_used_bytes Bytes all serves' spools hold.",
      "# TYPE posemo_spool_used_bytes gauge",
      `posemo_spool_used_bytes ${process.spool.usedBytes}`,
      "# HELP posemo_spool_max_bytes Disk all spools may use (--spool-max-total).",
      "# TYPE posemo_spool_max_bytes gauge",
      `posemo_spool_max_bytes ${process.spool.totalBytes}`,
    );
  }
  return lines.join("\n") + "\n";
}

function serveLabels(serve: ServeSnapshot): string {
  return `identity="${escapeLabelValue(serve.identity)}",name="${escapeLabelValue(serve.name ?? "")}",socket="${
    escapeLabelValue(serve.socketPath)
  }"`;
}
