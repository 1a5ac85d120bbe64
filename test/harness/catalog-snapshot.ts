/**
 * A name-based snapshot of what a PostgreSQL cluster and one database hold (roles, memberships,
 * schemas, functions, relations, database ACLs, dependencies on roles), for "install then uninstall
 * leaves the catalog as it was" tests. OIDs are left out: a re-created object gets a new one.
 * @module
 */
import type { Cluster } from "../../dev/cluster.ts";

const CLUSTER_SQL = `SELECT json_build_object(
  'roles', (SELECT json_agg(json_build_object('name', rolname, 'super', rolsuper, 'inherit', rolinherit, 'createrole', rolcreaterole,
              'createdb', rolcreatedb, 'login', rolcanlogin, 'replication', rolreplication, 'bypassrls', rolbypassrls,
              'connlimit', rolconnlimit, 'password', rolpassword IS NOT NULL, 'validuntil', rolvaliduntil) ORDER BY rolname) FROM pg_catalog.pg_authid),
  'members', (SELECT json_agg(json_build_object('role', roleid::regrole::text, 'member', member::regrole::text, 'admin', admin_option)
              ORDER BY roleid::regrole::text, member::regrole::text) FROM pg_catalog.pg_auth_members),
  'databases', (SELECT json_agg(json_build_object('name', datname, 'owner', datdba::regrole::text, 'connlimit', datconnlimit,
              -- datacl NULL means the default ACL; GRANT then REVOKE leaves it spelled out, which is the same ACL.
              'acl', coalesce(datacl, pg_catalog.acldefault('d', datdba))::text) ORDER BY datname) FROM pg_catalog.pg_database),
  'role_settings', (SELECT coalesce(json_agg(json_build_object('role', setrole, 'db', setdatabase, 'config', setconfig) ORDER BY setrole, setdatabase), '[]') FROM pg_catalog.pg_db_role_setting),
  'shared_dependencies', (SELECT coalesce(json_agg(d ORDER BY d::text), '[]') FROM (
              SELECT classid::regclass::text AS class, refclassid::regclass::text AS refclass, deptype, count(*) AS n
                FROM pg_catalog.pg_shdepend GROUP BY 1, 2, 3) d)
) AS snapshot`;

const DATABASE_SQL = `SELECT json_build_object(
  'schemas', (SELECT json_agg(json_build_object('name', nspname, 'owner', nspowner::regrole::text, 'acl', nspacl::text) ORDER BY nspname)
              FROM pg_catalog.pg_namespace WHERE nspname !~ '^pg_(toast_)?temp_'),
  'functions', (SELECT json_agg(json_build_object('f', pronamespace::regnamespace::text || '.' || proname || '(' || pg_catalog.pg_get_function_identity_arguments(oid) || ')',
              'owner', proowner::regrole::text, 'acl', proacl::text, 'secdef', prosecdef, 'config', proconfig) ORDER BY 1)
              FROM pg_catalog.pg_proc),
  'relations', (SELECT json_agg(json_build_object('r', relnamespace::regnamespace::text || '.' || relname, 'kind', relkind,
              -- As for databases: a GRANT then REVOKE spells the default ACL out, which is the same ACL.
              'owner', relowner::regrole::text, 'acl', coalesce(relacl, pg_catalog.acldefault(CASE WHEN relkind = 'S' THEN 's' ELSE 'r' END::"char", relowner))::text) ORDER BY 1)
              FROM pg_catalog.pg_class WHERE relnamespace::regnamespace::text !~ '^pg_(toast|temp_|toast_temp_)'),
  'default_acls', (SELECT coalesce(json_agg(defaclacl::text ORDER BY defaclacl::text), '[]') FROM pg_catalog.pg_default_acl),
  'event_triggers', (SELECT coalesce(json_agg(evtname ORDER BY evtname), '[]') FROM pg_catalog.pg_event_trigger),
  'extensions', (SELECT json_agg(extname ORDER BY extname) FROM pg_catalog.pg_extension)
) AS snapshot`;

/** The cluster-wide catalog plus the given databases' catalogs. */
export async function catalogSnapshot(
  cluster: Cluster,
  databases: readonly string[] = ["postgres"],
): Promise<Record<string, unknown>> {
  const [shared] = await cluster.exec(CLUSTER_SQL);
  const result: Record<string, unknown> = { cluster: shared!.snapshot };
  for (const db of databases) {
    const [row] = await cluster.exec(DATABASE_SQL, db);
    result[db] = row!.snapshot;
  }
  return result;
}
