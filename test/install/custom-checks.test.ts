/**
 * Custom checks through the real CLI against a real PostgreSQL: two `--checks-dir` directories (a
 * cluster check reading an application table through a declared privilege, a database-scope check
 * with thresholds), run as the monitoring role from an empty directory in every output format with
 * the definitions learnt from the server; refusals that change nothing; an upgrade; a removal that
 * leaves the catalog as it was.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { catalogSnapshot } from "../harness/catalog-snapshot.ts";
import { type CliOutcome, connectionArgs, runCli } from "../harness/cli.ts";
import type { Cluster } from "../../dev/cluster.ts";
import { FORMATS } from "../../src/output/formats.ts";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { metricsService } from "../../src/metrics/service.ts";
import { POSEMO_VERSION } from "../../src/version.ts";
import * as fixture from "./install-fixture.ts";

const FIXTURES = resolve(import.meta.dir, "../fixtures/custom-checks");
const PASSWORD = "monitoring-pw-1";
let cluster: Cluster;
let work: string;
let ops: string;
const dba = join(FIXTURES, "dba");

beforeAll(async () => {
  ({ cluster } = await fixture.startInstallCluster());
  work = mkdtempSync(join(tmpdir(), "posemo-custom-"));
  ops = join(work, "ops");
  cpSync(join(FIXTURES, "ops"), ops, { recursive: true });
  await cluster.exec(
    "CREATE TABLE public.backup_heartbeat (beat timestamptz); INSERT INTO public.backup_heartbeat VALUES (now() - interval '2 hours')",
    "app",
  );
  await cluster.exec("CREATE UNLOGGED TABLE public.scratch (id int)", "postgres");
  const out = await install("--database", "app", "--monitoring-password-file", fixture.passwordFile(work, PASSWORD));
  fixture.expectInstalled(out);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const install = (...args: string[]): Promise<CliOutcome> => fixture.install(cluster, ...args);

/** `posemo check` as the monitoring role, from an empty directory: nothing but the binary and the server. */
async function checkFromEmptyDir(args: string[]): Promise<CliOutcome> {
  const empty = mkdtempSync(join(tmpdir(), "posemo-empty-"));
  const before = process.cwd();
  process.chdir(empty);
  try {
    return await runCli(["check", ...connectionArgs(cluster, "posemo", "app"), ...args], { PGPASSWORD: PASSWORD });
  } finally {
    process.chdir(before);
    rmSync(empty, { recursive: true, force: true });
  }
}

const heartbeatAcl = async () =>
  (await cluster.exec(
    "SELECT relacl::text AS acl FROM pg_catalog.pg_class WHERE oid = 'public.backup_heartbeat'::regclass",
    "app",
  ))[0]!.acl;

