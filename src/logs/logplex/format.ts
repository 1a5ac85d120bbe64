/**
 * Log records → logplex messages, in one of three designed formats. Every message is framed by
 * `frame.ts` as `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID - - BODY`; APP-NAME is the logplex token
 * (logplex replaces it with the token's name, which is how `app[postgres.1234]` appears downstream) and
 * PROCID is `postgres.<pid>` in every format.
 *
 * `legacy`: the original pg_logplexcollector, byte for byte. PRI always 134 (local0.info), HOSTNAME
 * `postgres`, the receive time at second precision, and a body of `[name] ` (when the serve has a
 * name), the message and the Detail/Hint/Query lines that are present; everything else is dropped:
 *
 *     <134>1 2026-11-21T04:18:47Z postgres t.TOKEN postgres.5634 - - [web] duplicate key value violates unique constraint "t_pkey"
 *     Detail: Key (id)=(1) already exists.
 *     Query: insert into t values (1,'dup');
 *
 * `heroku`: PostgreSQL's own syslog lines with Heroku Postgres' log_line_prefix, one message per line,
 * `[name] [SeqNum-chunk]` numbered (see format-heroku.ts), which pganalyze and Heroku users parse:
 *
 *     <132>1 2026-11-21T04:18:46.972000+00:00 web t.TOKEN postgres.5634 - - [web] [6-1]  sql_error_code = 23505 ERROR:  duplicate key value violates unique constraint "t_pkey"
 *     <132>1 2026-11-21T04:18:46.972000+00:00 web t.TOKEN postgres.5634 - - [web] [6-2]  sql_error_code = 23505 DETAIL:  Key (id)=(1) already exists.
 *     <132>1 2026-11-21T04:18:46.972000+00:00 web t.TOKEN postgres.5634 - - [web] [6-3]  sql_error_code = 23505 STATEMENT:  insert into t values (1,'dup');
 *
 * `json`: one object with jsonlog's keys (see format-json.ts):
 *
 *     <132>1 2026-11-21T04:18:46.972000+00:00 web t.TOKEN postgres.5634 - - {"name":"web","timestamp":"2026-11-21 04:18:46.972 UTC","user":"postgres",...,"error_severity":"ERROR","state_code":"23505","message":"duplicate key ...","detail":"Key (id)=(1) already exists.","statement":"insert into t values (1,'dup');","application_name":"psql"}
 *
 * `heroku` and `json` take PRI from ELevel with PostgreSQL's syslog mapping (facility local0: LOG 134,
 * WARNING 133, ERROR 132, FATAL 131, PANIC 130, DEBUG 135), HOSTNAME from the serve's name or identity
 * (non-printable and space characters become `-`), and the record's LogTime as TIMESTAMP when its zone
 * is UTC or numeric (else the receive time).
 *
 * Limits: logplex rejects a whole request if one message (header and body) is over 10,240 bytes, so
 * bodies are cut to fit with the actual header: on UTF-8 character boundaries, each piece a message
 * with the same header. `heroku` numbers the pieces as further chunks; `legacy` and `json` pieces are
 * plain continuations (a json record that long arrives as consecutive pieces of one object).
 * @module
 */
import { syslogSeverity } from "../febe/elevel.ts";
import type { LogRecord } from "../record.ts";
import { herokuBodies } from "./format-heroku.ts";
import { jsonBody } from "./format-json.ts";
import { MAX_MESSAGE_BYTES } from "./frame.ts";
import type { LogplexMessage } from "./message.ts";
import { logTimeToRfc3339, rfc3339Micros, rfc3339Seconds } from "./timestamp.ts";
import { splitUtf8, surelyFits, utf8Length } from "./utf8.ts";

/** The message formats a serve can choose. */
export type LogFormat = "legacy" | "heroku" | "json";

/** What the formatter needs to know about the serve and the connection. */
export interface FormatServe {
  readonly format: LogFormat;
  /** The serve's identity (HOSTNAME when it has no name). */
  readonly identity: string;
  /** Shown as `[name]`; empty or absent means none. */
  readonly name?: string;
  /** PostgreSQL major from the connection's `V` frame, to read ELevel. */
  readonly major: number;
  /** The logplex token, used as APP-NAME as logplexc did. @default "-" (RFC 5424 NILVALUE) */
  readonly token?: string;
}

