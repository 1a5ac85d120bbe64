/**
 * The privileges a check's owner role needs beyond pg_monitor, declared in check.yaml (`privileges:`)
 * and granted by install exactly as declared. The object names are parsed here into their parts, so
 * the installer quotes every part itself: a declaration is a name, never SQL text.
 * @module
 */

/** One declared privilege: SELECT on a table (or view, sequence), or USAGE on a schema. */
export interface DeclaredPrivilege {
  readonly privilege: "SELECT" | "USAGE";
  readonly kind: "table" | "schema";
  /** The table's schema, or the schema itself. */
  readonly schema: string;
  /** The table's name (kind "table" only). */
  readonly table?: string;
  /**
   * The role the DBA expects to own the object when that is neither a superuser nor posemo's owner
   * role: its owner could make reading it run their code as the owner role (a row security policy, a
   * security_invoker view), so install refuses such an object unless its owner is named here.
   */
  readonly ownedBy?: string;
}

const IDENT = String.raw`(?:[a-z_][a-z0-9_$]*|"(?:[^"\x00]|"")+")`;
const ONE_NAME = new RegExp(`^(${IDENT})$`);
const QUALIFIED = new RegExp(`^(${IDENT})\\.(${IDENT})$`);

function unquote(part: string): string {
  return part.startsWith('"') ? part.slice(1, -1).replaceAll('""', '"') : part;
}

function checkLength(name: string): string | undefined {
  return new TextEncoder().encode(name).length > 63 ? `"${name}" is longer than 63 bytes` : undefined;
}

/** `schema.table` (each part lower-case unquoted, or "double quoted") into its parts, or why not. */
export function parseQualifiedName(text: string): { schema: string; table: string } | string {
  const match = QUALIFIED.exec(text);
  if (!match) return `"${text}" is not schema.table (lower-case names, or "Quoted" ones; the schema is required)`;
  const [schema, table] = [unquote(match[1]!), unquote(match[2]!)];
  return checkLength(schema) ?? checkLength(table) ?? { schema, table };
}

/** One identifier (a schema or a role), lower-case unquoted or "double quoted", or why not. */
export function parseIdentifier(text: string): string | { problem: string } {
  const match = ONE_NAME.exec(text);
  if (!match) return { problem: `"${text}" is not a name (lower-case, or "Quoted")` };
  const name = unquote(match[1]!);
  const long = checkLength(name);
  return long ? { problem: long } : name;
}

/** How a declared privilege reads in a plan and in messages: `SELECT on table public.orders`. */
export function describePrivilege(p: DeclaredPrivilege): string {
  return p.kind === "table" ? `SELECT on table ${p.schema}.${p.table}` : `USAGE on schema ${p.schema}`;
}

/** Same object and privilege (the owner expectation aside). */
export function samePrivilege(a: DeclaredPrivilege, b: DeclaredPrivilege): boolean {
  return a.kind === b.kind && a.privilege === b.privilege && a.schema === b.schema && a.table === b.table;
}
