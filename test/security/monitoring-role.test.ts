/**
 * The security model, tested as an attacker holding the monitoring role's login: it can call its
 * functions and nothing else. It cannot read data, catalogs with secrets or files, cannot create
 * objects in posemo's database or schema, cannot act as the owner, and cannot hijack a SECURITY
 * DEFINER function by planting functions, operators or tables its search_path could resolve
 * (original weakness S1). "app" is an ordinary database with PostgreSQL's defaults for PUBLIC (plus
 * CREATE on public, as on PostgreSQL 14 and older), where the planting itself succeeds: there the
 * test proves it has no effect.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { type CheckDefinition, variantFor } from "../../src/catalogue/definition.ts";
import { catalogSnapshot } from "../harness/catalog-snapshot.ts";
import { connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";

let cluster: Cluster;
let installable: CheckDefinition[];
const sessions: postgres.Sql[] = [];

beforeAll(async () => {
  cluster = await startCluster();
  installable = catalogue.filter((c) => variantFor(c, cluster.major));
  await cluster.exec("CREATE DATABASE app");
  await cluster.exec(
    "CREATE TABLE public.customers (id int, card text); INSERT INTO public.customers VALUES (1, '4111-1111')",
    "app",
  );
  for (const db of ["posemo", "app"]) {
    const out = await runCli([
      "install",
      ...connectionArgs(cluster, "postgres"),
      "--database",
      db,
      "--create-database",
    ]);
    if (out.exitCode !== 0) throw new Error(`posemo install into ${db} failed: ${out.stderr}`);
  }
  await cluster.exec(
    "CREATE TABLE public.secrets (s text); INSERT INTO public.secrets VALUES ('top secret')",
    "posemo",
  );
  // PostgreSQL 14 and older let PUBLIC create in `public`; simulate that default in the ordinary database.
  await cluster.exec("GRANT CREATE ON SCHEMA public TO PUBLIC", "app");
}, 60_000);

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.end({ timeout: 1 })));
  await cluster?.stop();
});

/** A session as the monitoring role (each test opens its own; pg_temp objects live as long as it). */
function asMonitoring(database: string): postgres.Sql {
  const sql = postgres({
    host: cluster.host,
    port: cluster.port,
    user: "posemo",
    database,
    max: 1,
    onnotice: () => {},
  });
  sessions.push(sql);
  return sql;
}

/** Asserts the statement fails with SQLSTATE 42501 (insufficient privilege). */
async function expectDenied(sql: postgres.Sql, statement: string): Promise<void> {
  const outcome = await sql.unsafe(statement).then(
    () => "succeeded",
    (e: { code?: string; message?: string }) => `${e.code}`,
  );
  expect({ statement, outcome }).toEqual({ statement, outcome: "42501" });
}

/** Every check ran; one that declares `needs` may fail for want of it on the bare test cluster, but never as hijacked. */
function expectAllRan(outcomes: Record<string, string>): void {
  for (const c of installable) {
    const outcome = outcomes[c.name]!;
    expect(outcome).not.toContain("hijacked");
    if (c.needs === undefined || outcome === "ran") {
      expect({ check: c.name, outcome }).toEqual({ check: c.name, outcome: "ran" });
    } else console.log(`note: ${c.name} did not run here; it needs ${c.needs}: ${outcome}`);
  }
}

async function callEveryCheck(sql: postgres.Sql): Promise<Record<string, string>> {
  const outcomes: Record<string, string> = {};
  for (const c of installable) {
    outcomes[c.name] = await sql.unsafe(`SELECT * FROM posemo.${c.name}()`).then(
      () => "ran",
      (e: Error) => `failed: ${e.message}`,
    );
  }
  return outcomes;
}

