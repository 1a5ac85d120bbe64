/** `posemo serve-logs`: flag specification; the body is loaded on demand. @module */
import { buildCommand } from "@stricli/core";
import type { CliContext } from "../context.ts";
import { parseDurationMs } from "../parsers.ts";

/** Flags of `posemo serve-logs`; unset ones fall back to SERVE_DB_DIR and LOGPLEX_URL. */
export interface ServeLogsFlags {
  readonly serveDb?: string;
  readonly logplexUrl?: string;
  readonly format: "legacy" | "heroku" | "json";
  readonly pollInterval: number;
  readonly statsAddr?: string;
  readonly caFile?: string;
  readonly insecure: boolean;
}

export const serveLogsCommand = buildCommand<ServeLogsFlags, [], CliContext>({
  loader: () => import("./serve-logs.impl.ts"),
  parameters: {
    flags: {
      serveDb: { kind: "parsed", parse: String, optional: true, placeholder: "dir", brief: "Serve database directory [SERVE_DB_DIR]" },
      logplexUrl: { kind: "parsed", parse: String, optional: true, placeholder: "url", brief: "logplex endpoint for serves that give a token [LOGPLEX_URL]" },
      format: { kind: "enum", values: ["legacy", "heroku", "json"], default: "legacy", brief: "Message format (a serve may override it)" },
      pollInterval: { kind: "parsed", parse: parseDurationMs, default: "10s", placeholder: "duration", brief: "How often to look for serves.new" },
      statsAddr: { kind: "parsed", parse: String, optional: true, placeholder: "host:port", brief: "Serve /healthz and /metrics here" },
      caFile: { kind: "parsed", parse: String, optional: true, placeholder: "file", brief: "Trust this CA bundle for logplex TLS" },
      insecure: { kind: "boolean", default: false, brief: "Do not verify logplex TLS certificates" },
    },
  },
  docs: { brief: "Receive pg_logfebe logs on unix sockets and forward them to logplex" },
});
