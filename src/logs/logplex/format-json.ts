/**
 * The `json` body: one object per record with PostgreSQL's jsonlog keys, in jsonlog's order and with its
 * rules (src/backend/utils/error/jsonlog.c, PG 15+): NULL fields are left out, numbers are JSON numbers,
 * `state_code` is left out for `00000`, `cursor_position` and `internal_position` only when > 0,
 * `application_name` only when not empty. pg_logfebe has no backend_type, leader_pid or query_id, so
 * those keys never appear; `name` (the serve's name) comes first when the serve has one.
 * @module
 */
import { severityText } from "../febe/elevel.ts";
import type { LogRecord } from "../record.ts";

/** jsonlog's keys, in its order. */
interface JsonLogLine {
  name?: string;
  timestamp: string;
  user?: string;
  dbname?: string;
  pid: number;
  remote_host?: string;
  remote_port?: number;
  session_id: string;
  line_num: number;
  ps?: string;
  session_start: string;
  vxid?: string;
  txid: number;
  error_severity: string;
  state_code?: string;
  message?: string;
  detail?: string;
  hint?: string;
  internal_query?: string;
  internal_position?: number;
  context?: string;
  statement?: string;
  cursor_position?: number;
  func_name?: string;
  file_name?: string;
  file_line_num?: number;
  application_name?: string;
}

const CLIENT_WITH_PORT = /^(.+):(\d+)$/;
const FUNC_FILE_LINE = /^(?:(.*), )?(.*):(\d+)$/;

/**
 * The JSON text for `record`. One object literal with every key, absent ones `undefined` (which
 * `JSON.stringify` leaves out, jsonlog's "omit NULL"): a single shape keeps the engine on its fast path.
 */
export function jsonBody(record: LogRecord, major: number, name: string): string {
  const r = record;
  const client = r.clientAddr === null ? null : CLIENT_WITH_PORT.exec(r.clientAddr);
  const place = r.fileErrPos === null ? null : FUNC_FILE_LINE.exec(r.fileErrPos);
  const line: JsonLogLine = {
    name: name === "" ? undefined : name,
    timestamp: r.logTime,
    user: r.userName ?? undefined,
    dbname: r.databaseName ?? undefined,
    pid: r.pid,
    remote_host: client === null ? (r.clientAddr ?? undefined) : client[1],
    remote_port: client === null ? undefined : Number(client[2]),
    session_id: r.sessionId,
    line_num: r.seqNum,
    ps: r.psDisplay ?? undefined,
    session_start: r.sessionStart,
    vxid: r.vxid ?? undefined,
    txid: r.txid,
    error_severity: severityText(r.eLevel, major),
    state_code: r.sqlState === "00000" ? undefined : (r.sqlState ?? undefined),
    message: r.errMessage ?? undefined,
    detail: r.errDetail ?? undefined,
    hint: r.errHint ?? undefined,
    internal_query: r.internalQuery ?? undefined,
    internal_position: r.internalQuery !== null && r.internalQueryPos > 0 ? r.internalQueryPos : undefined,
    context: r.errContext ?? undefined,
    statement: r.userQuery ?? undefined,
    cursor_position: r.userQuery !== null && r.userQueryPos > 0 ? r.userQueryPos : undefined,
    func_name: place?.[1],
    file_name: place === null ? (r.fileErrPos ?? undefined) : place[2],
    file_line_num: place === null ? undefined : Number(place[3]),
    application_name: r.applicationName || undefined,
  };
  return JSON.stringify(line);
}
