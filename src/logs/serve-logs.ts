/**
 * The serve-logs daemon: loads the serve database, listens on every serve's socket, watches for
 * `serves.new`, prints a stats line per serve periodically, optionally serves `/healthz` and
 * `/metrics`, and on stop closes the sockets and drains the senders within a deadline.
 * @module
 */
import { type HttpServer, serveHttp } from "../http/serve.ts";
import { createMemoryBudget } from "./logplex/budget.ts";
import { createSplitFrameMemory } from "./listen/split-frame-memory.ts";
import { createConnectionSlots, openFileLimit } from "./listen/connection-slots.ts";
import { createServeSet, type ServeSet, type ServeSetSettings } from "./serve-set.ts";
import type { ProcessFigures } from "./report/metrics.ts";
import { createStatsApp } from "./report/stats-app.ts";
import { snapshotOf } from "./report/snapshot.ts";
import { statsLine } from "./report/stats-line.ts";
import type { LogplexTarget } from "./servedb/logplex-url.ts";
import { loadServes, type PollOutcome } from "./servedb/store.ts";
import { watchServeDb } from "./servedb/watch.ts";
import { openSpoolRoot, SpoolLockedError, type SpoolRoot, type SpoolSettings } from "./spool/spool-root.ts";

/** serve-logs cannot start for a reason the user can fix (e.g. the stats address is in use). */
export class StartupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StartupError";
  }
}

/** Everything serve-logs needs, resolved from flags and environment. */
export interface ServeLogsOptions {
  readonly serveDbDir: string;
  /** Parsed LOGPLEX_URL, for serves that give a token. */
  readonly logplexUrl?: LogplexTarget;
  readonly pollIntervalMs: number;
  readonly statsIntervalMs: number;
  /** Serve `/healthz` and `/metrics` here. */
  readonly statsAddr?: { readonly hostname: string; readonly port: number };
  /** Total bytes all serves may buffer. */
  readonly memoryBudgetBytes: number;
  /** `--spool-dir` and its bounds; none: nothing is spooled. */
  readonly spool?: SpoolSettings;
  readonly serveSet: Omit<ServeSetSettings, "log" | "budget" | "splitFrames" | "connectionSlots" | "spool">;
  /** Log lines (stderr). */
  readonly log: (line: string) => void;
  /** Machine-readable lines (stdout): the stats URL. */
  readonly announce: (line: string) => void;
  /** Aborted on SIGTERM/SIGINT. */
  readonly stopSignal: AbortSignal;
  /** Subscribes to SIGHUP; returns the unsubscribe function. */
  readonly onHangup?: (listener: () => void) => () => void;
}

/**
 * Runs until `stopSignal` aborts, then shuts down cleanly.
 * @throws {ServeDbError} when `serves.loaded` is unreadable or invalid
 * @throws {StartupError} when the stats address cannot be bound
 */
export async function runServeLogs(options: ServeLogsOptions): Promise<void> {
  const serves = await loadServes(options.serveDbDir, { logplexUrl: options.logplexUrl });
  const budget = createMemoryBudget(options.memoryBudgetBytes);
  // Frames split across reads may hold half the budget; the other half stays for logplex batches.
  const splitFrames = createSplitFrameMemory(budget, Math.floor(budget.total / 2));
  const spool = openSpool(options);
  try {
    const connectionSlots = createConnectionSlots(openFileLimit());
    const settings = { ...options.serveSet, budget, splitFrames, connectionSlots, spool, log: options.log };
    const serveSet = createServeSet(settings);
    const reloads = { accepted: 0, rejected: 0 };
    await serveSet.apply(serves);
    const figures = () => ({
      reloads,
      budgetUsedBytes: budget.used,
      budgetTotalBytes: budget.total,
      splitFrameBytes: splitFrames.used,
      splitFrameEvictions: splitFrames.evictions,
      spool: spool && { usedBytes: spool.budget.used, totalBytes: spool.budget.total },
    });
    await serve(options, serveSet, reloads, await startStatsServer(options, serveSet, figures));
  } finally {
    spool?.close();
  }
}

