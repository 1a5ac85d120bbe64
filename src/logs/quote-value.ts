/**
 * Values someone else chose (a peer on a socket, the writer of the serve database) quoted for an error
 * message or log line: JSON string syntax, so a newline or quote inside cannot end the line or the
 * quote, and bounded, so a megabyte identity does not become a megabyte line.
 * @module
 */

/** Most characters of a value quoted. */
const QUOTED_MAX = 200;

/** `text` as a JSON string of at most 200 characters, then how long it was. */
export function quoteValue(text: string): string {
  if (text.length <= QUOTED_MAX) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, QUOTED_MAX))}... (${text.length} characters)`;
}
