/**
 * A hostile tenant cannot make `posemo install` run its code: not by planting functions, aggregates
 * or operators the installer's SQL could resolve (CVE-2018-1058), nor by per-database or per-role
 * settings that would steer the superuser's session (role, search_path, read-only transactions),
 * nor through an event trigger whose function a non-superuser controls. Each attack is tried on
 * install, `--dry-run`, an up-to-date re-run and `--uninstall`, all through the real CLI. On
 * PostgreSQL 14 and older the planter is `mallory`, who owns nothing (PUBLIC may CREATE in `public`);
 * on 15 and newer it is the database owner (who owns `public`).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { waitFor } from "../../dev/log-processes.ts";
import type { Cluster } from "../../dev/cluster.ts";
import {
  asRole,
  expectOneLineErrors,
  expectUntouched,
  install,
  startTenantCluster,
  tenantDatabase,
  trapFunction,
} from "./tenant-fixture.ts";

let cluster: Cluster;
let planter: string;

beforeAll(async () => {
  cluster = await startTenantCluster();
  planter = cluster.major < 15 ? "mallory" : "tenant";
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

/** Same-named functions and aggregates with exact argument types: each would beat the built-in. */
function plantedLookalikes(schema: string): string {
  const fn = (name: string, args: string, returns: string, result: string) =>
    trapFunction(`${schema}.${name}`, args, returns, result);
  return [
    fn("trap_state", "state text, v name", "text", "state"),
    fn("trap_state_text", "state text, v text", "text", "state"),
    fn("trap_state2", "state text, k name, v json", "text", "state"),
    fn("trap_final", "state text", "json", "'[]'::json"),
    `CREATE AGGREGATE ${schema}.json_agg(name) (sfunc = ${schema}.trap_state, stype = text, initcond = '', finalfunc = ${schema}.trap_final);`,
    `CREATE AGGREGATE ${schema}.json_agg(text) (sfunc = ${schema}.trap_state_text, stype = text, initcond = '', finalfunc = ${schema}.trap_final);`,
    `CREATE AGGREGATE ${schema}.json_object_agg(name, json) (sfunc = ${schema}.trap_state2, stype = text, initcond = '', finalfunc = ${schema}.trap_final);`,
    fn("current_database", "", "name", "'posemo'::name"),
    fn("current_setting", "text", "text", "'150000'"),
    fn("count", "", "bigint", "0"),
    fn("trap_eq", "a name, b text", "boolean", "true"),
    `CREATE OPERATOR ${schema}.= (leftarg = name, rightarg = text, function = ${schema}.trap_eq);`,
    fn("trap_regex", "a name, b text", "boolean", "false"),
    `CREATE OPERATOR ${schema}.!~ (leftarg = name, rightarg = text, function = ${schema}.trap_regex);`,
  ].join("\n");
}

/** Install, dry-run, an up-to-date re-run and uninstall: each must leave the tenant's database untouched. */
async function everyInstallerRun(database: string): Promise<void> {
  for (const args of [["--dry-run"], [], [], ["--uninstall"]]) {
    const out = await install(cluster, "--checks", "alive,sequences", ...args);
    expectOneLineErrors(out);
    expect({ args, exitCode: out.exitCode, stderr: out.stderr }).toEqual({ args, exitCode: 0, stderr: "" });
    await expectUntouched(cluster, database);
  }
}

describe("planted lookalikes are never resolved by the installer (CVE-2018-1058)", () => {
  test("functions, aggregates and operators in public", async () => {
    await tenantDatabase(cluster, "t_public");
    await asRole(cluster, planter, "t_public", plantedLookalikes("public"));
    await everyInstallerRun("t_public");
  }, 60_000);
});

