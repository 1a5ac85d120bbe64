/**
 * Resolves where and how to connect, once, with libpq's precedence: command-line flags, then the
 * `--dsn` URL, then the configuration file (the host's merged settings), then `PG*` environment
 * variables, then defaults. The file comes before the environment because it is written for posemo,
 * while `PG*` variables are ambient (set for psql in a login shell). Passwords never come from the
 * command line: `--password-file`, then the file's `password_file`, then `PGPASSWORD`, then `.pgpass`.
 * @module
 */
import { UserError } from "../errors.ts";
import { type ConnectionSettings, type SslMode, SSLMODES } from "../db/settings.ts";
import { printable } from "../safe-text.ts";
import { findPgpassPassword, parsePgpass } from "./pgpass.ts";

/** Connection settings a configuration file gave for one host (all optional). */
export interface FileConnection {
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly dbname?: string;
  readonly sslmode?: SslMode;
  readonly connectTimeoutMs?: number;
  readonly passwordFile?: string;
}

/** The outside world the resolution reads (environment, files, sockets); injected so it is testable. */
export interface ConnectionEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly osUser: string;
  readonly homeDir: string;
  /** Reads a file; returns undefined when it does not exist. Throws for other errors. */
  readFile(path: string): string | undefined;
  /** File mode bits, for the .pgpass permission rule; undefined when missing. */
  fileMode(path: string): number | undefined;
  /** Whether a unix socket exists (to pick the default socket directory). */
  exists(path: string): boolean;
  warn(line: string): void;
}

const DEFAULT_SOCKET_DIRS = ["/var/run/postgresql", "/tmp"];

interface DsnParts {
  host?: string;
  port?: number;
  user?: string;
  database?: string;
  sslmode?: string;
  connectTimeoutMs?: number;
}

const PASSWORD_IN_DSN =
  "Refusing a password in --dsn: command lines are visible to every local user; use PGPASSWORD, ~/.pgpass or --password-file";

/** A key that carries a secret in a libpq connection string or URI query: password, sslpassword, ... */
const SECRET_KEY = /pass/i;

/**
 * Parses a `postgres://` URI. Any password is refused (userinfo, `?password=`, `?sslpassword=`, or a
 * `key=value` connection string holding one), and a DSN that cannot be parsed is not echoed: where it
 * breaks, nothing says which part was meant as a password.
 */
function parseDsn(dsn: string): DsnParts {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    if (/(^|\s)\w*pass\w*\s*=/i.test(dsn)) throw new UserError(PASSWORD_IN_DSN);
    throw new UserError(
      "Cannot parse --dsn (not shown, it may hold a secret): expected postgres://user@host:port/dbname?sslmode=...; key=value connection strings are not supported",
    );
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new UserError(`Cannot use --dsn with scheme "${url.protocol}": expected postgres:// or postgresql://`);
  }
  if (url.password || [...url.searchParams.keys()].some((key) => SECRET_KEY.test(key))) {
    throw new UserError(PASSWORD_IN_DSN);
  }
  const host = url.searchParams.get("host") ?? (url.hostname ? decodeURIComponent(url.hostname) : undefined);
  const timeout = url.searchParams.get("connect_timeout");
  return {
    ...(host ? { host } : {}),
    ...(url.port ? { port: Number(url.port) } : {}),
    ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
    ...(url.pathname.length > 1 ? { database: decodeURIComponent(url.pathname.slice(1)) } : {}),
    ...(url.searchParams.get("sslmode") ? { sslmode: url.searchParams.get("sslmode")! } : {}),
    ...(timeout !== null ? { connectTimeoutMs: dsnTimeoutMs(timeout) } : {}),
  };
}

function envPort(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new UserError(`Cannot use PGPORT "${text}": expected a whole number from 1 to 65535`);
  }
  return port;
}

/** Longest connect timeout in seconds: its milliseconds must fit a timer (2^31-1). */
const MAX_CONNECT_TIMEOUT_S = 2_147_483;

/** `connect_timeout` as libpq reads it: whole seconds, here 1 to {@link MAX_CONNECT_TIMEOUT_S}. */
function dsnTimeoutMs(text: string): number {
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || seconds < 1 || seconds > MAX_CONNECT_TIMEOUT_S) {
    throw new UserError(
      `Cannot use connect_timeout "${text}" in --dsn: expected a whole number of seconds from 1 to ${MAX_CONNECT_TIMEOUT_S}`,
    );
  }
  return seconds * 1000;
}

