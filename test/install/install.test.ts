/**
 * `posemo install` against a real PostgreSQL, through the real CLI: what it creates, re-install,
 * upgrade in place, uninstall (catalog identical to before), dry runs, rollback, refusals, passwords.
 * The cluster trusts only `postgres` on the socket; every other role needs a SCRAM password.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { variantFor, type CheckDefinition } from "../../src/catalogue/definition.ts";
import { POSEMO_VERSION } from "../../src/version.ts";
import { catalogSnapshot } from "../harness/catalog-snapshot.ts";
import { connectionArgs, runCli, type CliOutcome } from "../harness/cli.ts";
import { startCluster, type Cluster } from "../harness/cluster.ts";

let cluster: Cluster;
let installable: CheckDefinition[];
const files = mkdtempSync(join(tmpdir(), "posemo-install-test-"));
const PASSWORD = "Pl4in-Text-Pa55word-never-logged";

beforeAll(async () => {
  cluster = await startCluster({
    hba: "local all postgres trust\nlocal all all scram-sha-256\n",
    settings: { log_statement: "'all'", log_min_messages: "'info'" },
  });
  installable = catalogue.filter((c) => variantFor(c, cluster.major));
  await cluster.exec("CREATE DATABASE app");
  await cluster.exec("CREATE TABLE public.customers (id int, secret text)", "app");
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(files, { recursive: true, force: true });
});

function install(...args: string[]): Promise<CliOutcome> {
  return runCli(["install", ...connectionArgs(cluster, "postgres"), ...args]);
}

function check(user: string, database: string, args: string[], env: Record<string, string> = {}): Promise<CliOutcome> {
  return runCli(["check", ...connectionArgs(cluster, user, database), ...args], env);
}

async function expectInstalled(out: CliOutcome): Promise<void> {
  expect(out.stderr).toBe("");
  expect(out.exitCode).toBe(0);
}

function passwordFile(text: string): string {
  const file = join(files, `pw-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

async function functionsIn(db: string, schema = "posemo") {
  return cluster.exec(`
    SELECT p.proname, p.prosecdef, p.proconfig, pg_catalog.pg_get_userbyid(p.proowner) AS owner,
           pg_catalog.pg_get_function_result(p.oid) AS result,
           (SELECT json_agg(json_build_object('grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                                              'privilege', a.privilege_type) ORDER BY 1)
              FROM pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a) AS acl
      FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = '${schema.replaceAll("'", "''")}' ORDER BY p.proname`, db);
}

describe("install into an existing database, then uninstall", () => {
  let before: Record<string, unknown>;

  test("creates roles, schema and one locked-down SECURITY DEFINER function per check", async () => {
    before = await catalogSnapshot(cluster, ["app"]);
    const out = await install("--database", "app");
    await expectInstalled(out);
    expect(out.stdout).toContain(`posemo ${POSEMO_VERSION} installed in database "app" schema "posemo" (PostgreSQL ${cluster.major}): ${installable.length} installed`);

    const functions = await functionsIn("app");
    expect(functions.map((f) => f.proname).sort()).toEqual(["posemo_inventory", ...installable.map((c) => c.name)].sort());
    for (const f of functions) {
      expect({ name: f.proname, secdef: f.prosecdef, config: f.proconfig, owner: f.owner }).toEqual({
        name: f.proname, secdef: true, config: ["search_path=pg_catalog, pg_temp"], owner: "posemo_admin",
      });
      const acl = [...(f.acl as { grantee: string; privilege: string }[])].sort((a, b) => a.grantee.localeCompare(b.grantee));
      expect({ name: f.proname, acl }).toEqual({
        name: f.proname,
        acl: [{ grantee: "posemo", privilege: "EXECUTE" }, { grantee: "posemo_admin", privilege: "EXECUTE" }],
      });
    }
  }, 60_000);

  test("the roles: a NOLOGIN owner in pg_monitor, a LOGIN monitoring role with no powers or memberships", async () => {
    const roles = await cluster.exec(`
      SELECT r.rolname, r.rolcanlogin, r.rolsuper, r.rolinherit, r.rolcreatedb, r.rolcreaterole, r.rolreplication, r.rolbypassrls,
             ARRAY(SELECT g.rolname::text FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1) AS member_of
        FROM pg_catalog.pg_roles r WHERE r.rolname IN ('posemo', 'posemo_admin') ORDER BY 1`);
    expect(roles.map((r) => ({ ...r }))).toEqual([
      { rolname: "posemo", rolcanlogin: true, rolsuper: false, rolinherit: false, rolcreatedb: false, rolcreaterole: false, rolreplication: false, rolbypassrls: false, member_of: [] },
      { rolname: "posemo_admin", rolcanlogin: false, rolsuper: false, rolinherit: true, rolcreatedb: false, rolcreaterole: false, rolreplication: false, rolbypassrls: false, member_of: ["pg_monitor"] },
    ]);
  });

  test("the schema and inventory tables belong to the owner; PUBLIC and the monitoring role get no table rights", async () => {
    const [schema] = await cluster.exec(`SELECT pg_catalog.pg_get_userbyid(nspowner) AS owner, nspacl::text AS acl FROM pg_catalog.pg_namespace WHERE nspname = 'posemo'`, "app");
    expect(schema!.owner).toBe("posemo_admin");
    expect(schema!.acl).toBe("{posemo_admin=UC/posemo_admin,posemo=U/posemo_admin}");
    const tables = await cluster.exec(`SELECT relname, pg_catalog.pg_get_userbyid(relowner) AS owner, relacl::text AS acl FROM pg_catalog.pg_class
      WHERE relnamespace = 'posemo'::regnamespace AND relkind = 'r' ORDER BY 1`, "app");
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

  test("upgrade in place: a changed return type is replaced, a retired check dropped, the version recorded", async () => {
    const target = installable[0]!;
    const args = target.arguments.map((a) => a.type).join(", ");
    await cluster.exec(`
      DROP FUNCTION posemo.${target.name}(${args});
      CREATE FUNCTION posemo.${target.name}(${args}) RETURNS integer LANGUAGE sql AS 'SELECT 1';
      ALTER FUNCTION posemo.${target.name}(${args}) OWNER TO posemo_admin;
      UPDATE posemo.posemo_checks SET hash = 'an-older-hash' WHERE name = '${target.name}';
      CREATE FUNCTION posemo.retired_check() RETURNS TABLE (v integer) LANGUAGE sql AS 'SELECT 1';
      ALTER FUNCTION posemo.retired_check() OWNER TO posemo_admin;
      INSERT INTO posemo.posemo_checks VALUES ('retired_check', 'whatever', '()');
      UPDATE posemo.posemo_install SET value = '0.0.1' WHERE key = 'posemo_version';`, "app");
    const out = await install("--database", "app");
    await expectInstalled(out);
    expect(out.stdout).toContain(`1 installed, ${installable.length - 1} unchanged, 1 removed`);
    const functions = await functionsIn("app");
    expect(functions.map((f) => f.proname)).not.toContain("retired_check");
    expect(functions.find((f) => f.proname === target.name)!.result).toStartWith("TABLE(");
    const recorded = await cluster.exec(`SELECT (SELECT value FROM posemo.posemo_install WHERE key = 'posemo_version') AS version,
      (SELECT count(*)::int FROM posemo.posemo_checks WHERE name = 'retired_check') AS retired,
      (SELECT hash FROM posemo.posemo_checks WHERE name = '${target.name}') AS hash`, "app");
    expect({ ...recorded[0] }).toEqual({ version: POSEMO_VERSION, retired: 0, hash: variantFor(target, cluster.major)!.hash });
    expect((await install("--database", "app")).stdout).toContain("is installed and up to date");
  }, 30_000);

  test("privileges revoked by hand are granted again by install", async () => {
    const target = installable[0]!;
    const fn = `posemo.${target.name}(${target.arguments.map((a) => a.type).join(", ")})`;
    await cluster.exec(`REVOKE EXECUTE ON FUNCTION ${fn} FROM posemo; REVOKE USAGE ON SCHEMA posemo FROM posemo;
      GRANT EXECUTE ON FUNCTION posemo.posemo_inventory() TO PUBLIC;`, "app");
    const out = await install("--database", "app");
    await expectInstalled(out);
    const [row] = await cluster.exec(`SELECT pg_catalog.has_function_privilege('posemo', '${fn}', 'EXECUTE') AS execute,
      pg_catalog.has_schema_privilege('posemo', 'posemo', 'USAGE') AS usage,
      (SELECT proacl::text FROM pg_catalog.pg_proc WHERE proname = 'posemo_inventory') AS inventory_acl`, "app");
    expect({ ...row }).toEqual({ execute: true, usage: true, inventory_acl: "{posemo_admin=X/posemo_admin,posemo=X/posemo_admin}" });
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
      expect(out.stderr).toBe('posemo: Cannot uninstall posemo from database "app": role "posemo" cannot be dropped because some objects depend on it (privileges for table customers); nothing was changed in that database (rolled back)\n');
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
    expect(out.stderr).toBe('posemo: Cannot uninstall: posemo is not installed in database "app" schema "posemo" (no inventory found)\n');
  });
});

describe("a dedicated database", () => {
  test("--create-database creates it with PUBLIC shut out; uninstall drops it and the catalog is as before", async () => {
    const before = await catalogSnapshot(cluster, ["postgres"]);
    const out = await install("--database", "monitoring", "--create-database");
    await expectInstalled(out);
    const [db] = await cluster.exec(`SELECT datacl::text AS acl,
      (SELECT nspacl::text FROM pg_catalog.pg_namespace WHERE nspname = 'public') AS public_acl FROM pg_catalog.pg_database WHERE datname = 'monitoring'`, "monitoring");
    expect(db!.acl).not.toMatch(/(^|[{,])=/);
    expect(db!.acl).toContain("posemo=c/");
    expect(db!.public_acl ?? "").not.toMatch(/(^|[{,])=/);
    const removed = await install("--database", "monitoring", "--uninstall", "--drop-roles");
    await expectInstalled(removed);
    expect(removed.stdout).toContain('dropped database "monitoring" (created by posemo install)');
    expect(await catalogSnapshot(cluster, ["postgres"])).toEqual(before);
  }, 60_000);

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

describe("--dry-run", () => {
  test("prints the SQL of a fresh install and changes nothing", async () => {
    const before = await catalogSnapshot(cluster, ["app"]);
    const out = await install("--database", "app", "--dry-run");
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain("BEGIN;");
    expect(out.stdout.trimEnd()).toEndWith("COMMIT;");
    for (const c of installable) expect(out.stdout).toContain(`CREATE FUNCTION "posemo"."${c.name}"(`);
    expect(await catalogSnapshot(cluster, ["app"])).toEqual(before);
  }, 30_000);

  test("--create-database --dry-run creates no database", async () => {
    const out = await install("--database", "never_created", "--create-database", "--dry-run");
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain('CREATE DATABASE "never_created";');
    expect(await cluster.exec("SELECT 1 FROM pg_catalog.pg_database WHERE datname = 'never_created'")).toHaveLength(0);
  }, 30_000);

  test.each([12, 18])("--server-version %p needs no server at all", async (major) => {
    const out = await runCli(["install", "-H", join(files, "no-server-here"), "-p", "1", "--dry-run", "--server-version", String(major)]);
    expect(out.stderr).toBe("");
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toStartWith(`-- posemo ${POSEMO_VERSION} install plan for PostgreSQL ${major} (offline`);
    for (const c of catalogue) {
      const expected = variantFor(c, major) !== undefined;
      expect({ check: c.name, planned: out.stdout.includes(`CREATE FUNCTION "posemo"."${c.name}"(`) }).toEqual({ check: c.name, planned: expected });
    }
  });

  test("--server-version outside 12 to 18 is refused naming it", async () => {
    const out = await runCli(["install", "--dry-run", "--server-version", "11"]);
    expect(out.exitCode).toBe(3);
    expect(out.stderr).toContain('Cannot use "11" as a server version: posemo supports PostgreSQL 12 to 18');
  });

  test("--server-version without --dry-run is refused", async () => {
    const out = await runCli(["install", "--server-version", "15"]);
    expect(out.exitCode).toBe(3);
    expect(out.stderr).toBe("posemo: Cannot use --server-version without --dry-run: a live install reads the version from the server\n");
  });

  test("the offline script is the exact SQL: psql runs it, and install then finds everything up to date", async () => {
    const psql = [join(cluster.bindir, "psql"), "psql"].find((p) => spawnSync(p, ["--version"]).status === 0);
    if (!psql) {
      console.log(`skipped: no psql next to the server binaries (${cluster.bindir}) nor on PATH`);
      return;
    }
    await cluster.exec("CREATE DATABASE scripted");
    const script = await runCli(["install", "--dry-run", "--server-version", String(cluster.major), "--database", "scripted"]);
    const run = spawnSync(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", cluster.host, "-p", String(cluster.port), "-U", "postgres", "-d", "scripted"], { input: script.stdout, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const again = await install("--database", "scripted");
    expect(again.stdout).toContain("is installed and up to date");
    expect((await install("--database", "scripted", "--uninstall", "--drop-roles")).exitCode).toBe(0);
    await cluster.exec("DROP DATABASE scripted");
  }, 60_000);
});

describe("--checks", () => {
  test("installs only the named checks", async () => {
    const first = installable[0]!.name;
    const out = await install("--database", "app", "--checks", first);
    await expectInstalled(out);
    expect((await functionsIn("app")).map((f) => f.proname).sort()).toEqual([first, "posemo_inventory"].sort());
    expect((await cluster.exec("SELECT name FROM posemo.posemo_checks", "app")).map((r) => r.name)).toEqual([first]);
    expect((await install("--database", "app", "--uninstall", "--drop-roles")).exitCode).toBe(0);
  }, 30_000);

  test("an unknown check is refused naming it, and nothing is created", async () => {
    const before = await catalogSnapshot(cluster, ["app"]);
    const out = await install("--database", "app", "--checks", "alive,no_such_check");
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toBe('posemo: Cannot install unknown check "no_such_check": see posemo check --list\n');
    expect(await catalogSnapshot(cluster, ["app"])).toEqual(before);
  }, 30_000);
});

describe("one transaction", () => {
  test("an error while creating a check rolls everything back and the message names the check", async () => {
    const victim = installable.at(-1)!.name;
    await cluster.exec(`
      CREATE FUNCTION public.refuse_posemo_function() RETURNS event_trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() WHERE object_identity LIKE 'posemo.${victim}(%') THEN
          RAISE EXCEPTION 'the test refuses to let ${victim} be created';
        END IF;
      END $$;
      CREATE EVENT TRIGGER refuse_posemo ON ddl_command_end WHEN TAG IN ('CREATE FUNCTION') EXECUTE FUNCTION public.refuse_posemo_function();`, "app");
    try {
      const before = await catalogSnapshot(cluster, ["app"]);
      const out = await install("--database", "app");
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toBe(`posemo: Cannot install check "${victim}" in database "app": the test refuses to let ${victim} be created; nothing was changed in that database (rolled back)\n`);
      expect(await catalogSnapshot(cluster, ["app"])).toEqual(before);
    } finally {
      await cluster.exec("DROP EVENT TRIGGER refuse_posemo; DROP FUNCTION public.refuse_posemo_function();", "app");
    }
  }, 30_000);
});

describe("refusals", () => {
  test("--schema public where PUBLIC may CREATE (the PostgreSQL 14 default) is refused, saying why", async () => {
    await cluster.exec("GRANT CREATE ON SCHEMA public TO PUBLIC", "app");
    try {
      const before = await catalogSnapshot(cluster, ["app"]);
      const out = await install("--database", "app", "--schema", "public");
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toBe('posemo: Cannot install into schema "public": "PUBLIC" can CREATE in it, and could plant objects the functions resolve (use a dedicated schema, e.g. the default "posemo")\n');
      expect(await catalogSnapshot(cluster, ["app"])).toEqual(before);
    } finally {
      await cluster.exec("REVOKE CREATE ON SCHEMA public FROM PUBLIC", "app");
    }
  }, 30_000);

  test("a table posemo did not create under its inventory's name is reported, not crashed on", async () => {
    await cluster.exec("CREATE SCHEMA planted; CREATE TABLE planted.posemo_install (x int)", "app");
    try {
      const out = await install("--database", "app", "--schema", "planted");
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toBe(`posemo: Cannot read posemo's inventory in schema "planted": column "key" does not exist (a table of that name that posemo did not create?)\n`);
    } finally {
      await cluster.exec("DROP SCHEMA planted CASCADE", "app");
    }
  });

  test("a superuser owner role is refused", async () => {
    await cluster.exec("CREATE ROLE too_mighty SUPERUSER NOLOGIN");
    try {
      const out = await install("--database", "app", "--owner-role", "too_mighty");
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toStartWith('posemo: Cannot use superuser "too_mighty" as the owner role');
    } finally {
      await cluster.exec("DROP ROLE too_mighty");
    }
  });

  test("installing as a role that is not a superuser is refused", async () => {
    // PostgreSQL 12 and 13 store md5 by default, which the scram-sha-256 hba line cannot use.
    await cluster.exec("SET password_encryption = 'scram-sha-256'; CREATE ROLE plain_user LOGIN PASSWORD 'plain-user-pw'");
    try {
      const out = await runCli(["install", ...connectionArgs(cluster, "plain_user"), "--database", "app"], { PGPASSWORD: "plain-user-pw" });
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toStartWith("posemo: Cannot install: the connecting role is not a superuser");
    } finally {
      await cluster.exec("DROP ROLE plain_user");
    }
  });
});

describe("--monitoring-password-file", () => {
  test("sets a SCRAM verifier; the role logs in with it via PGPASSWORD and .pgpass; the plain text is never logged or printed", async () => {
    const file = passwordFile(`${PASSWORD}\n`);
    const dry = await install("--database", "pwdb", "--create-database", "--monitoring-password-file", file, "--dry-run");
    const out = await install("--database", "pwdb", "--create-database", "--monitoring-password-file", file);
    await expectInstalled(out);
    const [stored] = await cluster.exec("SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = 'posemo'");
    expect(stored!.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
    expect(dry.stdout).toContain(`ALTER ROLE "posemo" PASSWORD '<SCRAM-SHA-256 verifier>';`);

    const viaEnv = await check("posemo", "pwdb", ["--check", "alive"], { PGPASSWORD: PASSWORD });
    expect(viaEnv.stdout).toStartWith("POSEMO OK - alive");
    expect(viaEnv.exitCode).toBe(0);

    const home = mkdtempSync(join(files, "home-"));
    writeFileSync(join(home, ".pgpass"), `${cluster.host.replaceAll(":", "\\:")}:${cluster.port}:pwdb:posemo:${PASSWORD}\n`);
    chmodSync(join(home, ".pgpass"), 0o600);
    const viaPgpass = await check("posemo", "pwdb", ["--check", "alive"], { HOME: home });
    expect(viaPgpass.stdout).toStartWith("POSEMO OK - alive");

    const wrong = await check("posemo", "pwdb", ["--check", "alive"], { PGPASSWORD: "wrong-password" });
    expect(wrong.exitCode).toBe(3);
    expect(wrong.stdout).toContain("password authentication failed");

    const removed = await install("--database", "pwdb", "--uninstall", "--drop-roles");
    expect(removed.exitCode).toBe(0);
    const everything = [dry, out, viaEnv, viaPgpass, wrong, removed].map((o) => o.stdout + o.stderr).join("\n") + readFileSync(cluster.logFile, "utf8");
    expect(readFileSync(cluster.logFile, "utf8")).toContain("PASSWORD 'SCRAM-SHA-256$");
    expect(everything).not.toContain(PASSWORD);
  }, 60_000);

  test("a password file with a short first line is refused without showing it", async () => {
    const out = await install("--database", "pwdb", "--monitoring-password-file", passwordFile("short\n"));
    expect(out.exitCode).toBe(3);
    expect(out.stderr).toContain("its first line must hold a password of at least 8 characters");
    expect(out.stderr).not.toContain("short\n");
  });
});

describe("names that need quoting", () => {
  test("schema, roles and database with quotes and spaces install, run and uninstall", async () => {
    const names = { schema: 'we"ird sch', owner: "own er", monitoring: 'Mon"itor', database: "data base" };
    const before = await catalogSnapshot(cluster, ["postgres"]);
    const flags = ["--schema", names.schema, "--owner-role", names.owner, "--monitoring-role", names.monitoring, "--database", names.database];
    const out = await install(...flags, "--create-database", "--monitoring-password-file", passwordFile(PASSWORD));
    await expectInstalled(out);
    const ran = await check(names.monitoring, names.database, ["--schema", names.schema, "--check", installable[0]!.name], { PGPASSWORD: PASSWORD });
    expect(ran.stdout).toStartWith(`POSEMO `);
    expect(ran.stdout).not.toStartWith("POSEMO UNKNOWN");
    expect((await install(...flags, "--uninstall", "--drop-roles")).exitCode).toBe(0);
    expect(await catalogSnapshot(cluster, ["postgres"])).toEqual(before);
  }, 60_000);
});
