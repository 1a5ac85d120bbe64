/**
 * The hostile-tenant world the security tests share: a cluster where role `tenant` owns database
 * `tenantdb` and holds no other privilege, plus `mallory`, a role with no privilege at all (on
 * PostgreSQL 14 and older PUBLIC may still CREATE in `public`, so mallory can plant objects there).
 * Whatever a tenant plants bumps `public.hits` when it runs, and tries to make the tenant a
 * superuser when it runs as one: a test asserts both stayed untouched.
 * @module
 */
import { expect } from "bun:test";
import postgres from "postgres";
import { type CliOutcome, connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";

/** Starts a cluster with a fresh `tenant` owning `tenantdb` and a privilege-less `mallory`. */
export async function startTenantCluster(): Promise<Cluster> {
  const cluster = await startCluster({ settings: { log_min_messages: "'fatal'" } });
  await cluster.exec("CREATE ROLE tenant LOGIN; CREATE ROLE mallory LOGIN");
  return cluster;
}

/**
 * Creates database `name` owned by `tenant`, with the trap counter `public.hits` (owned by the
 * tenant). From template0: template1 carries posemo once installed, and a tenant starts from nothing.
 */
export async function tenantDatabase(cluster: Cluster, name: string): Promise<void> {
  await cluster.exec(`CREATE DATABASE ${name} OWNER tenant TEMPLATE template0`);
  await asRole(
    cluster,
    "tenant",
    name,
    "CREATE SEQUENCE public.hits; GRANT USAGE, UPDATE ON SEQUENCE public.hits TO PUBLIC",
  );
  if (cluster.major < 15) await cluster.exec("GRANT CREATE ON SCHEMA public TO PUBLIC", name); // the default before 15, kept explicit
}

/** Overrides whatever a test's `ALTER DATABASE ... SET` left for the sessions the test itself opens (strings: postgres.js drops a 0). */
const PLAIN_SESSION = {
  statement_timeout: "0",
  lock_timeout: "0",
  idle_in_transaction_session_timeout: "0",
  exit_on_error: "off",
  search_path: "pg_catalog",
  role: "none",
} as unknown as Record<string, never>;

/** Runs statements as `user` in `database`. */
export async function asRole(
  cluster: Cluster,
  user: string,
  database: string,
  statements: string,
): Promise<postgres.Row[]> {
  const sql = postgres({
    host: cluster.host,
    port: cluster.port,
    user,
    database,
    max: 1,
    onnotice: () => {},
    connection: PLAIN_SESSION,
  });
  try {
    return await sql.unsafe(statements);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * A plpgsql body that runs the payload: counts itself in `public.hits` and, when it runs as a
 * superuser, makes `tenant` one. `$$`-free so it can sit inside a `$$` body.
 */
export const PAYLOAD = `
  PERFORM pg_catalog.nextval('public.hits');
  IF (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user) THEN
    EXECUTE 'ALTER ROLE tenant SUPERUSER';
  END IF;`;

/** `CREATE FUNCTION name(args) RETURNS type` running the payload, then returning `result`. */
export function trapFunction(name: string, args: string, returns: string, result: string): string {
  return `CREATE FUNCTION ${name}(${args}) RETURNS ${returns} LANGUAGE plpgsql AS $trap$ BEGIN ${PAYLOAD} RETURN ${result}; END $trap$;`;
}

/** Asserts nothing the tenant planted ever ran, and the tenant is no superuser. */
export async function expectUntouched(cluster: Cluster, database: string): Promise<void> {
  const [hits] = await asRole(cluster, "postgres", database, "SELECT is_called FROM public.hits");
  const [tenant] = await asRole(
    cluster,
    "postgres",
    database,
    "SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'tenant'",
  );
  expect({ plantedCodeRan: hits!.is_called, tenantIsSuperuser: tenant!.rolsuper }).toEqual({
    plantedCodeRan: false,
    tenantIsSuperuser: false,
  });
}

/** `posemo install` as the superuser, home database `posemo` (created), the given extra flags. */
export function install(cluster: Cluster, ...args: string[]): Promise<CliOutcome> {
  return runCli([
    "install",
    ...connectionArgs(cluster, "postgres"),
    "--database",
    "posemo",
    "--create-database",
    ...args,
  ]);
}

/** The output has no stack trace and no line that is not one `posemo:` message. */
export function expectOneLineErrors(out: CliOutcome): void {
  expect(out.stderr).not.toMatch(/^\s+at /m);
  for (const line of out.stderr.split("\n").filter(Boolean)) expect(line).toStartWith("posemo: ");
}
