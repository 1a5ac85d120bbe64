/**
 * What PostgreSQL accepts as an identifier (a schema, role or database name), checked before any SQL
 * is written so a bad name is a one-line usage error rather than a failure deep inside a run.
 * @module
 */

/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 = 63 bytes; posemo refuses longer ones instead. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Why `name` cannot be a PostgreSQL identifier, or undefined when it can. */
export function identifierProblem(name: string): string | undefined {
  if (name === "") return "it is empty";
  if (name.includes("\0")) return "it contains NUL";
  const bytes = new TextEncoder().encode(name).length;
  if (bytes > MAX_IDENTIFIER_BYTES) return `it is ${bytes} bytes long, PostgreSQL allows at most ${MAX_IDENTIFIER_BYTES}`;
  return undefined;
}