describe("the monitoring role cannot read what it should not", () => {
  test("user tables, in posemo's database and in an ordinary one", async () => {
    await expectDenied(asMonitoring("posemo"), "SELECT * FROM public.secrets");
    await expectDenied(asMonitoring("app"), "SELECT * FROM public.customers");
  });

  test("pg_authid and pg_shadow; pg_roles shows no password", async () => {
    const sql = asMonitoring("posemo");
    await expectDenied(sql, "SELECT rolpassword FROM pg_catalog.pg_authid");
    await expectDenied(sql, "SELECT passwd FROM pg_catalog.pg_shadow");
    const rows = await sql.unsafe("SELECT DISTINCT rolpassword FROM pg_catalog.pg_roles WHERE rolpassword IS NOT NULL");
    expect(rows.map((r) => r.rolpassword).every((p) => p === "********")).toBe(true);
  });

  test("other sessions' queries (it holds no pg_monitor itself)", async () => {
    const sql = asMonitoring("posemo");
    const rows = await sql.unsafe(
      "SELECT DISTINCT query FROM pg_catalog.pg_stat_activity WHERE usename = 'postgres' OR backend_type <> 'client backend'",
    );
    expect(rows.map((r) => r.query ?? "<insufficient privilege>").every((q) => q === "<insufficient privilege>")).toBe(
      true,
    );
    const [member] = await sql.unsafe("SELECT pg_catalog.pg_has_role('pg_monitor', 'USAGE') AS has");
    expect(member!.has).toBe(false);
  });

  test("files: pg_read_file, pg_ls_dir, pg_stat_file, lo_import, COPY FROM a file or a program, COPY TO a file", async () => {
    const posemo = asMonitoring("posemo");
    for (
      const statement of [
        "SELECT pg_catalog.pg_read_file('PG_VERSION')",
        "SELECT pg_catalog.pg_read_binary_file('PG_VERSION')",
        "SELECT pg_catalog.pg_ls_dir('.')",
        "SELECT pg_catalog.pg_stat_file('PG_VERSION')",
        "SELECT pg_catalog.lo_import('/etc/hostname')",
        "COPY (SELECT 1) TO '/tmp/posemo-copy-test'",
      ]
    ) await expectDenied(posemo, statement);
    const app = asMonitoring("app");
    await app.unsafe("CREATE TEMP TABLE loot (line text)");
    await expectDenied(app, "COPY loot FROM '/etc/hostname'");
    await expectDenied(app, "COPY loot FROM PROGRAM 'id'");
  });
});

describe("the monitoring role cannot create objects", () => {
  test("nothing in posemo's database: table, view, function, operator, type, temp table, schema", async () => {
    const sql = asMonitoring("posemo");
    for (
      const statement of [
        "CREATE TABLE public.t (i int)",
        "CREATE TABLE posemo.t (i int)",
        "CREATE VIEW posemo.v AS SELECT 1",
        "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE FUNCTION posemo.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE TYPE posemo.ty AS (i int)",
        "CREATE TEMP TABLE t (i int)",
        "CREATE FUNCTION pg_temp.now() RETURNS timestamptz LANGUAGE sql AS 'SELECT NULL::timestamptz'",
        "CREATE SCHEMA mine",
      ]
    ) await expectDenied(sql, statement);
  });

  test("nothing cluster-wide: database, role; and nothing in posemo's schema of an ordinary database", async () => {
    const sql = asMonitoring("app");
    for (
      const statement of [
        "CREATE DATABASE mine",
        "CREATE ROLE mine",
        "CREATE TABLE posemo.t (i int)",
        "CREATE FUNCTION posemo.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
      ]
    ) await expectDenied(sql, statement);
  });
});