function envTimeoutMs(text: string | undefined): number | undefined {
  if (text === undefined || text === "") return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_CONNECT_TIMEOUT_S) {
    throw new UserError(
      `Cannot use PGCONNECT_TIMEOUT "${text}": expected a positive number of seconds up to ${MAX_CONNECT_TIMEOUT_S}`,
    );
  }
  return seconds * 1000;
}

function defaultHost(connectionEnv: ConnectionEnvironment, port: number): string {
  const dir = DEFAULT_SOCKET_DIRS.find((d) => connectionEnv.exists(`${d}/.s.PGSQL.${port}`));
  return dir ?? "localhost";
}

function sslmodeOf(text: string): ConnectionSettings["sslmode"] {
  if (!(SSLMODES as readonly string[]).includes(text)) {
    throw new UserError(`Cannot use sslmode "${text}": expected one of ${SSLMODES.join(", ")}`);
  }
  return text as ConnectionSettings["sslmode"];
}

function readPasswordFile(path: string, connectionEnv: ConnectionEnvironment): string {
  const text = connectionEnv.readFile(path);
  if (text === undefined) throw new UserError(`Cannot read password file "${path}": no such file`);
  const password = text.split(/\r?\n/)[0] ?? "";
  if (password === "") throw new UserError(`Cannot use password file "${path}": its first line is empty`);
  return password;
}

function pgpassPassword(
  base: Omit<ConnectionSettings, "password">,
  connectionEnv: ConnectionEnvironment,
): string | undefined {
  const file = connectionEnv.env.PGPASSFILE ?? `${connectionEnv.homeDir}/.pgpass`;
  const mode = connectionEnv.fileMode(file);
  if (mode === undefined) return undefined;
  if ((mode & 0o077) !== 0) {
    connectionEnv.warn(`posemo: ignoring password file "${file}": it is readable by group or others (chmod 0600 it)`);
    return undefined;
  }
  const isSocket = base.host.startsWith("/");
  const hosts = isSocket && DEFAULT_SOCKET_DIRS.includes(base.host) ? [base.host, "localhost"] : [base.host];
  return findPgpassPassword(parsePgpass(connectionEnv.readFile(file) ?? ""), {
    hosts,
    port: base.port,
    database: base.database,
    user: base.user,
  });
}

/** Connection flags as given on the command line (src/cli/connection-flags.ts declares and parses them). */
export interface ConnectionFlags {
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly dbname?: string;
  readonly dsn?: string;
  readonly connectTimeout?: number;
  readonly passwordFile?: string;
}

/** Resolves connection settings; throws UserError naming any bad value. `defaults.file` is the configuration file's layer. */
export function resolveConnection(
  flags: ConnectionFlags,
  connectionEnv: ConnectionEnvironment,
  defaults: { database?: string; file?: FileConnection } = {},
): ConnectionSettings {
  const dsn = flags.dsn ? parseDsn(flags.dsn) : {};
  const file = defaults.file ?? {};
  const env = connectionEnv.env;
  const port = flags.port ?? dsn.port ?? file.port ?? envPort(env.PGPORT) ?? 5432;
  const host = flags.host ?? dsn.host ?? file.host ?? (env.PGHOST || undefined) ?? defaultHost(connectionEnv, port);
  const user = flags.user ?? dsn.user ?? file.user ?? (env.PGUSER || undefined) ?? connectionEnv.osUser;
  const database = flags.dbname ?? dsn.database ?? file.dbname ?? (env.PGDATABASE || undefined) ?? defaults.database ??
    user;
  const sslmode = sslmodeOf(dsn.sslmode ?? file.sslmode ?? (env.PGSSLMODE || "prefer"));
  const connectTimeoutMs = flags.connectTimeout ?? dsn.connectTimeoutMs ?? file.connectTimeoutMs ??
    envTimeoutMs(env.PGCONNECT_TIMEOUT) ?? 10_000;
  const base = { host, port, user, database, sslmode, connectTimeoutMs };
  const passwordFile = flags.passwordFile ?? file.passwordFile;
  const password = passwordFile
    ? readPasswordFile(passwordFile, connectionEnv)
    : (env.PGPASSWORD || pgpassPassword(base, connectionEnv));
  return password === undefined ? base : { ...base, password };
}

/** `host:port/db as user`, for messages (never includes the password). */
export function describeConnection(settings: ConnectionSettings): string {
  return printable(`${settings.host}:${settings.port}/${settings.database} as ${settings.user}`);
}
