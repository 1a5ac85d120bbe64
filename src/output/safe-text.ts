/**
 * Names come from the server (databases, tables, sequences, application_name) and may hold any
 * character but NUL: a newline splits a Nagios first line or a zabbix_sender line, an escape sequence
 * repaints a terminal, a literal backslash-n starts Checkmk's details. Each format makes them safe by
 * its own rules; these are the shared pieces. Pure.
 * @module
 */

/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;

function escapeCode(c: string): string {
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Control characters as visible `\xNN` escapes, everything else kept: one line, nothing a terminal obeys. */
export function printable(text: string): string {
  return text.replace(CONTROL, escapeCode);
}

/**
 * Like `printable`, and backslashes as `\x5c` too: injective (two names never print alike) and free
 * of any backslash sequence a reader could interpret (`\n` in Checkmk text, a trailing `\` before the
 * closing quote of a Zabbix key parameter).
 */
export function printableNoBackslash(text: string): string {
  return text.replace(/[\\\p{Cc}\u2028\u2029]/gu, escapeCode);
}
