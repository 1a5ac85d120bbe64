/**
 * Whether posemo's schema in a database may be called into at all. `check` calls
 * `<schema>.posemo_inventory()` and the check functions by name in every database it visits; where
 * posemo was never installed (a database created from template0, or one whose install was refused)
 * whoever owns the database can create a schema of that name with functions of those names, and
 * they would run as the caller: the monitoring role, or a superuser if one runs `check`. So each
 * session first asks who owns the schema and calls nothing unless only a trusted role can change it.
 * Once trusted, nobody else can drop, rename or add to it between this answer and the calls.
 * @module
 */
import type { Row } from "../db/session.ts";
import { quoteLiteral } from "../db/quote.ts";

/**
 * Its owner, whether that owner is trusted (a superuser, or a role nobody can log in as or act as:
 * NOLOGIN, no members, not a predefined role such as pg_database_owner, which every database owner
 * is), and whether anyone but the owner may CREATE in it. No row: no such schema.
 */
export function schemaTrustSql(schema: string): string {
  return `SELECT pg_catalog.pg_get_userbyid(n.nspowner) AS owner,
       r.rolsuper OR (NOT r.rolcanlogin AND r.oid OPERATOR(pg_catalog.>=) '16384'::pg_catalog.oid
         AND NOT EXISTS (SELECT FROM pg_catalog.pg_auth_members AS m WHERE m.roleid OPERATOR(pg_catalog.=) r.oid))
         AS owner_trusted,
       EXISTS (SELECT FROM pg_catalog.aclexplode(n.nspacl) AS a
                WHERE a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
                  AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner) AS others_create
  FROM pg_catalog.pg_namespace AS n
  JOIN pg_catalog.pg_roles AS r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
 WHERE n.nspname OPERATOR(pg_catalog.=) ${quoteLiteral(schema)}`;
}

/** What the answer allows: call into the schema, report it missing, or refuse with a reason. */
export type SchemaTrust = { readonly trusted: true } | { readonly missing: true } | { readonly untrusted: string };

/** Judges the rows `schemaTrustSql` returned. */
export function judgeSchemaTrust(rows: readonly Row[], schema: string): SchemaTrust {
  const [row] = rows;
  if (!row) return { missing: true };
  const owner = String(row.owner);
  const fix = `nothing in it was called (a superuser should drop or rename it, then run posemo install)`;
  if (row.owner_trusted !== true) {
    return {
      untrusted: `schema "${schema}" is owned by "${owner}", not by a superuser or posemo's NOLOGIN owner role: ${fix}`,
    };
  }
  if (row.others_create === true) {
    return { untrusted: `roles other than its owner "${owner}" may CREATE in schema "${schema}": ${fix}` };
  }
  return { trusted: true };
}
