/**
 * Resolves serve-logs' flags and environment into the daemon's options. Flags win over
 * `SERVE_DB_DIR` and `LOGPLEX_URL` (the original's variables, so it is a drop-in replacement).
 * Every problem is one line; URL passwords and tokens are never printed.
 * @module
 */
import { accessSync, constants, statSync } from "node:fs";
import { fetchWithTls } from "../http/tls-fetch.ts";
import { type LogplexTarget, parseLogplexUrl, redactUrl } from "../logs/servedb/logplex-url.ts";
import type { ServeLogsOptions } from "../logs/serve-logs.ts";
import type { SpoolSettings } from "../logs/spool/spool-root.ts";
import { isAbsolute } from "node:path";
import type { ServeLogsFlags } from "./commands/serve-logs.ts";
import { UserError } from "../errors.ts";

/** The options that come from flags and environment (the rest is the process's I/O). */
export type ResolvedServeLogsOptions = Omit<ServeLogsOptions, "log" | "announce" | "stopSignal" | "onHangup">;

/**
 * Resolves and checks the options.
 * @throws {UserError} naming the bad flag, variable or directory
 */
export function resolveServeLogsOptions(
  flags: ServeLogsFlags,
  env: Readonly<Record<string, string | undefined>>,
): ResolvedServeLogsOptions {
  checkCaFile(flags.caFile);
  if (flags.flushBytes > flags.maxPending) {
    throw new UserError(
      `Cannot use --flush-bytes ${flags.flushBytes}: it is more than --max-pending (${flags.maxPending} bytes)`,
    );
  }
  return {
    serveDbDir: serveDbDir(flags.serveDb ?? env.SERVE_DB_DIR),
    logplexUrl: logplexUrl(
      flags.logplexUrl ?? env.LOGPLEX_URL,
      flags.logplexUrl !== undefined ? "--logplex-url" : "LOGPLEX_URL",
    ),
    pollIntervalMs: flags.pollInterval,
    statsIntervalMs: flags.statsInterval,
    statsAddr: flags.statsAddr,
    memoryBudgetBytes: flags.maxMemory,
    spool: spoolSettings(flags, env),
    serveSet: {
      defaultFormat: flags.format,
      socketMode: flags.socketMode,
      drainTimeoutMs: flags.drainTimeout,
      maxConnections: flags.maxConnections,
      maxRecordBytes: flags.maxRecordBytes,
      frameTimeoutMs: flags.frameTimeout,
      sender: {
        maxServeBytes: flags.maxPending,
        flushBytes: flags.flushBytes,
        flushIntervalMs: flags.flushInterval,
        maxInFlight: flags.maxInFlight,
        requestTimeoutMs: flags.requestTimeout,
        caFile: flags.caFile,
        insecure: flags.insecure,
      },
    },
  };
}

/** The spool settings, when --spool-dir or POSEMO_SPOOL_DIR names a directory. */
function spoolSettings(
  flags: ServeLogsFlags,
  env: Readonly<Record<string, string | undefined>>,
): SpoolSettings | undefined {
  const dir = flags.spoolDir ?? env.POSEMO_SPOOL_DIR;
  if (dir === undefined || dir === "") return undefined;
  if (!isAbsolute(dir)) throw new UserError(`Cannot use spool directory "${dir}": give an absolute path`);
  return {
    dir,
    maxServeBytes: flags.spoolMax,
    maxTotalBytes: flags.spoolMaxTotal,
    overflow: flags.spoolOverflow,
    commitIntervalMs: flags.spoolCommitInterval,
    maxAgeMs: flags.spoolMaxAge,
  };
}

function serveDbDir(dir: string | undefined): string {
  if (dir === undefined || dir === "") {
    throw new UserError("Cannot start serve-logs: no serve database; give --serve-db DIR or set SERVE_DB_DIR");
  }
  try {
    if (!statSync(dir).isDirectory()) throw new UserError(`Cannot use serve database "${dir}": it is not a directory`);
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT"
      ? "no such directory"
      : code === "EACCES"
      ? "permission denied (serve-logs reads and writes files there)"
      : code ?? String(error);
    throw new UserError(`Cannot use serve database "${dir}": ${why}`);
  }
  return dir;
}

function logplexUrl(raw: string | undefined, source: string): LogplexTarget | undefined {
  if (raw === undefined || raw === "") return undefined;
  const target = parseLogplexUrl(raw);
  if (typeof target === "string") {
    throw new UserError(`Cannot use logplex URL ${redactUrl(raw)} from ${source}: ${target}`);
  }
  return target;
}

function checkCaFile(caFile: string | undefined): void {
  if (caFile === undefined) return;
  try {
    fetchWithTls({ caFile });
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}
