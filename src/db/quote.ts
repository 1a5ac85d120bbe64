/**
 * Identifiers and literals in the SQL posemo writes. Every identifier is quoted, always: names that
 * need quoting work, and a name can never inject SQL. What PostgreSQL accepts as an identifier (a
 * schema, role or database name) is checked before any SQL is written, so a bad name is a one-line
 * usage error rather than a failure deep inside a run.
 * @module
 */
import { printable } from "../safe-text.ts";

/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 = 63 bytes; posemo refuses longer ones instead. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Why `name` cannot be a PostgreSQL identifier, or undefined when it can. */
export function identifierProblem(name: string): string | undefined {
  if (name === "") return "it is empty";
  if (name.includes("\0")) return "it contains NUL";
  const bytes = new TextEncoder().encode(name).length;
  if (bytes > MAX_IDENTIFIER_BYTES) {
    return `it is ${bytes} bytes long, PostgreSQL allows at most ${MAX_IDENTIFIER_BYTES}`;
  }
  return undefined;
}

/**
 * Quotes an identifier: `a"b` → `"a""b"`. Rejects what PostgreSQL would not take as it is; names from
 * users are checked at the boundary (flag parsers, configuration), so this throwing is a bug.
 */
export function quoteIdent(name: string): string {
  const problem = identifierProblem(name);
  if (problem !== undefined) throw new RangeError(`Cannot use "${name}" as an identifier: ${problem}`);
  return quoted(name, '"');
}

/** Quotes a string literal with standard_conforming_strings semantics: `it's` → `'it''s'`. */
export function quoteLiteral(value: string): string {
  if (value.includes("\0")) throw new RangeError("Cannot quote a string containing NUL");
  return quoted(value, "'");
}

const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/**
 * `"a""b"`, or when the text holds a control character (a name a tenant chose: a database renamed
 * with a newline and a terminal escape) its Unicode-escape form `U&"a\000ab"`: the SQL posemo prints
 * (`install --dry-run`) or logs then holds no character a terminal obeys, and means the same.
 */
function quoted(text: string, quote: '"' | "'"): string {
  const doubled = text.replaceAll(quote, quote + quote);
  if (!CONTROL.test(text)) return `${quote}${doubled}${quote}`;
  const escaped = doubled.replace(
    /[\\\p{Cc}\u2028\u2029]/gu,
    (c) => c === "\\" ? "\\\\" : `\\${c.codePointAt(0)!.toString(16).padStart(4, "0")}`,
  );
  return `U&${quote}${escaped}${quote}`;
}

/**
 * A `--` comment line of the SQL posemo writes or prints. A newline in a name inside it would end the
 * comment and make the rest SQL (run by whoever pipes `install --dry-run` into psql): control
 * characters are escaped.
 */
export function sqlComment(text: string): string {
  return `-- ${printable(text)}`;
}