/** Options of `formatRecord`. */
export interface FormatOptions {
  /** When the record was received (epoch ms): legacy's timestamp, and others' when LogTime is ambiguous. @default Date.now() */
  readonly receivedAt?: number;
}

const LEGACY_PRI = 134;
const LOCAL0 = 16 * 8;
/** RFC 5424 caps APP-NAME at 48; reserving that much keeps room should the token be set later. */
const APP_NAME_RESERVE = 48;

/** Formats one record as one or more logplex messages (more when the body is over the size limit). */
export function formatRecord(record: LogRecord, serve: FormatServe, options: FormatOptions = {}): LogplexMessage[] {
  const name = serve.name ?? "";
  if (serve.format === "legacy") {
    const header = legacyHeader(record, serve, options);
    return withHeader(header, cut(legacyBody(record, name), bodyRoom(header)));
  }
  const header = structuredHeader(record, serve, options);
  const room = bodyRoom(header);
  if (serve.format === "json") return withHeader(header, cut(jsonBody(record, serve.major, name), room));
  return withHeader(header, herokuBodies(record, serve.major, name, room));
}

type Header = Omit<LogplexMessage, "body">;

function legacyHeader(record: LogRecord, serve: FormatServe, options: FormatOptions): Header {
  const timestamp = rfc3339Seconds(options.receivedAt ?? Date.now());
  return {
    pri: LEGACY_PRI,
    timestamp,
    hostname: "postgres",
    appName: serve.token ?? "-",
    procId: `postgres.${record.pid}`,
  };
}

function structuredHeader(record: LogRecord, serve: FormatServe, options: FormatOptions): Header {
  const timestamp = logTimeToRfc3339(record.logTime) ?? rfc3339Micros(options.receivedAt ?? Date.now());
  return {
    pri: LOCAL0 + syslogSeverity(record.eLevel, serve.major),
    timestamp,
    hostname: syslogHostname(serve.name || serve.identity),
    appName: serve.token ?? "-",
    procId: `postgres.${record.pid}`,
  };
}

/** The original's body: `[name] ` + message, then `Detail: `, `Hint: `, `Query: ` lines when present. */
function legacyBody(record: LogRecord, name: string): string {
  let body = name === "" ? "" : `[${name}] `;
  if (record.errMessage !== null) body += `${record.errMessage}\n`;
  if (record.errDetail !== null) body += `Detail: ${record.errDetail}\n`;
  if (record.errHint !== null) body += `Hint: ${record.errHint}\n`;
  if (record.userQuery !== null) body += `Query: ${record.userQuery}\n`;
  return body;
}

/** Bytes a body may take beside `header` within logplex's message limit. */
function bodyRoom(header: Header): number {
  const fixed = `<${header.pri}>1 ${header.timestamp} ${header.hostname}  ${header.procId} - - `;
  return MAX_MESSAGE_BYTES - fixed.length - Math.max(utf8Length(header.appName), APP_NAME_RESERVE);
}

/** `body` as pieces of at most `room` bytes (usually just `[body]`). */
function cut(body: string, room: number): string[] {
  return surelyFits(body, room) ? [body] : splitUtf8(body, room);
}

/** One message per body, all with `header` (built field by field: one object shape for every message). */
function withHeader(header: Header, bodies: readonly string[]): LogplexMessage[] {
  const { pri, timestamp, hostname, appName, procId } = header;
  return bodies.map((body) => ({ pri, timestamp, hostname, appName, procId, body }));
}

let lastHostSource = "";
let lastHost = "-";

/** HOSTNAME must be 1–255 printable ASCII characters without spaces (RFC 5424). */
export function syslogHostname(source: string): string {
  if (source !== lastHostSource) {
    lastHostSource = source;
    lastHost = source.replace(/[^\x21-\x7e]/g, "-").slice(0, 255) || "-";
  }
  return lastHost;
}