describe("refused definitions change nothing", () => {
  test("an unknown key is refused with file:line before anything connects", async () => {
    const before = await catalogSnapshot(cluster, ["app", "postgres"]);
    const out = await install("--database", "app", "--checks-dir", dba, "--checks-dir", join(FIXTURES, "broken"));
    expect(out.exitCode).not.toBe(0);
    expect(out.stderr).toContain(`${join(FIXTURES, "broken/bad_key/check.yaml")}:5: unknown key "warning_levle"`);
    expect(out.stderr).toContain("nothing was installed");
    expect(await catalogSnapshot(cluster, ["app", "postgres"])).toEqual(before);
  });

  test("a custom check may not shadow a built-in one unless it says replaces_builtin: true", async () => {
    const out = await install("--database", "app", "--checks-dir", join(FIXTURES, "shadow"));
    expect(out.exitCode).not.toBe(0);
    expect(out.stderr).toContain(`"alive" is a built-in check: rename the folder, or add replaces_builtin: true`);
  });

  test("a privilege on a table a tenant owns is refused unless owned_by names that owner; the transaction changes nothing", async () => {
    await cluster.exec(
      "CREATE ROLE shop; CREATE TABLE public.orders (status text); ALTER TABLE public.orders OWNER TO shop",
      "app",
    );
    const dir = join(work, "tenant");
    cpSync(join(FIXTURES, "ops"), dir, { recursive: true });
    const yaml = join(dir, "heartbeat_age/check.yaml");
    appendFileSync(yaml, "  - select: public.orders\n");
    const before = await catalogSnapshot(cluster, ["app", "postgres"]);
    const out = await install("--database", "app", "--checks-dir", dir);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain(
      `Cannot install check "heartbeat_age": table public.orders is owned by "shop", who could make reading it run their code as "posemo_admin"`,
    );
    appendFileSync(yaml, "    owned_by: someone_else\n");
    const wrong = await install("--database", "app", "--checks-dir", dir);
    expect(wrong.stderr).toContain(`table public.orders is owned by "shop", not by "someone_else" as owned_by says`);
    expect(await catalogSnapshot(cluster, ["app", "postgres"])).toEqual(before);
  });

  test("a declared object that does not exist is refused", async () => {
    const dir = join(work, "missing");
    cpSync(join(FIXTURES, "ops"), dir, { recursive: true });
    appendFileSync(join(dir, "heartbeat_age/check.yaml"), "  - select: public.no_such_table\n");
    const out = await install("--database", "app", "--checks-dir", dir);
    expect(out.stderr).toContain(`table public.no_such_table does not exist`);
  });

  test("a declared name that is not a name is refused at its line, never pasted into SQL", async () => {
    const dir = join(work, "hostile");
    cpSync(join(FIXTURES, "ops"), dir, { recursive: true });
    appendFileSync(join(dir, "heartbeat_age/check.yaml"), "  - select: public.t TO PUBLIC; DROP TABLE x; --\n");
    const out = await install("--database", "app", "--checks-dir", dir, "--dry-run");
    expect(out.stderr).toMatch(
      /heartbeat_age\/check\.yaml:14: select: "public\.t TO PUBLIC; DROP TABLE x; --" is not schema\.table/,
    );
    expect(out.stdout).toBe("");
  });
});

