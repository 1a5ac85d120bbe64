/**
 * The only importer of postgres.js. Opens one session with posemo's settings in the startup packet
 * (application_name, timeouts, and the pinned settings below, so they cost no round trip) and
 * exposes the small structural interface the rest of posemo needs.
 * @module
 */
import postgres from "postgres";
import { type ConnectionGuard, connectionGuard } from "./one-connection.ts";
import type { ConnectionSettings } from "./settings.ts";

/** A row as postgres.js returns it. */
export type Row = Record<string, unknown>;

/** What posemo needs of a database session. */
export interface Session {
  /**
   * Resolves once the server has accepted the login (its first ParameterStatus, sent after every
   * authentication and CONNECT check); never rejects, and needs a statement issued to start the login.
   * Statements issued meanwhile wait for it and fail with the login's error if it fails: a session
   * makes one connection attempt, never a reconnect (src/db/one-connection.ts).
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
  /**
   * Leave default_transaction_read_only as the server, database and role set it instead of pinning
   * it off: a check session's write probe must see a primary made read-only as its applications do.
   * @default false
   */
  readonly readOnlyAsConfigured?: boolean;
}

/**
 * A check's session: every statement ends within `timeoutMs`; a lock wait ends a little earlier, so
 * the error names the lock (55P03) rather than a slow statement (57014).
 */
export function checkSessionOptions(timeoutMs: number): SessionOptions {
  return {
    statementTimeoutMs: timeoutMs,
    lockTimeoutMs: Math.max(1, Math.floor(timeoutMs * 0.9)),
    readOnlyAsConfigured: true,
  };
}

/**
 * Whoever owns a database may `ALTER DATABASE ... SET` (and `ALTER ROLE ALL IN DATABASE ... SET`)
 * any user-settable parameter for every session that connects to it, posemo's included. Settings
 * sent in the startup packet outrank those, so every session pins, before its first statement, the
 * ones that decide who it runs as, how its SQL resolves and parses, and whether it can finish:
 * `role` (else a superuser's session runs as the tenant), `search_path` (CVE-2018-1058: pg_catalog
 * first, pg_temp last, nothing a tenant can write), quoting and value formats.
 */
const PINNED_SETTINGS: Readonly<Record<string, string>> = {
  role: "none",
  search_path: "pg_catalog,pg_temp",
  client_encoding: "UTF8",
  standard_conforming_strings: "on",
  backslash_quote: "safe_encoding",
  DateStyle: "ISO",
  IntervalStyle: "postgres",
  extra_float_digits: "1",
  bytea_output: "hex",
  default_transaction_read_only: "off",
  default_transaction_isolation: "read committed",
  idle_in_transaction_session_timeout: "0",
  check_function_bodies: "on",
  transform_null_equals: "off",
  quote_all_identifiers: "off",
  array_nulls: "on",
  exit_on_error: "off",
  row_security: "on",
  client_min_messages: "notice",
};

/**
 * Parameters that cannot be given an empty value as a startup parameter of their own: preload
 * libraries are loaded while the session starts, before any statement could undo them.
 */
const PINNED_OPTIONS = "-c local_preload_libraries=";

// postgres.js types its options by the custom types in use; `{}` is its own spelling of "none".
// deno-lint-ignore ban-types
function sslOption(settings: ConnectionSettings): postgres.Options<{}>["ssl"] {
  if (settings.host.startsWith("/") || settings.sslmode === "disable") return false;
  if (settings.sslmode === "verify-ca") return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
  return settings.sslmode;
}

function startupParameters(options: SessionOptions): Record<string, string> {
  const { default_transaction_read_only: _, ...notReadOnly } = PINNED_SETTINGS;
  return {
    ...(options.readOnlyAsConfigured ? notReadOnly : PINNED_SETTINGS),
    options: PINNED_OPTIONS,
    application_name: "posemo",
    statement_timeout: String(Math.ceil(options.statementTimeoutMs ?? 0)),
    lock_timeout: String(Math.ceil(options.lockTimeoutMs ?? 0)),
  };
}

/** Opens a session lazily: the connection is made by the first query. */
export function openSession(settings: ConnectionSettings, options: SessionOptions = {}): Session {
  const notices: string[] = [];
  const guard = connectionGuard(settings);
  // postgres.js documents `socket` (README, "Custom socket") but its types leave it out.
  const ownSocket = { socket: guard.socket };
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
    ...ownSocket,
    onnotice: (notice) => notices.push(`${notice.severity}: ${notice.message}`),
    onparameter: guard.markLoggedIn,
    onclose: guard.markClosed,
  });
  return wrap(sql, notices, guard);
}

function wrap(sql: postgres.Sql, notices: string[], guard: ConnectionGuard): Session {
  return {
    loggedIn: () => guard.loggedIn,
    query: (text) => guard.statement(() => sql.unsafe(text).then((rows) => [...rows])),
    script: (text) => guard.statement(() => sql.unsafe(text).simple().then((rows) => [...rows])),
    queryWithDeadline: (text, ms) => withDeadline(guard, sql, text, ms),
    transaction: (body) =>
      guard.statement(() =>
        sql.begin((tx) =>
          body({
            query: (text) => tx.unsafe(text).then((rows) => [...rows]),
            script: (text) => tx.unsafe(text).simple().then((rows) => [...rows]),
          })
        ) as never
      ),
    parameter: (name) => (sql as unknown as { parameters: Record<string, string> }).parameters[name],
    notices,
    close: () => sql.end({ timeout: 1 }),
  };
}

/** The deadline runs from when the statement is handed to postgres.js (after the login, if it waited for it). */
async function withDeadline(
  guard: ConnectionGuard,
  sql: postgres.Sql,
  text: string,
  ms: number,
): Promise<{ rows?: Row[]; error?: unknown; cancelled: boolean }> {
  let cancelled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const send = () => {
    const pending = sql.unsafe(text);
    timer = setTimeout(() => {
      cancelled = true;
      // Typed void, but a promise that rejects when the cancel request cannot be sent: nothing to do then.
      void Promise.resolve<unknown>(pending.cancel()).catch(() => undefined);
    }, ms);
    return pending.then((rows) => [...rows]);
  };
  try {
    return { rows: await guard.statement(send), cancelled };
  } catch (error) {
    return { error, cancelled };
  } finally {
    clearTimeout(timer);
  }
}