describe("the monitoring role can call its functions and nothing else", () => {
  test("its functions run", async () => {
    expectAllRan(await callEveryCheck(asMonitoring("posemo")));
  });

  test("posemo's own tables are out of reach except through the functions", async () => {
    const sql = asMonitoring("posemo");
    await expectDenied(sql, "SELECT * FROM posemo.posemo_install");
    await expectDenied(sql, "SELECT * FROM posemo.posemo_checks");
    await expectDenied(sql, "UPDATE posemo.posemo_install SET value = 'x'");
    if (installable.some((c) => c.name === "writeable")) {
      await expectDenied(sql, "SELECT * FROM posemo.writeable_probe");
      await expectDenied(sql, "INSERT INTO posemo.writeable_probe DEFAULT VALUES");
      await expectDenied(sql, "DELETE FROM posemo.writeable_probe");
    } else console.log("skipped: writeable is not in the catalogue yet (its probe table)");
  });

  test("it cannot become or alter the owner, nor change its functions", async () => {
    const sql = asMonitoring("posemo");
    const fn = `posemo.${installable[0]!.name}(${installable[0]!.arguments.map((a) => a.type).join(", ")})`;
    for (
      const statement of [
        "SET ROLE posemo_admin",
        "SET SESSION AUTHORIZATION postgres",
        "ALTER ROLE posemo_admin LOGIN",
        "ALTER ROLE posemo SUPERUSER",
        "GRANT pg_monitor TO posemo",
        `ALTER FUNCTION ${fn} SECURITY INVOKER`,
        `ALTER FUNCTION ${fn} RESET search_path`,
        `CREATE OR REPLACE FUNCTION ${fn} RETURNS TABLE (x int) LANGUAGE sql AS 'SELECT 1'`,
      ]
    ) await expectDenied(sql, statement);
    // A GRANT by a role that holds no grant option only warns; what matters is that nothing changed.
    await sql.unsafe(`GRANT EXECUTE ON FUNCTION ${fn} TO PUBLIC`);
    const [acl] = await sql.unsafe(
      `SELECT pg_catalog.has_function_privilege('public', '${fn}', 'EXECUTE') AS public_may`,
    );
    expect(acl!.public_may).toBe(false);
  });

  test("administrative functions: terminate or cancel another role's session, reload, rotate logs", async () => {
    const victim = cluster.sql("posemo");
    const [{ pid }] = (await victim.unsafe("SELECT pg_catalog.pg_backend_pid() AS pid")) as unknown as [
      { pid: number },
    ];
    const sql = asMonitoring("posemo");
    await expectDenied(sql, `SELECT pg_catalog.pg_terminate_backend(${pid})`);
    await expectDenied(sql, `SELECT pg_catalog.pg_cancel_backend(${pid})`);
    await expectDenied(sql, "SELECT pg_catalog.pg_reload_conf()");
    await expectDenied(sql, "SELECT pg_catalog.pg_rotate_logfile()");
    expect((await victim.unsafe("SELECT 1 AS alive"))[0]!.alive).toBe(1);
    await victim.end();
  });
});

