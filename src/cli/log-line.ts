/**
 * One log line stays one line: text a daemon logs may carry what a tenant, a serve database or a
 * peer on a socket chose (identities, names, paths, error texts), and a raw newline or carriage
 * return there would forge a line of its own (a fake `stats` line), an escape sequence would
 * rewrite a terminal. Escaping at the line's way out covers every call site at once.
 * @module
 */

// C0 controls, DEL, C1 controls, and the Unicode line and paragraph separators: matching control
// characters is the point, hence the lint exception.
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `text` with every control character written as `\xNN` (or `\uNNNN`). */
export function escapeControlCharacters(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** Longest line a daemon writes: a value a peer chose (a 1 MiB identity) must not flood the journal. */
export const MAX_LOG_LINE_CHARS = 4096;

/** `text` escaped as one line and cut at {@link MAX_LOG_LINE_CHARS}, saying how much was cut. */
export function logLine(text: string): string {
  const line = escapeControlCharacters(text);
  if (line.length <= MAX_LOG_LINE_CHARS) return line;
  return `${line.slice(0, MAX_LOG_LINE_CHARS)}... [cut ${line.length - MAX_LOG_LINE_CHARS} characters]`;
}
