/**
 * Identifiers and literals in the SQL posemo writes. Every identifier is quoted, always: names that
 * need quoting work, and a name can never inject SQL. What PostgreSQL accepts as an identifier (a
 * schema, role or database name) is checked before any SQL is written, so a bad name is a one-line
 * usage error rather than a failure deep inside a run.
 * @module
 */

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
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal with standard_conforming_strings semantics: `it's` → `'it''s'`. */
export function quoteLiteral(value: string): string {
  if (value.includes("\0")) throw new RangeError("Cannot quote a string containing NUL");
  return `'${value.replaceAll("'", "''")}'`;
}
