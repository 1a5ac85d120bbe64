/**
 * The way of one record through a serve's forwarder, built once per connection: counted received,
 * its session's SeqNum tracked (records PostgreSQL lost are counted), cut to the byte cap, its
 * LogTime checked, formatted and handed to the sender. A formatter bug costs that record (counted
 * dropped), never the connection.
 * @module
 */
import { formatRecord, type FormatServe } from "./logplex/format.ts";
import type { LogplexMessage } from "./logplex/message.ts";
import type { RateLimitedLog } from "./logplex/rate-limited-log.ts";
import type { LogplexSender } from "./logplex/sender.ts";
import { readLogTime } from "./logplex/timestamp.ts";
import type { SeqTracker } from "./listen/seq-tracker.ts";
import type { LogRecord } from "./record.ts";
import { capRecord } from "./record-cap.ts";
import type { ServeCounters } from "./stats.ts";

/** What was changed in records on their way through. */
export interface RecordStats {
  /** Records cut to the per-record byte cap. */
  truncated: number;
  /** Bytes cut from them. */
  cutBytes: number;
  /** Records whose LogTime was not a valid time (sent with the receive time instead). */
  invalidTimes: number;
}

/** What the record path needs from its forwarder. */
export interface RecordPathContext {
  readonly counters: ServeCounters;
  readonly records: RecordStats;
  readonly sessions: SeqTracker;
  readonly sender: LogplexSender;
  /** Rate-limited complaints, by kind. */
  readonly complain: RateLimitedLog;
  /** The serve's log-line prefix. */
  readonly prefix: string;
  readonly maxRecordBytes: number;
}

/** The per-record path of a connection whose records are formatted for `target`. */
export function createRecordPath(context: RecordPathContext, target: FormatServe): (record: LogRecord) => void {
  const { counters, sessions, sender, maxRecordBytes } = context;
  return (received) => {
    counters.received++;
    const lost = sessions.observe(received.sessionId, received.seqNum);
    if (lost > 0) counters.lostUpstream += lost;
    const { record, cutBytes } = capRecord(received, maxRecordBytes);
    if (cutBytes > 0) noteCut(context, cutBytes);
    if (readLogTime(record.logTime) === "invalid") noteInvalidTime(context, record.logTime);
    const messages = format(context, record, target);
    if (messages) sender.enqueue(messages);
  };
}

function noteInvalidTime(context: RecordPathContext, logTime: string): void {
  context.records.invalidTimes++;
  context.complain(
    "log-time",
    `${context.prefix} a record's LogTime ${
      JSON.stringify(logTime.slice(0, 64))
    } is not a valid time: sent with the receive time`,
  );
}

function noteCut(context: RecordPathContext, bytes: number): void {
  context.records.truncated++;
  context.records.cutBytes += bytes;
  context.complain(
    "cut",
    `${context.prefix} cut ${bytes} bytes from a record over the ${context.maxRecordBytes}-byte cap (--max-record-bytes)`,
  );
}

/** Formats a record; a formatter bug costs that record (counted dropped), never the connection. */
function format(context: RecordPathContext, record: LogRecord, target: FormatServe): LogplexMessage[] | undefined {
  try {
    return formatRecord(record, target);
  } catch (error) {
    context.counters.dropped++;
    context.complain("format", `${context.prefix} cannot format a record (please report): ${(error as Error).message}`);
    return undefined;
  }
}
