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

/** The JSON text for `record`. */
export function jsonBody(record: LogRecord, major: number, name: string): string {
  const line: JsonLogLine = {
    ...(name === "" ? {} : { name }),
    timestamp: record.logTime,
    user: record.userName ?? undefined,
    dbname: record.databaseName ?? undefined,
    pid: record.pid,
    ...remote(record.clientAddr),
    session_id: record.sessionId,
    line_num: record.seqNum,
    ps: record.psDisplay ?? undefined,
    session_start: record.sessionStart,
    vxid: record.vxid ?? undefined,
    txid: record.txid,
    error_severity: severityText(record.eLevel, major),
    state_code: record.sqlState === "00000" ? undefined : (record.sqlState ?? undefined),
    message: record.errMessage ?? undefined,
    detail: record.errDetail ?? undefined,
    hint: record.errHint ?? undefined,
    internal_query: record.internalQuery ?? undefined,
    internal_position: record.internalQuery !== null && record.internalQueryPos > 0 ? record.internalQueryPos : undefined,
    context: record.errContext ?? undefined,
    statement: record.userQuery ?? undefined,
    cursor_position: record.userQuery !== null && record.userQueryPos > 0 ? record.userQueryPos : undefined,
    ...location(record.fileErrPos),
    application_name: record.applicationName || undefined,
  };
  return JSON.stringify(line); // undefined values are dropped, which is jsonlog's "omit NULL"
}

/** `host:port` → remote_host + remote_port (a number, as jsonlog writes it); `[local]` has no port. */
function remote(clientAddr: string | null): Pick<JsonLogLine, "remote_host" | "remote_port"> {
  if (clientAddr === null) return {};
  const parts = CLIENT_WITH_PORT.exec(clientAddr);
  return parts === null ? { remote_host: clientAddr } : { remote_host: parts[1]!, remote_port: Number(parts[2]) };
}

/** `function, file:line` (log_error_verbosity = verbose) → func_name, file_name, file_line_num. */
function location(fileErrPos: string | null): Pick<JsonLogLine, "func_name" | "file_name" | "file_line_num"> {
  if (fileErrPos === null) return {};
  const parts = FUNC_FILE_LINE.exec(fileErrPos);
  if (parts === null) return { file_name: fileErrPos };
  return { func_name: parts[1], file_name: parts[2]!, file_line_num: Number(parts[3]) };
}
