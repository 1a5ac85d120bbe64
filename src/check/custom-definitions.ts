/**
 * Custom checks as `posemo check` learns them: install stored each one's definition (columns, units,
 * thresholds, scope, fingerprint) in the database, and `posemo_custom_definitions()` gives it to the
 * monitoring role, so a monitoring host needs only the binary. A run asks within each host's own
 * session (src/check/run.ts); `learnCustomChecks`, a short session of its own, serves `check --list`.
 * @module
 */
import { type CheckDefinition, SUPPORTED_MAJORS } from "../catalogue/definition.ts";
import type { ConnectionSettings } from "../db/settings.ts";
import { openSession } from "../db/session.ts";
import { quoteIdent } from "../db/quote.ts";
import { judgeSchemaTrust, schemaTrustSql } from "./trusted-schema.ts";

const SCOPES = ["cluster", "database"];

function isDefinition(value: unknown, name: string): value is CheckDefinition & { hash: string } {
  const v = value as Partial<CheckDefinition & { hash: string }> | null;
  return typeof v === "object" && v !== null && v.name === name && typeof v.description === "string" &&
    typeof v.hash === "string" &&
    Array.isArray(v.columns) && v.columns.length > 0 && Array.isArray(v.arguments) && SCOPES.includes(String(v.scope));
}

/**
 * A stored definition as a check of the catalogue: its one "variant" carries the installed fingerprint,
 * so the inventory comparison holds; the SQL itself stays on the server. Undefined for a row that is not one.
 */
export function learntCheck(name: string, text: string): CheckDefinition | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isDefinition(value, name)) return undefined;
  const { hash, ...definition } = value;
  return { ...definition, custom: true, variants: [{ minMajor: SUPPORTED_MAJORS[0], body: "", hash }] };
}

/** The query that returns the stored definitions (name, definition JSON) to the monitoring role. */
export function CUSTOM_DEFINITIONS_SQL(schema: string): string {
  return `SELECT d.name, d.definition FROM ${quoteIdent(schema)}.posemo_custom_definitions() AS d`;
}

/** The custom checks installed where `settings` points; none when posemo (or a custom check) is not installed or not to be trusted, or the login fails (the run reports that). */
export async function learnCustomChecks(
  settings: ConnectionSettings,
  schema: string,
  timeoutMs: number,
): Promise<CheckDefinition[]> {
  const session = openSession(settings, { statementTimeoutMs: timeoutMs });
  try {
    // Nothing is called in a schema anyone but posemo's owner could have filled (src/check/trusted-schema.ts).
    if (!("trusted" in judgeSchemaTrust(await session.query(schemaTrustSql(schema)), schema))) return [];
    const rows = await session.query(CUSTOM_DEFINITIONS_SQL(schema));
    return rows.map((r) => learntCheck(String(r.name), String(r.definition))).filter((c): c is CheckDefinition =>
      c !== undefined
    );
  } catch {
    return [];
  } finally {
    await session.close().catch(() => undefined);
  }
}