describe("per-database and per-role settings do not steer the installer's session", () => {
  test("ALTER DATABASE ... SET role = the tenant", async () => {
    await tenantDatabase(cluster, "t_role");
    await asRole(cluster, "tenant", "t_role", "ALTER DATABASE t_role SET role = 'tenant'");
    await everyInstallerRun("t_role");
    const [schema] = await cluster.exec(
      "SELECT pg_catalog.pg_get_userbyid(nspowner) AS owner FROM pg_catalog.pg_namespace WHERE nspname = 'posemo'",
      "t_role",
    );
    expect(schema).toBeUndefined(); // uninstalled again, and never created as the tenant
  }, 60_000);

  test("ALTER DATABASE ... SET search_path to the tenant's schema, ahead of pg_catalog", async () => {
    await tenantDatabase(cluster, "t_path");
    await asRole(
      cluster,
      "tenant",
      "t_path",
      `CREATE SCHEMA evil; ${plantedLookalikes("evil")} ALTER DATABASE t_path SET search_path = evil, pg_catalog`,
    );
    await everyInstallerRun("t_path");
  }, 60_000);

  test("ALTER ROLE ALL IN DATABASE ... SET search_path (the database owner may)", async () => {
    await tenantDatabase(cluster, "t_allroles");
    await asRole(
      cluster,
      "tenant",
      "t_allroles",
      `CREATE SCHEMA evil; ${
        plantedLookalikes("evil")
      } ALTER ROLE ALL IN DATABASE t_allroles SET search_path = evil, pg_catalog`,
    );
    await everyInstallerRun("t_allroles");
  }, 60_000);

  test(
    "session defaults that would break or bend the install: read-only, timeouts, encoding, DateStyle, function bodies",
    async () => {
      await tenantDatabase(cluster, "t_settings");
      const settings = [
        "default_transaction_read_only = on",
        "default_transaction_isolation = 'serializable'",
        "statement_timeout = 1",
        "lock_timeout = 1",
        "idle_in_transaction_session_timeout = 1",
        "client_encoding = 'SQL_ASCII'",
        "DateStyle = 'German, DMY'",
        "check_function_bodies = off",
        "standard_conforming_strings = off",
        "transform_null_equals = on",
        "exit_on_error = on",
      ];
      await asRole(
        cluster,
        "tenant",
        "t_settings",
        settings.map((s) => `ALTER DATABASE t_settings SET ${s};`).join("\n"),
      );
      await everyInstallerRun("t_settings");
    },
    60_000,
  );
});

describe("event triggers a non-superuser controls are refused before any DDL", () => {
  test("a trigger whose function's owner lost superuser", async () => {
    await tenantDatabase(cluster, "t_evtrig");
    await cluster.exec("CREATE ROLE former SUPERUSER LOGIN");
    await asRole(
      cluster,
      "former",
      "t_evtrig",
      `CREATE SCHEMA audit; CREATE FUNCTION audit.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
      CREATE EVENT TRIGGER audit_ddl ON ddl_command_start EXECUTE PROCEDURE audit.log_ddl()`,
    );
    await cluster.exec("ALTER ROLE former NOSUPERUSER");
    await asRole(
      cluster,
      "former",
      "t_evtrig",
      `CREATE OR REPLACE FUNCTION audit.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN
      PERFORM pg_catalog.nextval('public.hits'); EXECUTE 'ALTER ROLE tenant SUPERUSER'; END $$`,
    );
    const out = await install(cluster, "--checks", "alive,sequences");
    expectOneLineErrors(out);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain('database "t_evtrig"');
    expect(out.stderr).toContain('event trigger "audit_ddl"');
    expect(out.stderr).toContain('"former"');
    expect(out.stdout).toContain('installed in database "posemo"'); // the other databases were still processed
    await expectUntouched(cluster, "t_evtrig");
    await cluster.exec("DROP EVENT TRIGGER audit_ddl", "t_evtrig");
  }, 60_000);
});

describe("what the trusted administrator set still applies", () => {
  test("an audit setting a superuser gave the database (log_statement) still logs the install's DDL", async () => {
    await tenantDatabase(cluster, "t_audited");
    await cluster.exec(
      "ALTER DATABASE t_audited SET log_statement = 'ddl'; ALTER DATABASE t_audited SET log_min_messages = 'log'",
    );
    const out = await install(cluster, "--checks", "alive,sequences");
    expect(out.stderr).toBe("");
    await cluster.exec("ALTER DATABASE t_audited RESET ALL");
    // The server's stderr reaches the log file through a pipe: wait for the line rather than race it.
    const logged = () =>
      existsSync(cluster.logFile) &&
      readFileSync(cluster.logFile, "utf8").includes('CREATE SCHEMA "posemo" AUTHORIZATION "posemo_admin"');
    expect(await waitFor(logged, 20_000, () => "the install's CREATE SCHEMA in the server log")).toBe(true);
  }, 60_000);
});