/** Takes the spool directory, if there is one. */
function openSpool(options: ServeLogsOptions): SpoolRoot | undefined {
  if (!options.spool) return undefined;
  try {
    return openSpoolRoot(options.spool, options.log);
  } catch (error) {
    if (error instanceof SpoolLockedError) throw new StartupError(error.message, { cause: error });
    throw error;
  }
}

/** Watches the serve database and logs stats until stopped, then shuts down. */
async function serve(
  options: ServeLogsOptions,
  serveSet: ServeSet,
  reloads: Reloads,
  statsServer: HttpServer | undefined,
): Promise<void> {
  const watcher = watchServeDb({
    dir: options.serveDbDir,
    context: { logplexUrl: options.logplexUrl },
    intervalMs: options.pollIntervalMs,
    onOutcome: (outcome) => applyOutcome(outcome, serveSet, reloads, options.log),
    onFailure: (error) =>
      options.log(`serve-logs: cannot read the serve database "${options.serveDbDir}": ${error.message}`),
  });
  const stopTimers = startTimers(options, serveSet);
  const unhook = options.onHangup?.(() => void watcher.poll());
  await watcher.poll();
  options.log(`serve-logs: ready, ${serveSet.forwarders().length} serves from "${options.serveDbDir}"`);
  await stopped(options.stopSignal);
  unhook?.();
  watcher.close();
  stopTimers();
  await shutDown(serveSet, options);
  await statsServer?.close();
}

/** Serve sets read from serves.new since start. */
interface Reloads {
  accepted: number;
  rejected: number;
}

async function applyOutcome(
  outcome: PollOutcome,
  serveSet: ServeSet,
  reloads: Reloads,
  log: (line: string) => void,
): Promise<void> {
  if (outcome.kind === "rejected") {
    reloads.rejected++;
    return log(
      `serve-logs: rejected serves.new (kept the running serves, see serves.rej and last_error): ${outcome.error}`,
    );
  }
  if (outcome.kind !== "accepted") return;
  reloads.accepted++;
  log(`serve-logs: accepted serves.new with ${outcome.serves.length} serves`);
  await serveSet.apply(outcome.serves);
}

async function startStatsServer(
  options: ServeLogsOptions,
  serveSet: ServeSet,
  process: () => ProcessFigures,
): Promise<HttpServer | undefined> {
  if (!options.statsAddr) return undefined;
  const app = createStatsApp({ serves: () => serveSet.snapshots(), process });
  const { hostname, port } = options.statsAddr;
  const server = await serveHttp(app.fetch, { hostname, port }).catch((error: NodeJS.ErrnoException) => {
    throw new StartupError(`Cannot serve stats on "${hostname}:${port}": ${error.code ?? error.message}`, {
      cause: error,
    });
  });
  options.announce(server.url);
  return server;
}

/** The stats line timer (only serves whose figures changed) and the retry of sockets that failed to bind. */
function startTimers(options: ServeLogsOptions, serveSet: ServeSet): () => void {
  const lastLines = new Map<string, string>();
  const stats = setInterval(() => {
    for (const snapshot of serveSet.snapshots()) {
      const line = statsLine(snapshot);
      if (lastLines.get(snapshot.socketPath) !== line) options.log(line);
      lastLines.set(snapshot.socketPath, line);
    }
  }, options.statsIntervalMs);
  const retry = setInterval(() => void serveSet.retryFailed(), options.pollIntervalMs);
  return () => {
    clearInterval(stats);
    clearInterval(retry);
  };
}

async function shutDown(serveSet: ServeSet, options: ServeLogsOptions): Promise<void> {
  const forwarders = serveSet.forwarders();
  options.log(
    `serve-logs: stopping: closing ${forwarders.length} sockets, sending what is pending (deadline ${options.serveSet.drainTimeoutMs} ms)`,
  );
  await serveSet.close();
  for (const forwarder of forwarders) options.log(statsLine(snapshotOf(forwarder)));
  options.log("serve-logs: stopped");
}

function stopped(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}
