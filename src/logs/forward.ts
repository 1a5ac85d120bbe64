/**
 * The forwarder of one serve, wiring listener → connection (decoder) → formatter → sender. It owns
 * the serve's counters: `received`, `lostUpstream`, `connections` and `protocolErrors` are counted
 * here, the rest by the sender, so received = forwarded + dropped + rejected + failed + pending.
 * @module
 */
import { formatRecord, type FormatServe, type LogFormat } from "./logplex/format.ts";
import type { LogplexMessage } from "./logplex/message.ts";
import type { MemoryBudget } from "./logplex/budget.ts";
import { createRateLimitedLog, type RateLimitedLog } from "./logplex/rate-limited-log.ts";
import { createLogplexSender, type LogplexSender, type LogplexSenderOptions } from "./logplex/sender.ts";
import type { LogRecord } from "./record.ts";
import { capRecord } from "./record-cap.ts";
import { readLogTime } from "./logplex/timestamp.ts";
import { emptyCounters, type ServeCounters } from "./stats.ts";
import { type ConnectionRoute, serveConnection } from "./listen/connection.ts";
import { SeqTracker } from "./listen/seq-tracker.ts";
import { listenUnix, type UnixListener } from "./listen/unix-listener.ts";
import type { SplitFrameMemory } from "./listen/split-frame-memory.ts";
import type { Socket } from "node:net";
import { type Serve, serveLabel } from "./servedb/serve.ts";
import type { Spool } from "./spool/spool.ts";
import type { SpoolRoot } from "./spool/spool-root.ts";

/** Sender tuning shared by every serve (the flags of serve-logs). */
export type SenderTuning = Pick<
  LogplexSenderOptions,
  "maxServeBytes" | "flushBytes" | "flushIntervalMs" | "maxInFlight" | "requestTimeoutMs" | "caFile" | "insecure"
>;

/** Settings every forwarder shares. */
export interface ForwarderSettings {
  /** Format for serves that do not choose one. */
  readonly defaultFormat: LogFormat;
  /** File mode of the socket. */
  readonly socketMode: number;
  /** Largest pg_logfebe frame accepted. @default 1048576 */
  readonly maxFrameBytes?: number;
  /** Most bytes of text one record keeps; the rest is cut and marked (a serve may set its own). */
  readonly maxRecordBytes: number;
  /** How long a connection may stop inside a frame before it is closed. */
  readonly frameTimeoutMs: number;
  /** Connections one serve keeps open; more are closed as they arrive. */
  readonly maxConnections: number;
  /** Memory of frames split across reads, shared by all serves. */
  readonly splitFrames: SplitFrameMemory;
  readonly sender: SenderTuning;
  /** Byte budget shared by all serves' senders. */
  readonly budget: MemoryBudget;
  /** Where log lines go (stderr); they never contain tokens. */
  readonly log: (line: string) => void;
  /** Minimum time between two complaints of one kind per serve. @default 10000 */
  readonly logIntervalMs?: number;
  /** The spool directory (`--spool-dir`); without it nothing is spooled. */
  readonly spool?: SpoolRoot;
}

/** A forwarder that only empties the spool of a serve no longer in the serve database. */
export interface DrainOnly {
  /** Called once the spool is empty and nothing from it is in flight. */
  readonly onDrained: () => void;
}

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

