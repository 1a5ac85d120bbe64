/** `posemo serve-logs`: flag specification; the body is loaded on demand. @module */
import { buildCommand } from "@stricli/core";
import type { CliContext } from "../context.ts";
import { parseDurationMs } from "../../config/duration.ts";
import {
  parseByteSize,
  parseFileMode,
  parseListenAddress,
  parseRecordCap,
  wholeNumberIn,
} from "../serve-logs-parsers.ts";

/** Flags of `posemo serve-logs`; unset ones fall back to SERVE_DB_DIR and LOGPLEX_URL. */
export interface ServeLogsFlags {
  readonly serveDb?: string;
  readonly logplexUrl?: string;
  readonly format: "legacy" | "heroku" | "json";
  readonly pollInterval: number;
  readonly statsAddr?: { readonly hostname: string; readonly port: number };
  readonly statsInterval: number;
  readonly caFile?: string;
  readonly insecure: boolean;
  readonly socketMode: number;
  readonly flushBytes: number;
  readonly flushInterval: number;
  readonly requestTimeout: number;
  readonly maxInFlight: number;
  readonly maxPending: number;
  readonly maxMemory: number;
  readonly drainTimeout: number;
  readonly maxConnections: number;
  readonly maxRecordBytes: number;
  readonly frameTimeout: number;
  readonly spoolDir?: string;
  readonly spoolMax: number;
  readonly spoolMaxTotal: number;
  readonly spoolOverflow: "drop-oldest" | "drop-newest";
  readonly spoolCommitInterval: number;
  readonly spoolMaxAge: number;
}

export const serveLogsCommand = buildCommand<ServeLogsFlags, [], CliContext>({
  loader: () => import("./serve-logs.impl.ts"),
  parameters: {
    flags: {
      serveDb: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "dir",
        brief: "Serve database directory [SERVE_DB_DIR]",
      },
      logplexUrl: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "url",
        brief: "logplex endpoint for serves that give a token [LOGPLEX_URL]",
      },
      format: {
        kind: "enum",
        values: ["legacy", "heroku", "json"],
        default: "legacy",
        brief: "Message format (a serve may override it)",
      },
      pollInterval: {
        kind: "parsed",
        parse: parseDurationMs,
        default: "10s",
        placeholder: "duration",
        brief: "How often to look for serves.new (also on SIGHUP)",
      },
      statsAddr: {
        kind: "parsed",
        parse: parseListenAddress,
        optional: true,
        placeholder: "host:port",
        brief: "Serve /healthz and /metrics here (port 0: any; the URL is printed on stdout)",
      },
      statsInterval: {
        kind: "parsed",
        parse: parseDurationMs,
        default: "60s",
        placeholder: "duration",
        brief: "How often to log a stats line per serve whose figures changed",
      },
      caFile: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "file",
        brief: "Trust this CA bundle for logplex TLS",
      },
      insecure: { kind: "boolean", default: false, brief: "Do not verify logplex TLS certificates" },
      socketMode: {
        kind: "parsed",
        parse: parseFileMode,
        default: "0666",
        placeholder: "mode",
        brief: "File mode of the sockets (PostgreSQL runs as another user)",
      },
      flushBytes: {
        kind: "parsed",
        parse: parseByteSize,
        default: "100KiB",
        placeholder: "size",
        brief: "Send a serve's batch once it holds this much",
      },
      flushInterval: {
        kind: "parsed",
        parse: parseDurationMs,
        default: "250ms",
        placeholder: "duration",
        brief: "Send a serve's batch this long after its first record",
      },
      requestTimeout: {
        kind: "parsed",
        parse: parseDurationMs,
        default: "5s",
        placeholder: "duration",
        brief: "Deadline of one whole request to logplex",
      },
      maxInFlight: {
        kind: "parsed",
        parse: wholeNumberIn(1, 1000),
        default: "4",
        placeholder: "n",
        brief: "Requests in flight per serve",
      },
      maxPending: {
        kind: "parsed",
        parse: parseByteSize,
        default: "8MiB",
        placeholder: "size",
        brief: "Bytes one serve may buffer; past it records are dropped and counted",
      },
      maxMemory: {
        kind: "parsed",
        parse: parseByteSize,
        default: "64MiB",
        placeholder: "size",
        brief: "Bytes all serves together may buffer",
      },
      maxRecordBytes: {
        kind: "parsed",
        parse: parseRecordCap,
        default: "64KiB",
        placeholder: "size",
        brief:
          'Text one record keeps (1KiB-1MiB); the rest is cut, marked and counted. A serve may set "max_record_bytes"',
      },
      maxConnections: {
        kind: "parsed",
        parse: wholeNumberIn(1, 1_000_000),
        default: "10000",
        placeholder: "n",
        brief:
          "Connections one serve keeps open (pg_logfebe opens one per PostgreSQL process); more are closed and counted",
      },
      frameTimeout: {
        kind: "parsed",
        parse: parseDurationMs,
        default: "10s",
        placeholder: "duration",
        brief:
          "Close a connection that stops inside a frame, or has sent no startup, this long (PostgreSQL writes at once)",
      },
      drainTimeout: {
        kind: "parsed",
        parse: parseDurationMs,
        default: "5s",
        placeholder: "duration",
        brief: "On SIGTERM, how long to keep sending what is pending",
      },
      spoolDir: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "dir",
        brief:
          "Spool to disk what memory cannot hold or logplex does not take, and resume it after a restart [POSEMO_SPOOL_DIR]",
      },
      spoolMax: {
        kind: "parsed",
        parse: parseByteSize,
        default: "1GiB",
        placeholder: "size",
        brief: "Disk one serve's spool may use",
      },
      spoolMaxTotal: {
        kind: "parsed",
        parse: parseByteSize,
        default: "8GiB",
        placeholder: "size",
        brief: "Disk all spools together may use",
      },
      spoolOverflow: {
        kind: "enum",
        values: ["drop-oldest", "drop-newest"],
        default: "drop-oldest",
        brief: "What a full spool gives up (counted spool_dropped)",
      },
      spoolCommitInterval: {
        kind: "parsed",
        parse: parseDurationMs,
        default: "100ms",
        placeholder: "duration",
        brief: "Group commit: spooled records reach the disk (written and fsynced) within this",
      },
      spoolMaxAge: {
        kind: "parsed",
        parse: parseDurationMs,
        default: "168h",
        placeholder: "duration",
        brief: "Give up spooled records older than this (also the spool of a serve no longer served)",
      },
    },
  },
  docs: { brief: "Receive pg_logfebe logs on unix sockets and forward them to logplex" },
});
