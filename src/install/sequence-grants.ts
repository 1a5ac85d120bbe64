/**
 * SELECT on sequences for the owner role, so `sequences` can read their counters on a default
 * install without pg_read_all_data (which would hand the owner every table's rows). SELECT on a
 * sequence shows its last_value, log_cnt and is_called, nothing of any table; it does not allow
 * nextval() or setval(). Existing sequences are granted per schema; sequences created later are
 * covered by default privileges of the roles that own sequences or tables in the database, or
 * (not superusers) a schema, and in template1 (copied into every database created later) of every
 * role that can log in (default privileges are per creating role, so a role that creates its first object
 * after install is not covered: the check names such a sequence and says to run install again).
 * @module
 */
import type { Session } from "../db/session.ts";
import { quoteIdent, quoteLiteral } from "../db/quote.ts";
import { type InstallNames } from "./quote.ts";

/** What the installer needs to know about sequence privileges in one database. */
export interface SequenceFacts {
  /** Schemas holding a sequence the owner role cannot SELECT. */
  readonly ungrantedSchemas: readonly string[];
  /** Every schema holding a sequence (uninstall revokes there). */
  readonly sequenceSchemas: readonly string[];
  /** Creating roles whose default privileges do not yet give the owner SELECT on new sequences. */
  readonly creatorsWithoutDefault: readonly string[];
  /** Roles whose default privileges give the owner SELECT on new sequences (uninstall removes them). */
  readonly creatorsWithDefault: readonly string[];
}

const EQ = "OPERATOR(pg_catalog.=)";

/** Every function and operator qualified: the SQL means the same whatever a tenant planted (see inspect.ts). */
function factsSql(names: InstallNames): string {
  const owner = quoteLiteral(names.owner);
  const ours = [names.owner, names.monitoring].map(quoteLiteral).join(", ");
  return `
WITH owner AS (SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname ${EQ} ${owner}),
seqs AS (
  SELECT c.oid, n.nspname::text AS nspname FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid ${EQ} c.relnamespace
   WHERE c.relkind ${EQ} 'S' AND c.relpersistence OPERATOR(pg_catalog.<>) 't'
),
user_schemas AS (
  SELECT n.oid, n.nspowner FROM pg_catalog.pg_namespace AS n
   WHERE n.nspname OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog', 'information_schema']::name[])
     AND n.nspname::text OPERATOR(pg_catalog.!~) '^pg_(toast|temp)'
),
creators AS (
  SELECT DISTINCT r.rolname::text AS rolname FROM pg_catalog.pg_roles AS r
   WHERE r.rolname OPERATOR(pg_catalog.<>) ALL (ARRAY[${ours}]::name[]) AND r.rolname::text OPERATOR(pg_catalog.!~) '^pg_'
     AND (EXISTS (SELECT 1 FROM pg_catalog.pg_class AS c JOIN user_schemas AS u ON u.oid ${EQ} c.relnamespace
                   WHERE c.relowner ${EQ} r.oid AND c.relkind ${EQ} ANY (ARRAY['S', 'r', 'p']::"char"[]))
          -- a superuser owns public by initdb (14 and older): that alone does not make it a creator
          OR (NOT r.rolsuper AND EXISTS (SELECT 1 FROM user_schemas AS u WHERE u.nspowner ${EQ} r.oid))
          -- template1 seeds every database created later, where nobody owns anything yet: every
          -- role that can log in may create the first sequences there
          OR (r.rolcanlogin AND pg_catalog.current_database() ${EQ} 'template1'))
),
defaults AS (
  SELECT pg_catalog.pg_get_userbyid(d.defaclrole)::text AS rolname
    FROM pg_catalog.pg_default_acl AS d, owner AS o, pg_catalog.aclexplode(d.defaclacl) AS a
   WHERE d.defaclnamespace ${EQ} 0 AND d.defaclobjtype ${EQ} 'S' AND a.grantee ${EQ} o.oid AND a.privilege_type ${EQ} 'SELECT'
)
SELECT (SELECT coalesce(pg_catalog.json_agg(DISTINCT s.nspname), '[]') FROM seqs AS s
         WHERE NOT coalesce((SELECT pg_catalog.has_sequence_privilege(o.oid, s.oid, 'SELECT') FROM owner AS o), false)) AS ungranted,
       (SELECT coalesce(pg_catalog.json_agg(DISTINCT s.nspname), '[]') FROM seqs AS s) AS all_schemas,
       (SELECT coalesce(pg_catalog.json_agg(c.rolname ORDER BY c.rolname), '[]') FROM creators AS c
         WHERE c.rolname OPERATOR(pg_catalog.<>) ALL (SELECT d.rolname FROM defaults AS d)) AS without_default,
       (SELECT coalesce(pg_catalog.json_agg(d.rolname ORDER BY d.rolname), '[]') FROM defaults AS d) AS with_default`;
}

/** Reads the sequence privilege facts of the database the session is connected to. */
export async function inspectSequences(session: Session, names: InstallNames): Promise<SequenceFacts> {
  const [row] = await session.query(factsSql(names));
  const list = (value: unknown) => [...(value as string[])].sort();
  return {
    ungrantedSchemas: list(row!.ungranted),
    sequenceSchemas: list(row!.all_schemas),
    creatorsWithoutDefault: list(row!.without_default),
    creatorsWithDefault: list(row!.with_default),
  };
}

/** The grants still missing, as statements (none when everything is granted). */
export function sequenceGrantSql(facts: SequenceFacts | undefined, names: InstallNames): string[] {
  if (!facts) return [];
  const owner = quoteIdent(names.owner);
  const schemas = facts.ungrantedSchemas.map(quoteIdent).join(", ");
  const creators = facts.creatorsWithoutDefault.map(quoteIdent).join(", ");
  return [
    ...(schemas ? [`GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${schemas} TO ${owner};`] : []),
    ...(creators ? [`ALTER DEFAULT PRIVILEGES FOR ROLE ${creators} GRANT SELECT ON SEQUENCES TO ${owner};`] : []),
  ];
}

/** Removes what sequenceGrantSql granted (uninstall), so the owner role can be dropped. */
export function sequenceRevokeSql(facts: SequenceFacts | undefined, names: InstallNames): string[] {
  if (!facts) return [];
  const owner = quoteIdent(names.owner);
  const schemas = facts.sequenceSchemas.map(quoteIdent).join(", ");
  const creators = facts.creatorsWithDefault.map(quoteIdent).join(", ");
  return [
    ...(schemas ? [`REVOKE SELECT ON ALL SEQUENCES IN SCHEMA ${schemas} FROM ${owner};`] : []),
    ...(creators ? [`ALTER DEFAULT PRIVILEGES FOR ROLE ${creators} REVOKE SELECT ON SEQUENCES FROM ${owner};`] : []),
  ];
}