/** What was changed in records on their way through. */
export interface RecordStats {
  /** Records cut to the per-record byte cap. */
  truncated: number;
  /** Bytes cut from them. */
  cutBytes: number;
  /** Records whose LogTime was not a valid time (sent with the receive time instead). */
  invalidTimes: number;
}

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
    this.#route = this.#connectionRoute();
  }

  get listening(): boolean {
    return this.#listener !== undefined;
  }

  async listen(): Promise<void> {
    if (this.#listener || this.drainOnly) return;
    try {
      this.#listener = await listenUnix(this.serve.socketPath, {
        mode: this.settings.socketMode,
        onConnection: (socket) => this.#accept(socket),
        onError: (error) => this.#complain("accept", `${this.#prefix} cannot accept a connection: ${error.message}`),
      });
      this.listenError = undefined;
    } catch (error) {
      this.listenError = (error as Error).message;
      throw error;
    }
  }

  /** Serves a new connection, unless the serve already has as many as it may. */
  #accept(socket: Socket): void {
    if (this.connections.active < this.settings.maxConnections) return serveConnection(socket, this.#route);
    this.connections.refused++;
    socket.destroy();
    this.#complain(
      "too-many",
      `${this.#prefix} closed a new connection: ${this.connections.active} are open, the limit (--max-connections) is ${this.settings.maxConnections}`,
    );
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

  #connectionRoute(): ConnectionRoute {
    return {
      identity: this.serve.identity,
      maxFrameBytes: this.settings.maxFrameBytes ?? 1024 * 1024,
      frameTimeoutMs: this.settings.frameTimeoutMs,
      memory: (evict) => this.settings.splitFrames.account(evict),
      opened: () => {
        this.counters.connections++;
        this.connections.active++;
      },
      records: (major) => this.#recordHandler(major),
      refused: (kind, why) => {
        this.counters.protocolErrors++;
        this.#complain(kind, `${this.#prefix} closed a connection: ${why}`);
      },
      skipped: (bytes) => {
        this.counters.received++;
        this.counters.dropped++;
        this.#complain(
          "skipped",
          `${this.#prefix} dropped a record of ${bytes} bytes: no memory left to hold it (--max-memory)`,
        );
      },
      stalled: (why) => {
        this.connections.stalled++;
        this.#complain("stalled", `${this.#prefix} closed a connection: ${why}`);
      },
      closed: (truncated) => {
        this.connections.active--;
        if (truncated) this.connections.truncated++;
      },
    };
  }

  /** The per-record path, built once per connection: count, track SeqNum, format, enqueue. */
  #recordHandler(major: number): (record: LogRecord) => void {
    const { serve } = this;
    const target: FormatServe = {
      format: serve.format ?? this.settings.defaultFormat,
      identity: serve.identity,
      name: serve.name,
      major,
      token: serve.token,
    };
    const { counters, sender } = this;
    const sessions = this.#sessions;
    const maxRecordBytes = serve.maxRecordBytes ?? this.settings.maxRecordBytes;
    return (received) => {
      counters.received++;
      const lost = sessions.observe(received.sessionId, received.seqNum);
      if (lost > 0) counters.lostUpstream += lost;
      const { record, cutBytes } = capRecord(received, maxRecordBytes);
      if (cutBytes > 0) this.#cut(cutBytes, maxRecordBytes);
      if (readLogTime(record.logTime) === "invalid") this.#invalidTime(record.logTime);
      const messages = this.#format(record, target);
      if (messages) sender.enqueue(messages);
    };
  }

  #invalidTime(logTime: string): void {
    this.records.invalidTimes++;
    this.#complain(
      "log-time",
      `${this.#prefix} a record's LogTime ${
        JSON.stringify(logTime.slice(0, 64))
      } is not a valid time: sent with the receive time`,
    );
  }

  #cut(bytes: number, maxRecordBytes: number): void {
    this.records.truncated++;
    this.records.cutBytes += bytes;
    this.#complain(
      "cut",
      `${this.#prefix} cut ${bytes} bytes from a record over the ${maxRecordBytes}-byte cap (--max-record-bytes)`,
    );
  }

  /** Formats a record; a formatter bug costs that record (counted dropped), never the connection. */
  #format(record: LogRecord, target: FormatServe): LogplexMessage[] | undefined {
    try {
      return formatRecord(record, target);
    } catch (error) {
      this.counters.dropped++;
      this.#complain("format", `${this.#prefix} cannot format a record (please report): ${(error as Error).message}`);
      return undefined;
    }
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