describe("install, check, upgrade, remove", () => {
  let before: Record<string, unknown>;

  test("--dry-run shows the grant and the functions' SQL", async () => {
    const out = await install("--database", "app", "--checks-dir", ops, "--checks-dir", dba, "--dry-run");
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain(`GRANT SELECT ON TABLE "public"."backup_heartbeat" TO "posemo_admin";`);
    expect(out.stdout).toContain(`CREATE FUNCTION "posemo"."heartbeat_age"()`);
    expect(out.stdout).toContain(`CREATE FUNCTION "posemo"."unlogged_tables"()`);
  });

  test(
    "installs both directories with the built-in security model and grants exactly the declared privilege",
    async () => {
      fixture.expectInstalled(await install("--database", "app"));
      before = await catalogSnapshot(cluster, ["app", "postgres"]);
      const out = await install("--database", "app", "--checks-dir", ops, "--checks-dir", dba);
      fixture.expectInstalled(out);
      expect(out.stdout).toContain("2 installed");
      expect(await heartbeatAcl()).toContain("posemo_admin=r/postgres");
      for (const db of ["app", "postgres"]) {
        const functions = (await fixture.functionsIn(cluster, db)).filter((f) =>
          ["heartbeat_age", "unlogged_tables"].includes(String(f.proname))
        );
        expect(functions.length).toBe(db === "app" ? 2 : 1);
        for (const f of functions) {
          expect({ secdef: f.prosecdef, config: f.proconfig, owner: f.owner }).toEqual({
            secdef: true,
            config: ["search_path=pg_catalog, pg_temp"],
            owner: "posemo_admin",
          });
          expect((f.acl as { grantee: string }[]).map((a) => a.grantee).sort()).toEqual(["posemo", "posemo_admin"]);
        }
      }
    },
    60_000,
  );

  test(
    "check learns both from the server: every format, thresholds from the definitions, merged databases",
    async () => {
      const nagios = await checkFromEmptyDir(["--check", "heartbeat_age,unlogged_tables"]);
      expect(nagios.stdout).toMatch(/CRITICAL heartbeat_age: age \d+ s/);
      expect(nagios.stdout).toMatch(/'heartbeat_age'=\d+s;3600;7200/);
      expect(nagios.stdout).toMatch(/'unlogged_tables\.postgres'=1;0;5/);
      expect(nagios.exitCode).toBe(2);
      for (const format of FORMATS) {
        const out = await checkFromEmptyDir(["--check", "heartbeat_age,unlogged_tables", "--format", format]);
        expect({ format, stderr: out.stderr }).toEqual({ format, stderr: "" });
        expect({
          format,
          both: out.stdout.includes("heartbeat_age") || format === "zabbix-discovery",
          db: out.stdout.includes("unlogged_tables"),
        }).toEqual({ format, both: true, db: true });
      }
    },
    60_000,
  );

  test("--check all runs them, a configuration's thresholds apply, --list marks them", async () => {
    const all = await checkFromEmptyDir(["--check", "all", "--format", "json"]);
    const checks = JSON.parse(all.stdout).hosts[0].checks as { name: string; status: string }[];
    expect(checks.filter((c) => ["heartbeat_age", "unlogged_tables"].includes(c.name)).map((c) => [c.name, c.status]))
      .toEqual([["heartbeat_age", "critical"], ["unlogged_tables", "warning"]]);
    const config = join(work, "posemo.yaml");
    writeFileSync(config, "defaults:\n  checks:\n    heartbeat_age:\n      warning: 3h\n      critical: 4h\n");
    const relaxed = await checkFromEmptyDir(["--check", "heartbeat_age", "--config", config]);
    expect(relaxed.stdout).toMatch(/^POSEMO OK - heartbeat_age/);
    const list = await checkFromEmptyDir(["--list"]);
    expect(list.stdout).toMatch(/^heartbeat_age\*\s/m);
    expect(list.stdout).toMatch(/^alive\s/m);
  }, 60_000);

  test(
    "the stored teardown is the installing superuser's: the owner role cannot rewrite it, nor replace the table",
    async () => {
      const [owner] = await cluster.exec(
        "SELECT pg_catalog.pg_get_userbyid(relowner) AS owner FROM pg_catalog.pg_class WHERE oid = 'posemo.posemo_custom_checks'::regclass",
        "app",
      );
      expect(owner!.owner).toBe("postgres");
      const asOwner = (sql: string) =>
        cluster.exec(`SET ROLE posemo_admin; ${sql}`, "app").then(() => "ran", (e: Error) => e.message);
      expect(await asOwner("UPDATE posemo.posemo_custom_checks SET teardown = 'ALTER ROLE posemo_admin SUPERUSER'"))
        .toContain("permission denied");
      await cluster.exec("CREATE TABLE public.saved AS SELECT * FROM posemo.posemo_custom_checks", "app");
      // The owner role owns the schema, so it can drop the table and plant its own with a teardown of its choosing.
      await cluster.exec(
        `SET ROLE posemo_admin; DROP TABLE posemo.posemo_custom_checks;
      CREATE TABLE posemo.posemo_custom_checks (name text PRIMARY KEY, definition text NOT NULL, teardown text, granted text NOT NULL);
      INSERT INTO posemo.posemo_custom_checks VALUES ('gone', '{}', 'ALTER ROLE posemo_admin SUPERUSER', '[]')`,
        "app",
      );
      const out = await install("--database", "app");
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toContain(`Cannot trust "posemo.posemo_custom_checks": it is not owned by a superuser`);
      await cluster.exec("DROP TABLE posemo.posemo_custom_checks", "app");
      fixture.expectInstalled(await install("--database", "app", "--checks-dir", ops, "--checks-dir", dba));
      await cluster.exec(
        "UPDATE posemo.posemo_custom_checks AS c SET granted = s.granted FROM public.saved AS s WHERE s.name = c.name; DROP TABLE public.saved",
        "app",
      );
      const [su] = await cluster.exec("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = 'posemo_admin'");
      expect(su!.rolsuper).toBe(false);
    },
    60_000,
  );

  test("serve-metrics serves them (--check all learns them on every run)", async () => {
    const flags = {
      host: cluster.host,
      port: cluster.port,
      user: "posemo",
      dbname: "app",
      listen: { hostname: "127.0.0.1", port: 0 },
      minInterval: 60_000,
      check: ["all"],
    };
    const service = metricsService(flags, {
      env: { HOME: work, PGPASSWORD: PASSWORD },
      warn: () => undefined,
      version: POSEMO_VERSION,
    }, { catalogue, config: undefined });
    const text = await (await service.app.request("/metrics")).text();
    expect(text).toMatch(/posemo_check_status\{[^}]*check="heartbeat_age"\} 2/);
    expect(text).toMatch(/posemo_check_status\{[^}]*check="unlogged_tables"\} 1/);
  }, 60_000);

  test("a changed SQL file upgrades the check in place", async () => {
    appendFileSync(join(ops, "heartbeat_age/pg12.sql"), "\n-- reviewed\n");
    const out = await install("--database", "app", "--checks-dir", ops, "--checks-dir", dba);
    fixture.expectInstalled(out);
    expect(out.stdout).toContain("1 installed");
    const [body] = await cluster.exec("SELECT prosrc FROM pg_catalog.pg_proc WHERE proname = 'heartbeat_age'", "app");
    expect(String(body!.prosrc)).toContain("-- reviewed");
    expect((await checkFromEmptyDir(["--check", "heartbeat_age"])).stdout).toMatch(/^POSEMO CRITICAL - heartbeat_age/);
  }, 60_000);

  test("the configuration's checks_dirs (relative to the file) is the same as --checks-dir", async () => {
    const config = join(work, "install.yaml");
    writeFileSync(config, `checks_dirs:\n  - ops\n  - ${dba}\n`);
    const out = await install("--database", "app", "--config", config);
    fixture.expectInstalled(out);
    expect(out.stdout).toContain("is installed and up to date");
  }, 60_000);

  test("without the folders, install removes them, revokes the grant and leaves the catalog as before", async () => {
    const out = await install("--database", "app");
    fixture.expectInstalled(out);
    expect(await heartbeatAcl()).not.toContain("posemo_admin");
    expect(await catalogSnapshot(cluster, ["app", "postgres"])).toEqual(before);
    const gone = await checkFromEmptyDir(["--check", "heartbeat_age"]);
    expect(gone.exitCode).toBe(3);
  }, 60_000);
});

