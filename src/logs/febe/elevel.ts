/**
 * pg_logfebe sends `edata->elevel` raw, and PostgreSQL renumbered its levels twice (elog.h):
 *
 * | level                 | 9.x–13 | 14–18 | 19+ |
 * |-----------------------|--------|-------|-----|
 * | LOG_NEVER             |   –    |   –   |  0  |
 * | DEBUG5 … DEBUG1       | 10–14  | 10–14 |10–14|
 * | LOG, LOG_SERVER_ONLY  | 15, 16 | 15, 16|15,16|
 * | INFO, NOTICE, WARNING | 17–19  | 17–19 |17–19|
 * | WARNING_CLIENT_ONLY   |   –    |  20   | 20  |
 * | ERROR                 |  20    |  21   | 21  |
 * | FATAL                 |  21    |  22   | 22  |
 * | FATAL_CLIENT_ONLY     |   –    |   –   | 23  |
 * | PANIC                 |  22    |  23   | 24  |
 *
 * So a level is decoded with the major version from the `V` frame. The syslog severities follow
 * PostgreSQL's own mapping for log_destination = syslog (elog.c), so results match rsyslog setups.
 * @module
 */

const SHARED = [
  "DEBUG5",
  "DEBUG4",
  "DEBUG3",
  "DEBUG2",
  "DEBUG1",
  "LOG",
  "LOG_SERVER_ONLY",
  "INFO",
  "NOTICE",
  "WARNING",
];
const FIRST_LEVEL = 10;

/** Names indexed by `level - 10`, per numbering era. */
const UP_TO_13 = [...SHARED, "ERROR", "FATAL", "PANIC"];
const FROM_14 = [...SHARED, "WARNING_CLIENT_ONLY", "ERROR", "FATAL", "PANIC"];
const FROM_19 = [...SHARED, "WARNING_CLIENT_ONLY", "ERROR", "FATAL", "FATAL_CLIENT_ONLY", "PANIC"];

/** elog.c's syslog levels (RFC 5424 severities) by level name. */
const SYSLOG_SEVERITY: Readonly<Record<string, number>> = {
  DEBUG5: 7,
  DEBUG4: 7,
  DEBUG3: 7,
  DEBUG2: 7,
  DEBUG1: 7,
  LOG: 6,
  LOG_SERVER_ONLY: 6,
  INFO: 6,
  NOTICE: 5,
  WARNING: 5,
  WARNING_CLIENT_ONLY: 5,
  ERROR: 4,
  FATAL: 3,
  FATAL_CLIENT_ONLY: 3,
  PANIC: 2,
};
/** elog.c sends PANIC and anything it does not know as LOG_CRIT. */
const UNKNOWN_SEVERITY = 2;

/** The text elog.c's error_severity() prints ("DEBUG" for every debug level, client-only folded in). */
const SEVERITY_TEXT: Readonly<Record<string, string>> = {
  DEBUG5: "DEBUG",
  DEBUG4: "DEBUG",
  DEBUG3: "DEBUG",
  DEBUG2: "DEBUG",
  DEBUG1: "DEBUG",
  LOG: "LOG",
  LOG_SERVER_ONLY: "LOG",
  INFO: "INFO",
  NOTICE: "NOTICE",
  WARNING: "WARNING",
  WARNING_CLIENT_ONLY: "WARNING",
  ERROR: "ERROR",
  FATAL: "FATAL",
  FATAL_CLIENT_ONLY: "FATAL",
  PANIC: "PANIC",
};

function namesFor(major: number): readonly string[] {
  if (major >= 19) return FROM_19;
  return major >= 14 ? FROM_14 : UP_TO_13;
}

/**
 * The elog.h name of `level` on PostgreSQL `major` ("LOG", "ERROR", "DEBUG1"...), or `ELEVEL_<n>` for a
 * number that major does not define.
 */
export function elevelName(level: number, major: number): string {
  if (level === 0 && major >= 19) return "LOG_NEVER";
  return namesFor(major)[level - FIRST_LEVEL] ?? `ELEVEL_${level}`;
}

/**
 * What PostgreSQL prints as the severity in its own logs (error_severity(): DEBUG, LOG, INFO, NOTICE,
 * WARNING, ERROR, FATAL, PANIC); an unknown number stays visible as `ELEVEL_<n>` instead of `???`.
 */
export function severityText(level: number, major: number): string {
  const name = elevelName(level, major);
  return SEVERITY_TEXT[name] ?? name;
}

/** The syslog severity 0..7 PostgreSQL itself would use: LOG → 6 info, ERROR → 4 warning, PANIC → 2. */
export function syslogSeverity(level: number, major: number): number {
  return SYSLOG_SEVERITY[elevelName(level, major)] ?? UNKNOWN_SEVERITY;
}
