/**
 * Reads the installer's facts from the target database (as the installing superuser): one round
 * trip for roles, schema, event triggers and version, one more for the inventory when a previous
 * install left one that posemo can trust. Every function and operator is schema-qualified, so the
 * SQL means the same whatever a tenant planted, even if the session's pinned search_path were lost;
 * only catalog columns (built-in types) meet an operator, so no tenant type can bring its own.
 * @module
 */
import { UserError } from "../errors.ts";
import type { Session } from "../db/session.ts";
import type { InstallNames } from "./quote.ts";
import { quoteIdent, quoteLiteral } from "../db/quote.ts";
import type { InstallState, Recorded, RoleFacts, SchemaFacts } from "./state.ts";

const EQ = "OPERATOR(pg_catalog.=)";
const NE = "OPERATOR(pg_catalog.<>)";

/** SQL true when role `oid` is a superuser. */
function isSuperuserSql(oid: string): string {
  return `coalesce((SELECT s.rolsuper FROM pg_catalog.pg_roles AS s WHERE s.oid ${EQ} ${oid}), false)`;
}

/** SQL true when `oid` is the owner role or a superuser: the only owners whose objects posemo reads or runs. */
function trustedOwnerSql(oid: string, names: InstallNames): string {
  return `(${isSuperuserSql(oid)} OR pg_catalog.pg_get_userbyid(${oid}) ${EQ} ${quoteLiteral(names.owner)})`;
}

/** Names of the schema's functions whose privileges are not exactly owner + EXECUTE for the monitoring role. */
function misprivilegedSql(names: InstallNames): string {
  const acl = "pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner)))";
  return `(SELECT coalesce(pg_catalog.json_agg(p.proname::text), '[]') FROM pg_catalog.pg_proc AS p
                  WHERE p.pronamespace ${EQ} n.oid
                    AND NOT (pg_catalog.pg_get_userbyid(p.proowner) ${EQ} ${quoteLiteral(names.owner)}
                             AND NOT EXISTS (SELECT 1 FROM ${acl} AS a WHERE a.grantee ${EQ} 0)
                             AND EXISTS (SELECT 1 FROM ${acl} AS a JOIN pg_catalog.pg_roles AS m ON m.oid ${EQ} a.grantee
                                          WHERE m.rolname ${EQ} ${
    quoteLiteral(names.monitoring)
  } AND a.privilege_type ${EQ} 'EXECUTE')))`;
}

/** Objects in the schema (relations, functions, types, operators) owned by anyone but the owner role or a superuser. */
function foreignObjectsSql(names: InstallNames): string {
  const part = (kind: string, catalog: string, name: string, owner: string, ns: string) =>
    `SELECT ${
      quoteLiteral(kind)
    } AS kind, x.${name}::text AS name, pg_catalog.pg_get_userbyid(x.${owner})::text AS owner
       FROM pg_catalog.${catalog} AS x WHERE x.${ns} ${EQ} n.oid AND NOT ${trustedOwnerSql(`x.${owner}`, names)}`;
  const union = [
    part("relation", "pg_class", "relname", "relowner", "relnamespace"),
    part("function", "pg_proc", "proname", "proowner", "pronamespace"),
    part("type", "pg_type", "typname", "typowner", "typnamespace"),
    part("operator", "pg_operator", "oprname", "oprowner", "oprnamespace"),
  ].join("\n UNION ALL ");
  return `(SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('kind', f.kind, 'name', f.name, 'owner', f.owner)), '[]')
             FROM (${union}) AS f)`;
}

function rolesSql(names: InstallNames): string {
  const roleList = [names.owner, names.monitoring].map(quoteLiteral).join(", ");
  const attribute = (column: string, label: string) => `CASE WHEN r.${column} THEN ${quoteLiteral(label)} END`;
  return `(SELECT coalesce(pg_catalog.json_object_agg(r.rolname::text, pg_catalog.json_build_object(
                 'login', r.rolcanlogin, 'superuser', r.rolsuper,
                 'attributes', pg_catalog.to_json(pg_catalog.array_remove(ARRAY[${
    attribute("rolsuper", "SUPERUSER")
  }, ${attribute("rolcreaterole", "CREATEROLE")},
                   ${attribute("rolcreatedb", "CREATEDB")}, ${attribute("rolbypassrls", "BYPASSRLS")}, ${
    attribute("rolreplication", "REPLICATION")
  }]::text[], NULL)),
                 'inPgMonitor', pg_catalog.pg_has_role(r.oid, 'pg_monitor', 'USAGE'),
                 'usesReservedConnections', EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members AS am
                                                      JOIN pg_catalog.pg_roles AS g ON g.oid ${EQ} am.roleid
                                                     WHERE am.member ${EQ} r.oid AND g.rolname ${EQ} 'pg_use_reserved_connections'),
                 'memberOf', (SELECT coalesce(pg_catalog.json_agg(g.rolname::text ORDER BY g.rolname), '[]') FROM pg_catalog.pg_auth_members AS am
                               JOIN pg_catalog.pg_roles AS g ON g.oid ${EQ} am.roleid WHERE am.member ${EQ} r.oid),
                 'members', (SELECT coalesce(pg_catalog.json_agg(m.rolname::text ORDER BY m.rolname), '[]') FROM pg_catalog.pg_auth_members AS am
                               JOIN pg_catalog.pg_roles AS m ON m.oid ${EQ} am.member
                              WHERE am.roleid ${EQ} r.oid AND NOT m.rolsuper))), '{}')
          FROM pg_catalog.pg_roles AS r WHERE r.rolname ${EQ} ANY (ARRAY[${roleList}]::name[]))`;
}

