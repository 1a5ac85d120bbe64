/**
 * Names come from the server (databases, tables, sequences, application_name) or from a serve set
 * (identities, socket paths) and may hold any character but NUL: a newline splits a Nagios first line
 * or a zabbix_sender line, an escape sequence repaints a terminal, a literal backslash-n starts
 * Checkmk's details, a lone UTF-16 surrogate (a JSON `\ud800`) has no UTF-8 form. Each format makes
 * them safe by its own rules; these are the shared pieces, at the bottom of the tree so that both the
 * check output and serve-logs' /metrics use the same ones. Pure.
 * @module
 */

/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;

/** One character as a visible escape: `\xNN` up to U+00FF, else `\uNNNN`. */
export function visibleEscape(c: string): string {
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Control characters as visible `\xNN` escapes, everything else kept: one line, nothing a terminal obeys. */
export function printable(text: string): string {
  return text.replace(CONTROL, visibleEscape);
}

/**
 * Like `printable`, and backslashes as `\x5c` too: injective (two names never print alike) and free
 * of any backslash sequence a reader could interpret (`\n` in Checkmk text, a trailing `\` before the
 * closing quote of a Zabbix key parameter).
 */
export function printableNoBackslash(text: string): string {
  return text.replace(/[\\\p{Cc}\u2028\u2029]/gu, visibleEscape);
}

/** A backslash, a lone surrogate, or a control character other than the line feed (which Prometheus escapes itself). */
const LABEL_VISIBLE = /[\\\u2028\u2029\ud800-\udfff]|(?!\n)\p{Cc}/gu;
const LABEL_ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", '"': '\\"', "\n": "\\n" };

/**
 * A Prometheus label value, between its double quotes. The value is `printableNoBackslash`'s, but a
 * line feed is kept (the format has an escape for it): injective, as Checkmk's and Zabbix's names are,
 * with no raw control character and nothing that is not UTF-8. Then the text exposition format's own
 * escapes: backslash, double quote and line feed as `\\`, `\"` and `\n`.
 */
export function escapeLabelValue(value: string): string {
  return value.replace(LABEL_VISIBLE, visibleEscape).replace(/[\\"\n]/g, (c) => LABEL_ESCAPES[c]!);
}
