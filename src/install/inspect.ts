/**
 * Reads the installer's facts from the target database (as the installing superuser): one round
 * trip for roles, schema and version, one more for the inventory when a previous install left one.
 * @module
 */
import { UserError } from "../cli/user-error.ts";
import type { Session } from "../db/session.ts";
import type { InstallNames } from "./quote.ts";
import { quoteIdent, quoteLiteral } from "./quote.ts";
import type { InstallState, Recorded, RoleFacts, SchemaFacts } from "./state.ts";

/** Names of the schema's functions whose privileges are not exactly owner + EXECUTE for the monitoring role. */
function misprivilegedSql(names: InstallNames): string {
  const acl = "pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner)))";
  return `(SELECT coalesce(json_agg(p.proname::text), '[]') FROM pg_catalog.pg_proc p
                  WHERE p.pronamespace = n.oid
                    AND NOT (pg_catalog.pg_get_userbyid(p.proowner) = ${quoteLiteral(names.owner)}
                             AND NOT EXISTS (SELECT 1 FROM ${acl} a WHERE a.grantee = 0)
                             AND EXISTS (SELECT 1 FROM ${acl} a JOIN pg_catalog.pg_roles m ON m.oid = a.grantee
                                          WHERE m.rolname = ${quoteLiteral(names.monitoring)} AND a.privilege_type = 'EXECUTE')))`;
}

function factsSql(names: InstallNames): string {
  const roleList = [names.owner, names.monitoring].map(quoteLiteral).join(", ");
  const schema = quoteLiteral(names.schema);
  return `
SELECT current_setting('server_version_num')::integer AS version_num,
       current_database() AS database,
       (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) AS is_superuser,
       (SELECT coalesce(json_object_agg(r.rolname, json_build_object(
                 'login', r.rolcanlogin, 'superuser', r.rolsuper,
                 'powers', r.rolcreatedb OR r.rolcreaterole OR r.rolreplication OR r.rolbypassrls,
                 'inPgMonitor', pg_catalog.pg_has_role(r.oid, 'pg_monitor', 'USAGE'),
                 'usesReservedConnections', EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members am
                                                      JOIN pg_catalog.pg_roles g ON g.oid = am.roleid
                                                     WHERE am.member = r.oid AND g.rolname = 'pg_use_reserved_connections'),
                 'members', (SELECT coalesce(json_agg(m.rolname), '[]') FROM pg_catalog.pg_auth_members am
                               JOIN pg_catalog.pg_roles m ON m.oid = am.member
                              WHERE am.roleid = r.oid AND NOT m.rolsuper))), '{}')
          FROM pg_catalog.pg_roles r WHERE r.rolname IN (${roleList})) AS roles,
       (SELECT json_build_object(
                 'owner', pg_catalog.pg_get_userbyid(n.nspowner),
                 'creators', (SELECT coalesce(json_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END), '[]')
                                FROM pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) a
                               WHERE a.privilege_type = 'CREATE' AND a.grantee <> n.nspowner
                                 AND (a.grantee = 0 OR NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE oid = a.grantee))),
                 'functions', (SELECT coalesce(json_agg(p.proname::text), '[]') FROM pg_catalog.pg_proc p WHERE p.pronamespace = n.oid),
                 'misprivileged', ${misprivilegedSql(names)},
                 'monitoringHasUsage', coalesce((SELECT pg_catalog.has_schema_privilege(r.oid, n.oid, 'USAGE')
                                                   FROM pg_catalog.pg_roles r WHERE r.rolname = ${quoteLiteral(names.monitoring)}), false),
                 'hasInventory', pg_catalog.to_regclass(${quoteLiteral(`${quoteIdent(names.schema)}.posemo_install`)}) IS NOT NULL)
          FROM pg_catalog.pg_namespace n WHERE n.nspname = ${schema}) AS schema,
       (SELECT pg_catalog.has_database_privilege(r.oid, current_database(), 'CONNECT')
          FROM pg_catalog.pg_roles r WHERE r.rolname = ${quoteLiteral(names.monitoring)}) AS monitoring_can_connect`;
}

async function readRecorded(session: Session, names: InstallNames): Promise<Recorded> {
  const schema = quoteIdent(names.schema);
  const [settings, checks] = await Promise.all([
    session.query(`SELECT key, value FROM ${schema}.posemo_install`),
    session.query(`SELECT name, hash, signature FROM ${schema}.posemo_checks ORDER BY name`),
  ]).catch((error: unknown) => {
    const why = String((error as Error)?.message ?? error).split("\n")[0];
    throw new UserError(`Cannot read posemo's inventory in schema "${names.schema}": ${why} (a table of that name that posemo did not create?)`, 1);
  });
  return {
    settings: Object.fromEntries(settings.map((r) => [r.key as string, r.value as string])),
    checks: checks.map((r) => ({ name: r.name as string, hash: r.hash as string, signature: r.signature as string })),
  };
}

function schemaFacts(row: SchemaFacts): SchemaFacts {
  return { owner: row.owner, creators: row.creators, functions: row.functions, misprivileged: row.misprivileged, monitoringHasUsage: row.monitoringHasUsage };
}

/** Reads the state of the database the session is connected to. */
export async function inspectInstallation(session: Session, names: InstallNames): Promise<InstallState> {
  const [row] = await session.query(factsSql(names));
  const schemaRow = row!.schema as (SchemaFacts & { hasInventory: boolean }) | null;
  // In a schema others can create in, an "inventory" may be anyone's: refuse (plan does) before reading it.
  const trusted = schemaRow !== null && schemaRow.creators.length === 0;
  const recorded = trusted && schemaRow.hasInventory ? await readRecorded(session, names) : undefined;
  return {
    major: Math.floor((row!.version_num as number) / 10000),
    isSuperuser: row!.is_superuser === true,
    database: row!.database as string,
    roles: row!.roles as Record<string, RoleFacts>,
    ...(schemaRow ? { schema: schemaFacts(schemaRow) } : {}),
    ...(recorded ? { recorded } : {}),
    monitoringCanConnect: row!.monitoring_can_connect === true,
  };
}