describe("search_path hijacking", () => {
  /** Names called in the installed function bodies (read from pg_proc like any user can). */
  async function calledNames(sql: postgres.Sql): Promise<string[]> {
    const rows = await sql.unsafe("SELECT prosrc FROM pg_catalog.pg_proc WHERE pronamespace = 'posemo'::regnamespace");
    const names = new Set<string>([
      "now",
      "current_setting",
      "pg_is_in_recovery",
      "clock_timestamp",
      "statement_timestamp",
      "coalesce",
      "sum",
      "count",
    ]);
    for (const r of rows) for (const m of String(r.prosrc).matchAll(/\b([a-z_][a-z0-9_]*)\s*\(/g)) names.add(m[1]!);
    return [...names];
  }

  /**
   * As the monitoring role, in `schema`, one function raising "hijacked" per pg_catalog overload of
   * each name (same argument and result types), and an operator raising it per pg_catalog binary
   * operator of the common symbols. Returns how many were created.
   */
  async function plant(sql: postgres.Sql, schema: string, names: readonly string[]): Promise<number> {
    await sql.unsafe(`
      DO $plant$
      DECLARE f record; made integer := 0; n integer := 0;
      BEGIN
        FOR f IN SELECT p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args, pg_catalog.pg_get_function_result(p.oid) AS result
                   FROM pg_catalog.pg_proc p
                  WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind = 'f' AND p.proname = ANY ('{${
      names.join(",")
    }}'::text[])
        LOOP
          BEGIN
            EXECUTE format('CREATE FUNCTION %I.%I(%s) RETURNS %s LANGUAGE plpgsql AS %L', '${schema}', f.proname, f.args, f.result,
                           format('BEGIN RAISE EXCEPTION ''hijacked: %s ran as %%'', current_user; END', f.proname));
            made := made + 1;
          EXCEPTION WHEN OTHERS THEN NULL;
          END;
        END LOOP;
        FOR f IN SELECT p.proname, pg_catalog.format_type(p.proargtypes[0], NULL) AS arg, pg_catalog.format_type(p.prorettype, NULL) AS result
                   FROM pg_catalog.pg_proc p
                  WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind = 'a' AND p.pronargs = 1
                    AND p.proname = ANY ('{${names.join(",")}}'::text[])
        LOOP
          n := n + 1;
          BEGIN
            EXECUTE format('CREATE FUNCTION %I.hijack_agg_%s(%s, %s) RETURNS %s LANGUAGE plpgsql AS %L', '${schema}', n, f.result, f.arg, f.result,
                           format('BEGIN RAISE EXCEPTION ''hijacked: aggregate %s ran as %%'', current_user; END', f.proname));
            EXECUTE format('CREATE AGGREGATE %I.%I(%s) (SFUNC = %I.hijack_agg_%s, STYPE = %s)', '${schema}', f.proname, f.arg, '${schema}', n, f.result);
            made := made + 1;
          EXCEPTION WHEN OTHERS THEN NULL;
          END;
        END LOOP;
        FOR f IN SELECT o.oprname, o.oprleft::regtype AS l, o.oprright::regtype AS r, o.oprresult::regtype AS res
                   FROM pg_catalog.pg_operator o
                  WHERE o.oprnamespace = 'pg_catalog'::regnamespace AND o.oprkind = 'b'
                    AND o.oprname IN ('/', '*', '-', '+', '<', '>', '<=', '>=', '=', '<>', '~', '!~', '||')
        LOOP
          n := n + 1;
          BEGIN
            EXECUTE format('CREATE FUNCTION %I.hijack_op_%s(%s, %s) RETURNS %s LANGUAGE plpgsql AS %L', '${schema}', n, f.l, f.r, f.res,
                           format('BEGIN RAISE EXCEPTION ''hijacked: operator %s ran as %%'', current_user; END', f.oprname));
            EXECUTE format('CREATE OPERATOR %I.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = %I.hijack_op_%s)', '${schema}', f.oprname, f.l, f.r, '${schema}', n);
            made := made + 1;
          EXCEPTION WHEN OTHERS THEN NULL;
          END;
        END LOOP;
        PERFORM pg_catalog.set_config('posemo_test.planted', made::text, false);
      END
      $plant$`);
    const [row] = await sql.unsafe("SELECT pg_catalog.current_setting('posemo_test.planted')::integer AS planted");
    return row!.planted as number;
  }

  test("in posemo's database every attempt to plant is refused", async () => {
    const sql = asMonitoring("posemo");
    expect(await plant(sql, "public", await calledNames(sql))).toBe(0);
    expect(await plant(sql, "pg_temp", ["now"])).toBe(0);
    await expectDenied(
      sql,
      "CREATE OPERATOR public./ (LEFTARG = bigint, RIGHTARG = real, FUNCTION = pg_catalog.float4div)",
    );
  });

  test(
    "in an ordinary database, functions, operators and tables planted in public and pg_temp are never used",
    async () => {
      const admin = cluster.sql("app");
      const probeRowsBefore = installable.some((c) => c.name === "writeable")
        ? Number((await admin.unsafe("SELECT count(*) AS n FROM posemo.writeable_probe"))[0]!.n)
        : undefined;
      const sql = asMonitoring("app");
      const names = await calledNames(sql);
      const planted = (await plant(sql, "public", names)) + (await plant(sql, "pg_temp", names));
      expect(planted).toBeGreaterThan(100);
      // Tables named like posemo's own and the catalog views: if a body resolved them unqualified, these would be used.
      for (
        const table of [
          "writeable_probe",
          "posemo_install",
          "posemo_checks",
          "pg_stat_activity",
          "pg_stat_database",
          "pg_database",
          "pg_settings",
        ]
      ) {
        await sql.unsafe(`CREATE TEMP TABLE ${table} (x int)`);
        await sql.unsafe(`CREATE TABLE IF NOT EXISTS public.${table} (x int)`);
      }
      const [resolved] = await sql.unsafe("SELECT 1::bigint / 2::real AS q, pg_catalog.pg_typeof(now()) AS t");
      expect(resolved).toBeDefined();

      expectAllRan(await callEveryCheck(sql));
      const [inventory] = await sql.unsafe("SELECT count(*)::integer AS n FROM posemo.posemo_inventory()");
      expect(inventory!.n).toBeGreaterThan(0);
      for (const table of ["writeable_probe", "posemo_install", "posemo_checks"]) {
        expect((await sql.unsafe(`SELECT count(*)::integer AS n FROM pg_temp.${table}`))[0]!.n).toBe(0);
        expect((await sql.unsafe(`SELECT count(*)::integer AS n FROM public.${table}`))[0]!.n).toBe(0);
      }
      if (probeRowsBefore !== undefined) {
        expect(Number((await admin.unsafe("SELECT count(*) AS n FROM posemo.writeable_probe"))[0]!.n)).toBe(
          probeRowsBefore + 1,
        );
      }
      await admin.end();
    },
    60_000,
  );

  test("posemo check still runs as designed after the planting: no check touched a planted object", async () => {
    const out = await runCli(["check", ...connectionArgs(cluster, "posemo", "app"), "--format", "json"]);
    const doc = (JSON.parse(out.stdout) as { hosts: { checks: { name: string; status: string; message: string }[] }[] })
      .hosts[0]!;
    expect(doc.checks.map((c) => c.name)).toEqual(installable.map((c) => c.name));
    for (const c of doc.checks) {
      expect(c.message).not.toContain("hijacked");
      if (installable.find((d) => d.name === c.name)!.needs !== undefined) continue;
      expect({ name: c.name, status: c.status }).toEqual({
        name: c.name,
        status: c.status === "unknown" ? "not unknown" : c.status,
      });
    }
  }, 30_000);
});

describe("S1: a schema where PUBLIC may CREATE", () => {
  test(
    "install refuses --schema public where PUBLIC has CREATE (the PostgreSQL 14 default), even with a planted inventory",
    async () => {
      // The monitoring role plants a fake inventory where install would look for one: it must not be read.
      await asMonitoring("app").unsafe("CREATE TABLE IF NOT EXISTS public.posemo_install (x int)");
      const before = await catalogSnapshot(cluster, ["app"]);
      const out = await runCli([
        "install",
        ...connectionArgs(cluster, "postgres"),
        "--database",
        "app",
        "--schema",
        "public",
      ]);
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toContain(
        'Cannot use --schema "public": it is a schema PostgreSQL or every database owner controls',
      );
      expect(await catalogSnapshot(cluster, ["app"])).toEqual(before);
    },
    30_000,
  );

  test("the refusal matters: there the monitoring role can plant the original's exploit operator", async () => {
    const sql = asMonitoring("app");
    await sql.unsafe("CREATE FUNCTION public.s1_div(bigint, real) RETURNS real LANGUAGE sql AS 'SELECT 0::real'");
    await sql.unsafe("CREATE OPERATOR public./ (LEFTARG = bigint, RIGHTARG = real, FUNCTION = public.s1_div)");
    const [row] = await sql.unsafe(
      "SELECT count(*)::integer AS n FROM pg_catalog.pg_operator WHERE oprname = '/' AND oprnamespace = 'public'::regnamespace AND oprleft = 'bigint'::regtype AND oprright = 'real'::regtype",
    );
    expect(row!.n).toBe(1);
  });
});
