/**
 * The connection flags shared by `install` and `check`. Letters follow the Nagios plugin guidelines
 * (`-H` host, `-p` port) and psql (`-U` user, `-d` dbname); `-h` stays help.
 * @module
 */
import { parseDurationMs } from "../config/duration.ts";
import { parsePort } from "./parsers.ts";

export const connectionFlagSpecs = {
  host: {
    kind: "parsed",
    parse: String,
    optional: true,
    placeholder: "host",
    brief: "Server name, address or unix-socket directory [PGHOST]",
  },
  port: { kind: "parsed", parse: parsePort, optional: true, placeholder: "port", brief: "Server port [PGPORT, 5432]" },
  user: {
    kind: "parsed",
    parse: String,
    optional: true,
    placeholder: "role",
    brief: "Role to connect as [PGUSER, OS user]",
  },
  dbname: {
    kind: "parsed",
    parse: String,
    optional: true,
    placeholder: "db",
    brief: "Database to connect to [PGDATABASE, user name]",
  },
  dsn: {
    kind: "parsed",
    parse: String,
    optional: true,
    placeholder: "url",
    brief: "Connection URL postgres://user@host:port/db?sslmode=... (no password)",
  },
  connectTimeout: {
    kind: "parsed",
    parse: parseDurationMs,
    optional: true,
    placeholder: "seconds",
    brief: "Give up connecting after this long [PGCONNECT_TIMEOUT, 10s]",
  },
  passwordFile: {
    kind: "parsed",
    parse: String,
    optional: true,
    placeholder: "file",
    brief: "Read the password from this file [PGPASSWORD, ~/.pgpass]",
  },
} as const;

export const connectionAliases = { H: "host", p: "port", U: "user", d: "dbname" } as const;
