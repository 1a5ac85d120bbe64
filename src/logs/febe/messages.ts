/**
 * Handlers for the three pg_logfebe messages, named after them (as postgres.js names its handlers):
 * `Version` (`V`), `Identity` (`I`) and `Log` (`L`). Each takes one frame's payload and returns values;
 * the framing lives in `decode.ts`.
 * @module
 */
import type { LogRecord } from "../record.ts";
import { type FieldReader, utf8 } from "./field-reader.ts";
import { ProtocolError } from "./protocol-error.ts";
import { quoteValue } from "../quote-value.ts";

const VERSION_SUFFIX = "/logfebe-1";
const VERSION_MAJOR = /^PG-(\d+)/;
const NUL = 0;

/** What a `V` frame says: the full version string and the PostgreSQL major it names. */
export interface VersionInfo {
  readonly version: string;
  readonly major: number;
}

/** Decodes a `V` payload: `"PG-" PG_VERSION "/logfebe-1"`, any major (9.4, 15.20 (Debian ...), 17beta1). */
export function Version(payload: Uint8Array, offset: number): VersionInfo {
  const version = utf8.decode(upToNul(payload));
  const major = VERSION_MAJOR.exec(version);
  if (!version.endsWith(VERSION_SUFFIX) || major === null) {
    const why = `expected "PG-<version>${VERSION_SUFFIX}"`;
    throw new ProtocolError("bad-version", `Cannot accept version ${quoteValue(version)}: ${why}`, offset);
  }
  return { version, major: Number(major[1]) };
}

/**
 * Decodes an `I` payload. pg_logfebe sizes this frame with `sizeof '\0'` (4 in C), so 3 bytes from past
 * the end of the GUC string follow the NUL: the identity stops at the first NUL and the rest is ignored.
 */
export function Identity(payload: Uint8Array): string {
  return utf8.decode(upToNul(payload));
}

function upToNul(payload: Uint8Array): Uint8Array {
  const end = payload.indexOf(NUL);
  return end < 0 ? payload : payload.subarray(0, end);
}

/** Decodes an `L` payload: exactly 23 fields, nothing left over. Reuse one reader per connection. */
export function Log(payload: Uint8Array, offset: number, reader: FieldReader): LogRecord {
  const r = reader.reset(payload, offset);
  const record: LogRecord = {
    logTime: r.cstr(),
    userName: r.nullable(),
    databaseName: r.nullable(),
    pid: r.int32(),
    clientAddr: r.nullable(),
    sessionId: r.cstr(),
    seqNum: r.int64(),
    psDisplay: r.nullable(),
    sessionStart: r.cstr(),
    vxid: r.nullable(),
    txid: r.uint64(),
    eLevel: r.int32(),
    sqlState: r.nullable(),
    errMessage: r.nullable(),
    errDetail: r.nullable(),
    errHint: r.nullable(),
    internalQuery: r.nullable(),
    internalQueryPos: r.int32(),
    errContext: r.nullable(),
    userQuery: r.nullable(),
    userQueryPos: r.int32(),
    fileErrPos: r.nullable(),
    applicationName: r.nullable(),
  };
  r.done();
  return record;
}
