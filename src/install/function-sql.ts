/**
 * The SQL that installs one check: its setup statements and one SECURITY DEFINER function that the
 * monitoring role alone may execute. The function pins `search_path = pg_catalog, pg_temp`, so every
 * unqualified name resolves in pg_catalog only; posemo's own objects are written `{{schema}}.name`.
 * @module
 */
import type { CheckDefinition, SqlVariant } from "../catalogue/definition.ts";
import { quoteIdent, quoteLiteral } from "../db/quote.ts";
import { fillTemplate, type InstallNames } from "./quote.ts";

/** `"schema"."check"` */
export function functionName(check: CheckDefinition, names: InstallNames): string {
  return `${quoteIdent(names.schema)}.${quoteIdent(check.name)}`;
}

/** Argument types only, as DROP/GRANT need them: `(text)`. */
export function signature(check: CheckDefinition): string {
  return `(${check.arguments.map((a) => a.type).join(", ")})`;
}

function argumentList(check: CheckDefinition): string {
  return check.arguments.map((a) => `${quoteIdent(a.name)} ${a.type} DEFAULT ${quoteLiteral(a.default)}`).join(", ");
}

function returnsTable(check: CheckDefinition): string {
  return check.columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(", ");
}

/** CREATE FUNCTION for the check, filled for these names. */
export function createFunctionSql(check: CheckDefinition, variant: SqlVariant, names: InstallNames): string {
  const body = fillTemplate(variant.body, names);
  return [
    `CREATE FUNCTION ${functionName(check, names)}(${argumentList(check)})`,
    `  RETURNS TABLE (${returnsTable(check)})`,
    `  LANGUAGE ${check.language} ${check.writes || check.rates ? "VOLATILE" : "STABLE"} SECURITY DEFINER`,
    `  SET search_path = pg_catalog, pg_temp`,
    `  AS $posemo$\n${body}\n$posemo$;`,
  ].join("\n");
}

/** Ownership and privileges: the owner role owns it, PUBLIC loses the default EXECUTE, the monitoring role gets it. */
export function functionPrivilegesSql(check: CheckDefinition, names: InstallNames): string[] {
  const fn = `${functionName(check, names)}${signature(check)}`;
  return [
    `ALTER FUNCTION ${fn} OWNER TO ${quoteIdent(names.owner)};`,
    `REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC;`,
    `GRANT EXECUTE ON FUNCTION ${fn} TO ${quoteIdent(names.monitoring)};`,
  ];
}

/** Every statement that installs the check, setup first. */
export function installCheckSql(check: CheckDefinition, variant: SqlVariant, names: InstallNames): string[] {
  const setup = variant.setup ? [fillTemplate(variant.setup, names)] : [];
  return [...setup, createFunctionSql(check, variant, names), ...functionPrivilegesSql(check, names)];
}
