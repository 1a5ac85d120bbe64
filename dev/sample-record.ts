/**
 * A realistic log record for tests that need one and do not care about every field: the duplicate-key
 * ERROR of the pg15-psql-mixed-session fixture, with overrides.
 * @module
 */
import type { LogRecord } from "../src/logs/record.ts";

/** The fixture's unique-violation ERROR (PostgreSQL 15: eLevel 21), with `overrides` applied. */
export function sampleRecord(overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    logTime: "2026-11-21 04:18:46.972 UTC",
    userName: "postgres",
    databaseName: "postgres",
    pid: 5634,
    clientAddr: "[local]",
    sessionId: "6b011ba6.1602",
    seqNum: 6,
    psDisplay: "INSERT",
    sessionStart: "2026-11-21 04:18:46 UTC",
    vxid: "3/9",
    txid: 726,
    eLevel: 21,
    sqlState: "23505",
    errMessage: 'duplicate key value violates unique constraint "t_pkey"',
    errDetail: "Key (id)=(1) already exists.",
    errHint: null,
    internalQuery: null,
    internalQueryPos: -1,
    errContext: null,
    userQuery: "insert into t values (1,'dup');",
    userQueryPos: 0,
    fileErrPos: null,
    applicationName: "psql",
    ...overrides,
  };
}