function schemaSql(names: InstallNames): string {
  return `(SELECT pg_catalog.json_build_object(
                 'owner', pg_catalog.pg_get_userbyid(n.nspowner),
                 'ownerTrusted', ${trustedOwnerSql("n.nspowner", names)},
                 'creators', (SELECT coalesce(pg_catalog.json_agg(CASE WHEN a.grantee ${EQ} 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END), '[]')
                                FROM pg_catalog.aclexplode(coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))) AS a
                               WHERE a.privilege_type ${EQ} 'CREATE' AND a.grantee ${NE} n.nspowner
                                 AND (a.grantee ${EQ} 0 OR NOT ${isSuperuserSql("a.grantee")})),
                 'foreign', ${foreignObjectsSql(names)},
                 'functions', (SELECT coalesce(pg_catalog.json_agg(p.proname::text), '[]') FROM pg_catalog.pg_proc AS p WHERE p.pronamespace ${EQ} n.oid),
                 'misprivileged', ${misprivilegedSql(names)},
                 'monitoringHasUsage', coalesce((SELECT pg_catalog.has_schema_privilege(r.oid, n.oid, 'USAGE')
                                                   FROM pg_catalog.pg_roles AS r WHERE r.rolname ${EQ} ${
    quoteLiteral(names.monitoring)
  }), false),
                 'hasInventory', pg_catalog.to_regclass(${
    quoteLiteral(`${quoteIdent(names.schema)}.posemo_install`)
  }) IS NOT NULL)
          FROM pg_catalog.pg_namespace AS n WHERE n.nspname ${EQ} ${quoteLiteral(names.schema)})`;
}

/**
 * Enabled event triggers that would run code a non-superuser controls during the install's DDL:
 * the trigger's or its function's owner is no (longer a) superuser.
 */
function untrustedEventTriggersSql(): string {
  return `(SELECT coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('name', e.evtname::text, 'function', p.oid::regprocedure::text,
                   'owner', pg_catalog.pg_get_userbyid(CASE WHEN ${
    isSuperuserSql("e.evtowner")
  } THEN p.proowner ELSE e.evtowner END)) ORDER BY e.evtname), '[]')
             FROM pg_catalog.pg_event_trigger AS e JOIN pg_catalog.pg_proc AS p ON p.oid ${EQ} e.evtfoid
            WHERE e.evtenabled ${NE} 'D' AND NOT (${isSuperuserSql("e.evtowner")} AND ${
    isSuperuserSql("p.proowner")
  }))`;
}

function factsSql(names: InstallNames): string {
  return `
SELECT pg_catalog.current_setting('server_version_num')::integer AS version_num,
       pg_catalog.current_database() AS database,
       ${
    isSuperuserSql("(SELECT u.oid FROM pg_catalog.pg_roles AS u WHERE u.rolname OPERATOR(pg_catalog.=) CURRENT_USER)")
  }
         AND CURRENT_USER OPERATOR(pg_catalog.=) SESSION_USER AS is_superuser,
       ${rolesSql(names)} AS roles,
       ${schemaSql(names)} AS schema,
       ${untrustedEventTriggersSql()} AS event_triggers,
       (SELECT pg_catalog.has_database_privilege(r.oid, pg_catalog.current_database(), 'CONNECT')
          FROM pg_catalog.pg_roles AS r WHERE r.rolname ${EQ} ${
    quoteLiteral(names.monitoring)
  }) AS monitoring_can_connect`;
}

async function readRecorded(session: Session, names: InstallNames): Promise<Recorded> {
  const schema = quoteIdent(names.schema);
  const [settings, checks] = await Promise.all([
    session.query(`SELECT i.key, i.value FROM ${schema}.posemo_install AS i`),
    session.query(
      `SELECT c.name, c.hash, c.signature FROM ${schema}.posemo_checks AS c ORDER BY c.name COLLATE pg_catalog."C"`,
    ),
  ]).catch((error: unknown) => {
    const why = String((error as Error)?.message ?? error).split("\n")[0];
    throw new UserError(
      `Cannot read posemo's inventory in schema "${names.schema}": ${why} (a table of that name that posemo did not create?)`,
      "failed",
    );
  });
  return {
    settings: Object.fromEntries(settings.map((r) => [r.key as string, r.value as string])),
    checks: checks.map((r) => ({ name: r.name as string, hash: r.hash as string, signature: r.signature as string })),
  };
}

type SchemaRow = SchemaFacts & { hasInventory: boolean };

function schemaFacts(row: SchemaRow): SchemaFacts {
  const { hasInventory: _, ...facts } = row;
  return facts;
}

/** Whether posemo may read the schema's inventory: nobody but the owner role or a superuser could have put it there. */
function trustworthy(schema: SchemaRow | null): schema is SchemaRow {
  return schema !== null && schema.ownerTrusted && schema.creators.length === 0 && schema.foreign.length === 0;
}

/** Reads the state of the database the session is connected to. */
export async function inspectInstallation(session: Session, names: InstallNames): Promise<InstallState> {
  const [row] = await session.query(factsSql(names));
  const schemaRow = row!.schema as SchemaRow | null;
  // An "inventory" in a schema someone else controls may be anyone's code: refuse (plan does) before reading it.
  const recorded = trustworthy(schemaRow) && schemaRow.hasInventory ? await readRecorded(session, names) : undefined;
  return {
    major: Math.floor((row!.version_num as number) / 10000),
    isSuperuser: row!.is_superuser === true,
    database: row!.database as string,
    roles: row!.roles as Record<string, RoleFacts>,
    ...(schemaRow ? { schema: schemaFacts(schemaRow) } : {}),
    ...(recorded ? { recorded } : {}),
    untrustedEventTriggers: row!.event_triggers as InstallState["untrustedEventTriggers"],
    monitoringCanConnect: row!.monitoring_can_connect === true,
  };
}
