/**
 * The `heroku` body: what PostgreSQL itself writes to syslog on Heroku Postgres, which pganalyze and
 * other drain parsers read (`^\[(\w+)\] \[\d+-(\d+)\] ( sql_error_code = \w+ (\w+):  )?(.+)`).
 *
 * PostgreSQL builds one text per record (elog.c): the prefix (`log_line_prefix` = ` sql_error_code = %e `
 * on Heroku), `LEVEL:  message`, then `DETAIL:  `, `HINT:  `, `QUERY:  `, `CONTEXT:  `, `LOCATION:  `,
 * `STATEMENT:  ` lines, each with the prefix again; newlines inside a value are followed by a tab. Syslog
 * output then sends every line as its own message numbered `[seq-chunk]`. Here `seq` is the record's
 * SeqNum (PostgreSQL's own syslog counter is per process too), and a line too long for one logplex
 * message continues in the next chunk numbers.
 *
 * A record gives at most {@link MAX_LINE_MESSAGES} line messages: a statement of a million newlines
 * would otherwise cost a million messages of ~130 header bytes each. Lines past that are packed, with
 * their newlines, into the last messages (each at most the size limit).
 * @module
 */
import { severityText } from "../febe/elevel.ts";
import type { LogRecord } from "../record.ts";
import { splitUtf8, surelyFits, utf8Length } from "./utf8.ts";

/** The lines PostgreSQL would log for `record`, before they are numbered. */
export function herokuLines(record: LogRecord, major: number): string[] {
  const prefix = ` sql_error_code = ${record.sqlState ?? "00000"} `;
  const lines: string[] = [];
  const message = (record.errMessage ?? "missing error text") + position(record);
  pushWithTabs(lines, `${prefix}${severityText(record.eLevel, major)}:  ${message}`);
  if (record.errDetail !== null) pushWithTabs(lines, `${prefix}DETAIL:  ${record.errDetail}`);
  if (record.errHint !== null) pushWithTabs(lines, `${prefix}HINT:  ${record.errHint}`);
  if (record.internalQuery !== null) pushWithTabs(lines, `${prefix}QUERY:  ${record.internalQuery}`);
  if (record.errContext !== null) pushWithTabs(lines, `${prefix}CONTEXT:  ${record.errContext}`);
  if (record.fileErrPos !== null) pushWithTabs(lines, `${prefix}LOCATION:  ${record.fileErrPos}`);
  if (record.userQuery !== null) pushWithTabs(lines, `${prefix}STATEMENT:  ${record.userQuery}`);
  return lines;
}

/** ` at character N` as elog.c appends it: the statement's cursor first, else the internal query's. */
function position(record: LogRecord): string {
  if (record.userQueryPos > 0) return ` at character ${record.userQueryPos}`;
  return record.internalQueryPos > 0 ? ` at character ${record.internalQueryPos}` : "";
}

/** Splits on newlines; continuation lines start with the tab elog.c inserts after each newline. */
function pushWithTabs(lines: string[], text: string): void {
  if (!text.includes("\n")) {
    lines.push(text);
    return;
  }
  const parts = text.split("\n");
  lines.push(parts[0]!);
  for (let i = 1; i < parts.length; i++) lines.push(`\t${parts[i]}`);
}

/** Room left for a chunk label `[name] [seq-chunk] ` with up to 6-digit chunk numbers. */
function labelReserve(name: string, seqNum: number): number {
  return utf8Length(name) + String(seqNum).length + 16;
}

/** Line messages per record before the remaining lines are packed together. */
export const MAX_LINE_MESSAGES = 100;

/**
 * The numbered bodies for `record`: `[name] [seq-chunk] line`, each at most `maxBytes` bytes of UTF-8.
 */
export function herokuBodies(record: LogRecord, major: number, name: string, maxBytes: number): string[] {
  const head = name === "" ? "[" : `[${name}] [`;
  const room = maxBytes - labelReserve(name, record.seqNum);
  const bodies: string[] = [];
  const lines = herokuLines(record, major);
  for (let i = 0; i < lines.length; i++) {
    const packed = bodies.length >= MAX_LINE_MESSAGES - 1 && i < lines.length - 1;
    const line = packed ? lines.slice(i).join("\n") : lines[i]!;
    if (surelyFits(line, room)) bodies.push(`${head}${record.seqNum}-${bodies.length + 1}] ${line}`);
    else {for (const piece of splitUtf8(line, room)) {
        bodies.push(`${head}${record.seqNum}-${bodies.length + 1}] ${piece}`);
      }}
    if (packed) break;
  }
  return bodies;
}
