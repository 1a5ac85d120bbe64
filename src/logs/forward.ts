/**
 * The forwarder of one serve, wiring listener → connection (decoder) → formatter → sender. It owns
 * the serve's counters: `received`, `lostUpstream`, `connections` and `protocolErrors` are counted
 * here (the record path in record-path.ts, the connections' reports in connection-route.ts), the
 * rest by the sender, so received = forwarded + dropped + rejected + failed + pending + spooled.
 * @module
 */
import { createRateLimitedLog, type RateLimitedLog } from "./logplex/rate-limited-log.ts";
import { createLogplexSender, type LogplexSender } from "./logplex/sender.ts";
import type { LogRecord } from "./record.ts";
import { emptyCounters, type ServeCounters } from "./stats.ts";
import type { ConnectionRoute } from "./listen/connection.ts";
import { SeqTracker } from "./listen/seq-tracker.ts";
import { listenUnix, type UnixListener } from "./listen/unix-listener.ts";
import { type Serve, serveLabel } from "./servedb/serve.ts";
import type { Spool } from "./spool/spool.ts";
import { acceptConnection, connectionRoute, type ConnectionStats, type RouteContext } from "./connection-route.ts";
import type { DrainOnly, ForwarderSettings } from "./forwarder-settings.ts";
import { createRecordPath, type RecordStats } from "./record-path.ts";

export type { ConnectionStats } from "./connection-route.ts";
export type { DrainOnly, ForwarderSettings, SenderTuning } from "./forwarder-settings.ts";
export type { RecordStats } from "./record-path.ts";

/** One serve's running forwarder. */
export interface ServeForwarder {
  readonly serve: Serve;
  readonly counters: ServeCounters;
  readonly connections: ConnectionStats;
  readonly records: RecordStats;
  readonly sender: LogplexSender;
  /** The serve's spool, with `--spool-dir`. */
  readonly spool: Spool | undefined;
  /** True for a forwarder that only empties a spool (its serve left the serve database); it never listens. */
  readonly drainOnly: boolean;
  /** Why the socket is not listening, if it is not. */
  readonly listenError: string | undefined;
  /** True while the socket accepts connections. */
  readonly listening: boolean;
  /** Binds the socket (again); a failure is kept in `listenError`, logged, and rethrown. */
  listen(): Promise<void>;
  /**
   * Checks that the socket file is still this serve's socket; when it was removed or replaced, stops
   * accepting (live connections stay) and returns why, so the next `listen()` binds again or fails.
   */
  checkSocket(): Promise<string | undefined>;
  /** Stops accepting and closes live connections. */
  stopListening(): Promise<void>;
  /** Stops listening, then sends what is pending within `deadlineMs`. */
  close(deadlineMs: number): Promise<void>;
}

/**
 * Creates the forwarder of `serve` (not yet listening).
 * @throws when the sender cannot be created (e.g. an unreadable CA file).
 */
export function createServeForwarder(serve: Serve, settings: ForwarderSettings, drainOnly?: DrainOnly): ServeForwarder {
  return new Forwarder(serve, settings, drainOnly);
}

class Forwarder implements ServeForwarder {
  readonly counters = emptyCounters();
  readonly connections: ConnectionStats = { active: 0, truncated: 0, stalled: 0, refused: 0 };
  readonly records: RecordStats = { truncated: 0, cutBytes: 0, invalidTimes: 0 };
  readonly sender: LogplexSender;
  readonly spool: Spool | undefined;
  readonly drainOnly: boolean;
  listenError: string | undefined;
  readonly #prefix: string;
  readonly #complain: RateLimitedLog;
  readonly #sessions = new SeqTracker();
  readonly #routeContext: RouteContext;
  readonly #route: ConnectionRoute;
  #listener: UnixListener | undefined;
  /** Listeners whose socket file was removed or replaced: no longer accepting, their connections still served. */
  readonly #orphans: UnixListener[] = [];

  constructor(readonly serve: Serve, readonly settings: ForwarderSettings, drainOnly?: DrainOnly) {
    this.#prefix = `serve-logs: [${serveLabel(serve)}] "${serve.socketPath}":`;
    this.#complain = createRateLimitedLog(settings.log, { intervalMs: settings.logIntervalMs });
    this.drainOnly = drainOnly !== undefined;
    this.spool = settings.spool?.open(
      serve,
      this.counters,
      (kind, line) => this.#complain(`spool ${kind}`, `${this.#prefix} ${line}`),
    );
    try {
      this.sender = createLogplexSender({
        ...settings.sender,
        url: senderUrl(serve),
        token: serve.token,
        counters: this.counters,
        budget: settings.budget,
        log: (line) => settings.log(`${this.#prefix} ${line}`),
        logIntervalMs: settings.logIntervalMs,
        spool: this.spool,
        onSpoolDrained: drainOnly && once(drainOnly.onDrained),
      });
    } catch (error) {
      void this.spool?.close();
      throw error;
    }
    this.#routeContext = this.#makeRouteContext();
    this.#route = connectionRoute(this.#routeContext);
  }

  get listening(): boolean {
    return this.#listener !== undefined;
  }

  async listen(): Promise<void> {
    if (this.#listener || this.drainOnly) return;
    try {
      this.#listener = await listenUnix(this.serve.socketPath, {
        mode: this.settings.socketMode,
        onConnection: (socket) => acceptConnection(socket, this.#routeContext, this.#route),
        onError: (error) => this.#complain("accept", `${this.#prefix} cannot accept a connection: ${error.message}`),
      });
      this.listenError = undefined;
    } catch (error) {
      this.listenError = (error as Error).message;
      throw error;
    }
  }

  async checkSocket(): Promise<string | undefined> {
    const listener = this.#listener;
    if (!listener || (await listener.owned()) || this.#listener !== listener) return undefined;
    this.#listener = undefined;
    this.#orphans.push(listener);
    await listener.stopAccepting();
    this.listenError = `the socket file "${this.serve.socketPath}" was removed or replaced`;
    return this.listenError;
  }

  async stopListening(): Promise<void> {
    const listeners = [...this.#orphans.splice(0), ...(this.#listener ? [this.#listener] : [])];
    this.#listener = undefined;
    await Promise.all(listeners.map((listener) => listener.close()));
  }

  async close(deadlineMs: number): Promise<void> {
    await this.stopListening();
    await this.sender.close(deadlineMs);
  }

  #makeRouteContext(): RouteContext {
    return {
      identity: this.serve.identity,
      settings: this.settings,
      counters: this.counters,
      connections: this.connections,
      complain: this.#complain,
      prefix: this.#prefix,
      records: (major) => this.#recordPath(major),
    };
  }

  /** The per-record path of a connection from a server of major version `major`. */
  #recordPath(major: number): (record: LogRecord) => void {
    const { serve } = this;
    return createRecordPath({
      counters: this.counters,
      records: this.records,
      sessions: this.#sessions,
      sender: this.sender,
      complain: this.#complain,
      prefix: this.#prefix,
      maxRecordBytes: serve.maxRecordBytes ?? this.settings.maxRecordBytes,
    }, {
      format: serve.format ?? this.settings.defaultFormat,
      identity: serve.identity,
      name: serve.name,
      major,
      token: serve.token,
    });
  }
}

/** `f`, called at most once. */
function once(f: () => void): () => void {
  let called = false;
  return () => {
    if (!called) f();
    called = true;
  };
}

/** The serve's endpoint with its basic-auth user; the token travels separately. */
function senderUrl(serve: Serve): string {
  const url = new URL(serve.endpoint);
  url.username = encodeURIComponent(serve.user);
  return url.href;
}
