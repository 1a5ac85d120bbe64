/**
 * What fake-logplexd should record for a fixture sent through serve-logs: the fixture decoded and
 * formatted exactly as serve-logs formats it, in fake-logplexd's `--record` shape (APP-NAME shown as
 * the token's name `app`). Legacy timestamps are the receive time, so they are compared by shape.
 * @module
 */
import { expect } from "bun:test";
import { createFebeDecoder } from "../../src/logs/febe/decode.ts";
import { formatRecord, type LogFormat } from "../../src/logs/logplex/format.ts";
import type { LogRecord } from "../../src/logs/record.ts";
import { readFixture } from "../../dev/fixtures.ts";
import type { RecordedMessage } from "../../dev/log-processes.ts";

/** A fixture decoded: its PostgreSQL major and its records. */
export interface DecodedFixture {
  readonly major: number;
  readonly identity: string;
  readonly records: readonly LogRecord[];
}

/** Decodes a whole fixture. */
export function decodeFixture(name: string): DecodedFixture {
  const decoder = createFebeDecoder();
  const events = decoder.push(readFixture(name));
  expect(decoder.finish()).toBe("clean");
  let major = 0;
  let identity = "";
  const records: LogRecord[] = [];
  for (const event of events) {
    if (event.type === "V") major = event.major;
    else if (event.type === "I") identity = event.identity;
    else if (event.type === "L") records.push(event.record);
  }
  return { major, identity, records };
}

/** The messages of each record of `fixture`, as fake-logplexd records them. */
export function expectedMessages(
  fixture: DecodedFixture,
  serve: { format: LogFormat; name?: string; token: string },
): RecordedMessage[][] {
  const target = {
    format: serve.format,
    identity: fixture.identity,
    name: serve.name,
    major: fixture.major,
    token: serve.token,
  };
  return fixture.records.map((record) =>
    formatRecord(record, target).map((m) => ({
      pri: m.pri,
      timestamp: m.timestamp,
      hostname: m.hostname,
      app: m.appName === serve.token ? "app" : m.appName,
      procid: m.procId,
      msg: m.body,
    }))
  );
}

/** Legacy timestamps are the receive time at second precision: compare their shape only. */
export function withoutReceiveTime(message: RecordedMessage, format: LogFormat): RecordedMessage {
  if (format !== "legacy") return message;
  expect(message.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  return { ...message, timestamp: "(receive time)" };
}

/**
 * Checks a json-format record field by field against the decoded record: every one of the 23 fields
 * that jsonlog carries is where jsonlog puts it.
 */
export function expectJsonMatchesRecord(json: Record<string, unknown>, record: LogRecord): void {
  const client = record.clientAddr === null ? null : /^(.+):(\d+)$/.exec(record.clientAddr);
  const place = record.fileErrPos === null ? null : /^(?:(.*), )?(.*):(\d+)$/.exec(record.fileErrPos);
  const present = (value: string | null) => value ?? undefined;
  expect({
    timestamp: json.timestamp,
    user: json.user,
    dbname: json.dbname,
    pid: json.pid,
    session_id: json.session_id,
    line_num: json.line_num,
    ps: json.ps,
    session_start: json.session_start,
    vxid: json.vxid,
    txid: json.txid,
    state_code: json.state_code,
    message: json.message,
    detail: json.detail,
    hint: json.hint,
    internal_query: json.internal_query,
    context: json.context,
    statement: json.statement,
    application_name: json.application_name,
    remote_host: json.remote_host,
    remote_port: json.remote_port,
    file_line_num: json.file_line_num,
  }).toEqual({
    timestamp: record.logTime,
    user: present(record.userName),
    dbname: present(record.databaseName),
    pid: record.pid,
    session_id: record.sessionId,
    line_num: record.seqNum,
    ps: present(record.psDisplay),
    session_start: record.sessionStart,
    vxid: present(record.vxid),
    txid: record.txid,
    state_code: record.sqlState === "00000" ? undefined : present(record.sqlState),
    message: present(record.errMessage),
    detail: present(record.errDetail),
    hint: present(record.errHint),
    internal_query: present(record.internalQuery),
    context: present(record.errContext),
    statement: present(record.userQuery),
    application_name: record.applicationName === "" ? undefined : present(record.applicationName),
    remote_host: client ? client[1] : present(record.clientAddr),
    remote_port: client ? Number(client[2]) : undefined,
    file_line_num: place ? Number(place[3]) : undefined,
  });
  expect(json.internal_position).toBe(
    record.internalQuery !== null && record.internalQueryPos > 0 ? record.internalQueryPos : undefined,
  );
  expect(json.cursor_position).toBe(
    record.userQuery !== null && record.userQueryPos > 0 ? record.userQueryPos : undefined,
  );
  expect(["DEBUG", "LOG", "INFO", "NOTICE", "WARNING", "ERROR", "FATAL", "PANIC"]).toContain(
    json.error_severity as string,
  );
}
