/**
 * The per-record byte cap. Every database user controls what PostgreSQL logs (a statement with a
 * million lines, a megabyte of DETAIL), and a local user can write frames with any field as long as
 * the frame limit allows, so before a record is formatted its text fields together are cut to at most
 * `maxBytes` of UTF-8. Fields keep their bytes in order of how much they say (the message first, the
 * statement last); a cut field ends with a marker saying how much was cut. Pure; linear in the
 * record's size.
 * @module
 */
import type { LogRecord } from "./record.ts";
import { cutUtf8, utf8Length } from "./logplex/utf8.ts";

/** A record within the cap and how many bytes were cut from it (0: unchanged). */
export interface CappedRecord {
  readonly record: LogRecord;
  readonly cutBytes: number;
}

type TextField = { [K in keyof LogRecord]: LogRecord[K] extends string | null ? K : never }[keyof LogRecord];

/** Text fields, most telling first: what is left of the cap goes to them in this order. */
const FIELDS_BY_PRIORITY: readonly TextField[] = [
  "errMessage",
  "sqlState",
  "logTime",
  "sessionId",
  "userName",
  "databaseName",
  "applicationName",
  "clientAddr",
  "psDisplay",
  "vxid",
  "sessionStart",
  "errDetail",
  "errHint",
  "errContext",
  "internalQuery",
  "fileErrPos",
  "userQuery",
];

/** Caps `record` at `maxBytes` of text. The marker of a cut field is counted in the cap. */
export function capRecord(record: LogRecord, maxBytes: number): CappedRecord {
  if (surelyWithin(record, maxBytes)) return { record, cutBytes: 0 };
  let left = maxBytes;
  let cutBytes = 0;
  const changed: Partial<Record<TextField, string>> = {};
  for (const field of FIELDS_BY_PRIORITY) {
    const value = record[field];
    if (value === null) continue;
    const size = utf8Length(value);
    if (size <= left) {
      left -= size;
      continue;
    }
    const marker = `...[truncated from ${size} bytes]`;
    const kept = cutUtf8(value, Math.max(0, left - marker.length));
    changed[field] = kept + marker;
    left = Math.max(0, left - utf8Length(changed[field]));
    cutBytes += size - utf8Length(kept);
  }
  return { record: { ...record, ...changed }, cutBytes };
}

/** A quick bound: no UTF-16 unit takes more than 3 bytes (property by property: the per-record path). */
function surelyWithin(record: LogRecord, maxBytes: number): boolean {
  const units = (record.errMessage?.length ?? 0) + (record.sqlState?.length ?? 0) + record.logTime.length +
    record.sessionId.length +
    (record.userName?.length ?? 0) + (record.databaseName?.length ?? 0) + (record.applicationName?.length ?? 0) +
    (record.clientAddr?.length ?? 0) +
    (record.psDisplay?.length ?? 0) + (record.vxid?.length ?? 0) + record.sessionStart.length +
    (record.errDetail?.length ?? 0) + (record.errHint?.length ?? 0) +
    (record.errContext?.length ?? 0) + (record.internalQuery?.length ?? 0) + (record.fileErrPos?.length ?? 0) +
    (record.userQuery?.length ?? 0);
  if (units * 3 <= maxBytes) return true;
  let bytes = 0;
  for (const field of FIELDS_BY_PRIORITY) bytes += record[field] === null ? 0 : utf8Length(record[field]!);
  return bytes <= maxBytes;
}