describe("the writer's loop: checks new, checks test", () => {
  test(
    "new scaffolds a folder that checks test installs, runs as the monitoring role in every format, and rolls back",
    async () => {
      const dir = join(work, "loop");
      const created = await runCli(["checks", "new", "orders_pending", "--dir", dir]);
      expect(created.exitCode).toBe(0);
      const again = await runCli(["checks", "new", "orders_pending", "--dir", dir]);
      expect(again.stderr).toContain("exists already");
      const before = await catalogSnapshot(cluster, ["postgres"]);
      const out = await runCli(["checks", "test", dir, ...connectionArgs(cluster, "postgres")]);
      expect(out.stderr).toBe("");
      expect(out.exitCode).toBe(0);
      for (const format of FORMATS) expect(out.stdout).toContain(`--- ${format} ---`);
      expect(out.stdout).toContain("POSEMO OK - orders_pending: value 0");
      expect(await catalogSnapshot(cluster, ["postgres"])).toEqual(before);
    },
    60_000,
  );

  test(
    "a PostgreSQL error names the SQL file and line; a run-time one says it happened as the monitoring role",
    async () => {
      const dir = join(work, "loop/orders_pending");
      writeFileSync(
        join(dir, "pg12.sql"),
        "-- pending orders\nSELECT 0::bigint AS value,\n       NULL::text AS unknown_reason FORM nowhere\n",
      );
      const syntax = await runCli(["checks", "test", dir, ...connectionArgs(cluster, "postgres")]);
      expect(syntax.exitCode).toBe(1);
      expect(syntax.stderr).toContain(`${dir}/pg12.sql:3: syntax error at or near "FORM"`);
      writeFileSync(
        join(dir, "pg12.sql"),
        "SELECT count(*)::bigint AS value, NULL::text AS unknown_reason FROM public.customers\n",
      );
      const denied = await runCli(["checks", "test", dir, ...connectionArgs(cluster, "postgres", "app")]);
      expect(denied.exitCode).toBe(1);
      expect(denied.stderr).toContain(
        `${dir}/pg12.sql: permission denied for table customers (while running as the monitoring role)`,
      );
    },
    60_000,
  );
});
