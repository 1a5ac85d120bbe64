/**
 * The only importer of postgres.js. Opens one session with posemo's settings (application_name,
 * statement and lock timeouts in the startup packet, so they cost no round trip) and exposes the small
 * structural interface the rest of posemo needs.
 * @module
 */
import postgres from "postgres";
import type { ConnectionSettings } from "../config/connection.ts";

/** A row as postgres.js returns it. */
export type Row = Record<string, unknown>;

/** What posemo needs of a database session. */
export interface Session {
  /**
   * Resolves once the server has accepted the login (its first ParameterStatus, sent after every
   * authentication and CONNECT check); never rejects, and needs a statement queued to start the login.
   * Queue the rest only after it: postgres.js retries the login once per queued statement, so N
   * statements against a black hole would take N connect timeouts and a refused login N attempts.
   */
  loggedIn(): Promise<void>;
  /** Runs one statement (extended protocol, no parameters) and returns its rows. */
  query(text: string): Promise<Row[]>;
  /** Runs several statements in one simple-protocol message; returns the last result's rows. */
  script(text: string): Promise<Row[]>;
  /** Like `query`, but sends a cancel request if no answer came within `ms`; `cancelled` says whether it fired. */
  queryWithDeadline(text: string, ms: number): Promise<{ rows?: Row[]; error?: unknown; cancelled: boolean }>;
  /** Runs `body` in one transaction; everything commits or nothing does. */
  transaction<T>(body: (tx: Pick<Session, "query" | "script">) => Promise<T>): Promise<T>;
  /** Server parameters reported at startup (server_version, ...). */
  parameter(name: string): string | undefined;
  /** NOTICE/WARNING messages received so far. */
  readonly notices: string[];
  close(): Promise<void>;
}

/** Options for a session beyond where to connect. */
export interface SessionOptions {
  /** statement_timeout in ms; 0 disables. @default 0 */
  readonly statementTimeoutMs?: number;
  /** lock_timeout in ms; 0 disables. @default 0 */
  readonly lockTimeoutMs?: number;
}

function sslOption(settings: ConnectionSettings): postgres.Options<{}>["ssl"] {
  if (settings.host.startsWith("/") || settings.sslmode === "disable") return false;
  if (settings.sslmode === "verify-ca") return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return settings.sslmode;
}

function startupParameters(options: SessionOptions): Record<string, string> {
  return {
    application_name: "posemo",
    statement_timeout: String(Math.ceil(options.statementTimeoutMs ?? 0)),
    lock_timeout: String(Math.ceil(options.lockTimeoutMs ?? 0)),
  };
}

/** Opens a session lazily: the connection is made by the first query. */
export function openSession(settings: ConnectionSettings, options: SessionOptions = {}): Session {
  const notices: string[] = [];
  let markLoggedIn = () => {};
  const loggedIn = new Promise<void>((resolve) => (markLoggedIn = resolve));
  const sql = postgres({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    database: settings.database,
    password: settings.password ?? "",
    ssl: sslOption(settings),
    connect_timeout: settings.connectTimeoutMs / 1000,
    max: 1,
    prepare: false,
    fetch_types: false,
    idle_timeout: 0,
    max_lifetime: null,
    connection: startupParameters(options),
    onnotice: (notice) => notices.push(`${notice.severity}: ${notice.message}`),
    onparameter: () => markLoggedIn(),
  });
  return wrap(sql, notices, loggedIn);
}

function wrap(sql: postgres.Sql, notices: string[], loggedIn: Promise<void>): Session {
  return {
    loggedIn: () => loggedIn,
    query: (text) => sql.unsafe(text).then((rows) => [...rows]),
    script: (text) => sql.unsafe(text).simple().then((rows) => [...rows]),
    queryWithDeadline: (text, ms) => withDeadline(sql, text, ms),
    transaction: (body) => sql.begin((tx) => body({
      query: (text) => tx.unsafe(text).then((rows) => [...rows]),
      script: (text) => tx.unsafe(text).simple().then((rows) => [...rows]),
    })) as never,
    parameter: (name) => (sql as unknown as { parameters: Record<string, string> }).parameters[name],
    notices,
    close: () => sql.end({ timeout: 1 }),
  };
}

async function withDeadline(sql: postgres.Sql, text: string, ms: number): Promise<{ rows?: Row[]; error?: unknown; cancelled: boolean }> {
  const pending = sql.unsafe(text);
  let cancelled = false;
  const timer = setTimeout(() => {
    cancelled = true;
    pending.cancel();
  }, ms);
  try {
    return { rows: [...(await pending)], cancelled };
  } catch (error) {
    return { error, cancelled };
  } finally {
    clearTimeout(timer);
  }
}
