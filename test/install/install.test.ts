/**
 * `posemo install` against a real PostgreSQL, through the real CLI: what it creates, re-install,
 * upgrade in place, privileges repaired, uninstall (catalog identical to before), a dedicated
 * database, two home databases in one cluster.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { POSEMO_VERSION } from "../../src/version.ts";
import { catalogSnapshot } from "../harness/catalog-snapshot.ts";
import { type CheckDefinition, variantFor } from "../../src/catalogue/definition.ts";
import type { CliOutcome } from "../harness/cli.ts";
import type { Cluster } from "../../dev/cluster.ts";
import * as fixture from "./install-fixture.ts";

let cluster: Cluster;
let installable: CheckDefinition[];

beforeAll(async () => {
  ({ cluster, installable } = await fixture.startInstallCluster());
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

const install = (...args: string[]): Promise<CliOutcome> => fixture.install(cluster, ...args);
const functionsIn = (db: string, schema?: string) => fixture.functionsIn(cluster, db, schema);
const expectInstalled = fixture.expectInstalled;

describe("install into an existing database, then uninstall", () => {
  let before: Record<string, unknown>;

  test("creates roles, schema and one locked-down SECURITY DEFINER function per check", async () => {
    before = await catalogSnapshot(cluster, ["app"]);
    const out = await install("--database", "app");
    await expectInstalled(out);
    expect(out.stdout).toContain(
      `posemo ${POSEMO_VERSION} installed in database "app" schema "posemo" (PostgreSQL ${cluster.major}): ${installable.length} installed`,
    );

    const functions = await functionsIn("app");
    expect(functions.map((f) => f.proname).sort()).toEqual(
      ["posemo_inventory", ...installable.map((c) => c.name)].sort(),
    );
    for (const f of functions) {
      expect({ name: f.proname, secdef: f.prosecdef, config: f.proconfig, owner: f.owner }).toEqual({
        name: f.proname,
        secdef: true,
        config: ["search_path=pg_catalog, pg_temp"],
        owner: "posemo_admin",
      });
      const acl = [...(f.acl as { grantee: string; privilege: string }[])].sort((a, b) =>
        a.grantee.localeCompare(b.grantee)
      );
      expect({ name: f.proname, acl }).toEqual({
        name: f.proname,
        acl: [{ grantee: "posemo", privilege: "EXECUTE" }, { grantee: "posemo_admin", privilege: "EXECUTE" }],
      });
    }
  }, 60_000);

  test("the roles: a NOLOGIN owner in pg_monitor, a LOGIN monitoring role with no powers and, from 16, only pg_use_reserved_connections (without SET)", async () => {
    const roles = await cluster.exec(`
      SELECT r.rolname, r.rolcanlogin, r.rolsuper, r.rolinherit, r.rolcreatedb, r.rolcreaterole, r.rolreplication, r.rolbypassrls,
             ARRAY(SELECT g.rolname::text FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1) AS member_of
        FROM pg_catalog.pg_roles r WHERE r.rolname IN ('posemo', 'posemo_admin') ORDER BY 1`);
    expect(roles.map((r) => ({ ...r }))).toEqual([
      {
        rolname: "posemo",
        rolcanlogin: true,
        rolsuper: false,
        rolinherit: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolreplication: false,
        rolbypassrls: false,
        member_of: cluster.major >= 16 ? ["pg_use_reserved_connections"] : [],
      },
      {
        rolname: "posemo_admin",
        rolcanlogin: false,
        rolsuper: false,
        rolinherit: true,
        rolcreatedb: false,
        rolcreaterole: false,
        rolreplication: false,
        rolbypassrls: false,
        member_of: ["pg_monitor"],
      },
    ]);
    if (cluster.major >= 16) {
      const [grant] = await cluster.exec(`SELECT m.inherit_option, m.set_option FROM pg_catalog.pg_auth_members m
        WHERE m.member = 'posemo'::regrole AND m.roleid = 'pg_use_reserved_connections'::regrole`);
      expect({ ...grant }).toEqual({ inherit_option: true, set_option: false });
    }
  });

  test("the schema and inventory tables belong to the owner; PUBLIC and the monitoring role get no table rights", async () => {
    const [schema] = await cluster.exec(
      `SELECT pg_catalog.pg_get_userbyid(nspowner) AS owner, nspacl::text AS acl FROM pg_catalog.pg_namespace WHERE nspname = 'posemo'`,
      "app",
    );
    expect(schema!.owner).toBe("posemo_admin");
    expect(schema!.acl).toBe("{posemo_admin=UC/posemo_admin,posemo=U/posemo_admin}");
    const tables = await cluster.exec(
      `SELECT relname, pg_catalog.pg_get_userbyid(relowner) AS owner, relacl::text AS acl FROM pg_catalog.pg_class
      WHERE relnamespace = 'posemo'::regnamespace AND relkind = 'r' ORDER BY 1`,
      "app",
    );
    for (const t of tables) {
      expect(t.owner).toBe("posemo_admin");
      expect(t.acl ?? "{posemo_admin=arwdDxt/posemo_admin}").not.toMatch(/(^|[{,])(=|posemo=)/);
    }
  });

  test("re-install changes nothing and says it is up to date", async () => {
    const snapshot = await catalogSnapshot(cluster, ["app"]);
    const out = await install("--database", "app");
    await expectInstalled(out);
    expect(out.stdout).toContain(`posemo ${POSEMO_VERSION} is installed and up to date in database "app"`);
    expect(await catalogSnapshot(cluster, ["app"])).toEqual(snapshot);
  }, 30_000);

  test("--dry-run on an up-to-date install prints that there is nothing to do", async () => {
    const out = await install("--database", "app", "--dry-run");
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain("-- nothing to do");
  });

  test(
    "upgrade in place: a changed return type is replaced, a retired check dropped, the version recorded",
    async () => {
      const target = installable[0]!;
      const args = target.arguments.map((a) => a.type).join(", ");
      await cluster.exec(
        `
      DROP FUNCTION posemo.${target.name}(${args});
      CREATE FUNCTION posemo.${target.name}(${args}) RETURNS integer LANGUAGE sql AS 'SELECT 1';
      ALTER FUNCTION posemo.${target.name}(${args}) OWNER TO posemo_admin;
      UPDATE posemo.posemo_checks SET hash = 'an-older-hash' WHERE name = '${target.name}';
      CREATE FUNCTION posemo.retired_check() RETURNS TABLE (v integer) LANGUAGE sql AS 'SELECT 1';
      ALTER FUNCTION posemo.retired_check() OWNER TO posemo_admin;
      INSERT INTO posemo.posemo_checks VALUES ('retired_check', 'whatever', '()');
      UPDATE posemo.posemo_install SET value = '0.0.1' WHERE key = 'posemo_version';`,
        "app",
      );
      const out = await install("--database", "app");
      await expectInstalled(out);
      expect(out.stdout).toContain(`1 installed, ${installable.length - 1} unchanged, 1 removed`);
      const functions = await functionsIn("app");
      expect(functions.map((f) => f.proname)).not.toContain("retired_check");
      expect(functions.find((f) => f.proname === target.name)!.result).toStartWith("TABLE(");
      const recorded = await cluster.exec(
        `SELECT (SELECT value FROM posemo.posemo_install WHERE key = 'posemo_version') AS version,
      (SELECT count(*)::int FROM posemo.posemo_checks WHERE name = 'retired_check') AS retired,
      (SELECT hash FROM posemo.posemo_checks WHERE name = '${target.name}') AS hash`,
        "app",
      );
      expect({ ...recorded[0] }).toEqual({
        version: POSEMO_VERSION,
        retired: 0,
        hash: variantFor(target, cluster.major)!.hash,
      });
      expect((await install("--database", "app")).stdout).toContain("is installed and up to date");
    },
    30_000,
  );

  test("privileges revoked by hand are granted again by install", async () => {
    const target = installable[0]!;
    const fn = `posemo.${target.name}(${target.arguments.map((a) => a.type).join(", ")})`;
    await cluster.exec(
      `REVOKE EXECUTE ON FUNCTION ${fn} FROM posemo; REVOKE USAGE ON SCHEMA posemo FROM posemo;
      GRANT EXECUTE ON FUNCTION posemo.posemo_inventory() TO PUBLIC;`,
      "app",
    );
    const out = await install("--database", "app");
    await expectInstalled(out);
    const [row] = await cluster.exec(
      `SELECT pg_catalog.has_function_privilege('posemo', '${fn}', 'EXECUTE') AS execute,
      pg_catalog.has_schema_privilege('posemo', 'posemo', 'USAGE') AS usage,
      (SELECT proacl::text FROM pg_catalog.pg_proc WHERE proname = 'posemo_inventory') AS inventory_acl`,
      "app",
    );
    expect({ ...row }).toEqual({
      execute: true,
      usage: true,
      inventory_acl: "{posemo_admin=X/posemo_admin,posemo=X/posemo_admin}",
    });
  }, 30_000);

  test("--uninstall --drop-roles leaves the catalog identical to before the first install", async () => {
    const out = await install("--database", "app", "--uninstall", "--drop-roles");
    await expectInstalled(out);
    expect(out.stdout).toContain(`posemo uninstalled from database "app"`);
    expect(await catalogSnapshot(cluster, ["app"])).toEqual(before);
  }, 30_000);

  test("an uninstall that cannot drop a role says what is in the way and changes nothing", async () => {
    await expectInstalled(await install("--database", "app"));
    await cluster.exec("GRANT SELECT ON public.customers TO posemo", "app");
    try {
      const snapshot = await catalogSnapshot(cluster, ["app"]);
      const out = await install("--database", "app", "--uninstall", "--drop-roles");
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toBe(
        'posemo: Cannot uninstall posemo from database "app": role "posemo" cannot be dropped because some objects depend on it (privileges for table public.customers); nothing was changed in that database (rolled back)\n',
      );
      // One transaction per database: the other databases were uninstalled before, the home one is untouched.
      expect((await catalogSnapshot(cluster, ["app"])).app).toEqual(snapshot.app);
    } finally {
      await cluster.exec("REVOKE SELECT ON public.customers FROM posemo", "app");
      await expectInstalled(await install("--database", "app", "--uninstall", "--drop-roles"));
    }
  }, 30_000);

  test("--uninstall when nothing is installed fails saying so", async () => {
    const out = await install("--database", "app", "--uninstall");
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toBe(
      'posemo: Cannot uninstall: posemo is not installed in database "app" schema "posemo" (no inventory found)\n',
    );
  });
});

describe("a dedicated database", () => {
  test(
    "--create-database creates it with PUBLIC shut out; uninstall drops it and the catalog is as before",
    async () => {
      const before = await catalogSnapshot(cluster, ["postgres"]);
      const out = await install("--database", "monitoring", "--create-database");
      await expectInstalled(out);
      const [db] = await cluster.exec(
        `SELECT datacl::text AS acl,
      (SELECT nspacl::text FROM pg_catalog.pg_namespace WHERE nspname = 'public') AS public_acl FROM pg_catalog.pg_database WHERE datname = 'monitoring'`,
        "monitoring",
      );
      expect(db!.acl).not.toMatch(/(^|[{,])=/);
      expect(db!.acl).toContain("posemo=c/");
      // PUBLIC keeps USAGE on public (an extension a check reads lives there) but never CREATE.
      expect(db!.public_acl ?? "").not.toMatch(/(^|[{,])=[A-Za-z]*C/);
      const removed = await install("--database", "monitoring", "--uninstall", "--drop-roles");
      await expectInstalled(removed);
      expect(removed.stdout).toContain('dropped database "monitoring" (created by posemo install)');
      expect(await catalogSnapshot(cluster, ["postgres"])).toEqual(before);
    },
    60_000,
  );

  test("a missing database without --create-database is an error suggesting it", async () => {
    const out = await install("--database", "does_not_exist");
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain("(pass --create-database to create it)");
  });
});

describe("two home databases in one cluster", () => {
  test("installing or uninstalling one leaves the other's install intact", async () => {
    await cluster.exec("CREATE DATABASE second_home");
    try {
      await expectInstalled(await install("--database", "app"));
      const appFunctions = (await functionsIn("app")).map((f) => f.proname);
      await expectInstalled(await install("--database", "second_home"));
      expect((await functionsIn("app")).map((f) => f.proname)).toEqual(appFunctions);
      await expectInstalled(await install("--database", "second_home", "--uninstall"));
      expect((await functionsIn("app")).map((f) => f.proname)).toEqual(appFunctions);
      expect((await install("--database", "app")).stdout).toContain("is installed and up to date");
    } finally {
      await install("--database", "second_home", "--uninstall");
      await install("--database", "app", "--uninstall", "--drop-roles");
      await cluster.exec("DROP DATABASE second_home");
    }
  }, 60_000);
});
