/**
 * `check` and `serve-metrics` call `posemo.posemo_inventory()` and the check functions by name in
 * every database they visit. Where posemo was never installed (a database created from template0
 * after the install, or one whose install was refused), its owner can create a schema of that name
 * with functions of those names. Before posemo asked who owns the schema, they ran as the caller:
 * the monitoring role, and the superuser if one ran `check` (the tenant became superuser). Now
 * nothing is called in a schema a role that can log in (or act as its owner) could have filled.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { metricsService } from "../../src/metrics/service.ts";
import { POSEMO_VERSION } from "../../src/version.ts";
import { connectionArgs, runCli } from "../harness/cli.ts";
import type { Cluster } from "../../dev/cluster.ts";
import {
  asRole,
  expectUntouched,
  install,
  startTenantCluster,
  tenantDatabase,
  trapFunction,
} from "./tenant-fixture.ts";

let cluster: Cluster;

/** posemo's schema as a tenant fills it: an inventory and the sequences check, each running the payload. */
function squattedSchema(authorization = ""): string {
  return `CREATE SCHEMA posemo ${authorization};
  ${
    trapFunction(
      "posemo.posemo_inventory",
      "",
      "TABLE (posemo_version text, server_version_num integer, check_name text, check_hash text)",
      "NEXT",
    )
  }
  ${trapFunction("posemo.sequences", "", "SETOF text", "NEXT 'x'")}
  ${trapFunction("posemo.posemo_custom_definitions", "", "TABLE (name text, definition text)", "NEXT")}
  GRANT USAGE ON SCHEMA posemo TO PUBLIC;`;
}

beforeAll(async () => {
  cluster = await startTenantCluster();
  await tenantDatabase(cluster, "t_owned"); // before the install: posemo is installed there
  const out = await install(cluster, "--checks", "alive,sequences,cache_hit_ratio");
  if (out.exitCode !== 0) throw new Error(out.stderr);
  // Created after the install, from template0: no posemo there, and its owner fills the name.
  await tenantDatabase(cluster, "t_late");
  await asRole(cluster, "tenant", "t_late", squattedSchema());
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

function check(user: string, database: string, ...args: string[]) {
  return runCli(["check", ...connectionArgs(cluster, user, database), "--format", "json", ...args]);
}

describe("check calls nothing in a posemo schema a tenant could have filled", () => {
  for (const user of ["posemo", "postgres"]) {
    test(`another database's squatted schema, check run as ${user}: named, nothing called`, async () => {
      const out = await check(user, "posemo", "--check", "sequences");
      const [result] = JSON.parse(out.stdout).hosts[0].checks;
      expect(result.message).toContain(
        'database "t_late": schema "posemo" is owned by "tenant", not by a superuser or posemo\'s NOLOGIN owner role: nothing in it was called',
      );
      expect(result.status).toBe("unknown");
      await expectUntouched(cluster, "t_late");
    }, 30_000);
  }

  test(
    "the squatted database as home, with --check all (custom definitions): every check says why, nothing called",
    async () => {
      const out = await check("postgres", "t_late", "--check", "all");
      const results = JSON.parse(out.stdout).hosts[0].checks as { status: string; message: string }[];
      expect(results.length).toBeGreaterThan(0);
      for (const r of results) {
        expect(r.status).toBe("unknown");
        expect(r.message).toStartWith('schema "posemo" is owned by "tenant"');
      }
      await expectUntouched(cluster, "t_late");
    },
    30_000,
  );

  test("serve-metrics: the scrape reports the database, nothing is called", async () => {
    const { app } = metricsService(
      {
        host: cluster.host,
        port: cluster.port,
        user: "postgres",
        dbname: "posemo",
        minInterval: 60_000,
        check: ["sequences"],
      },
      { env: {}, warn: () => {}, version: POSEMO_VERSION },
      { catalogue, config: undefined },
    );
    const res = await app.request("/metrics");
    expect(await res.text()).toContain('posemo_check_status{host="');
    await expectUntouched(cluster, "t_late");
  }, 30_000);

  test(
    "a schema owned by a role nobody logs in as but that has members (e.g. pg_database_owner's kind) is not trusted",
    async () => {
      await tenantDatabase(cluster, "t_group");
      await cluster.exec("CREATE ROLE tenant_group NOLOGIN; GRANT tenant_group TO tenant");
      await asRole(cluster, "tenant", "t_group", squattedSchema("AUTHORIZATION tenant_group"));
      const out = await check("postgres", "posemo", "--check", "sequences");
      expect(out.stdout).toContain('database \\"t_group\\": schema \\"posemo\\" is owned by \\"tenant_group\\"');
      await expectUntouched(cluster, "t_group");
      await cluster.exec("DROP DATABASE t_group");
    },
    30_000,
  );

  test("a superuser's schema where others may CREATE is not trusted either", async () => {
    await tenantDatabase(cluster, "t_open");
    await cluster.exec("CREATE SCHEMA posemo; GRANT CREATE, USAGE ON SCHEMA posemo TO tenant", "t_open");
    await asRole(
      cluster,
      "tenant",
      "t_open",
      trapFunction(
        "posemo.posemo_inventory",
        "",
        "TABLE (posemo_version text, server_version_num integer, check_name text, check_hash text)",
        "NEXT",
      ),
    );
    const out = await check("postgres", "posemo", "--check", "sequences");
    expect(out.stdout).toContain('roles other than its owner \\"postgres\\" may CREATE in schema \\"posemo\\"');
    await expectUntouched(cluster, "t_open");
    await cluster.exec("DROP DATABASE t_open");
  }, 30_000);
});

describe("in a database posemo is installed in, its owner can change nothing of posemo's", () => {
  test(
    "no trigger, rule, policy, function, rename, drop, grant or reassignment on posemo's schema and tables",
    async () => {
      const attempts = [
        "CREATE OR REPLACE FUNCTION public.trap_trigger() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
        "CREATE TRIGGER t BEFORE INSERT ON posemo.cache_hit_ratio_samples FOR EACH ROW EXECUTE FUNCTION public.trap_trigger()",
        "CREATE RULE r AS ON INSERT TO posemo.cache_hit_ratio_samples DO INSTEAD NOTHING",
        "CREATE POLICY p ON posemo.posemo_install USING (false)",
        "ALTER TABLE posemo.posemo_install ENABLE ROW LEVEL SECURITY",
        "CREATE FUNCTION posemo.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "ALTER SCHEMA posemo RENAME TO moved",
        "DROP SCHEMA posemo CASCADE",
        "GRANT CREATE ON SCHEMA posemo TO tenant",
        "REASSIGN OWNED BY posemo_admin TO tenant",
        "DROP OWNED BY posemo_admin",
        "ALTER DEFAULT PRIVILEGES FOR ROLE posemo_admin GRANT EXECUTE ON FUNCTIONS TO tenant",
        "COMMENT ON SCHEMA posemo IS 'mine'",
      ];
      const outcomes: Record<string, string> = {};
      for (const statement of attempts.slice(1)) {
        outcomes[statement] = await asRole(cluster, "tenant", "t_owned", `${attempts[0]}; ${statement}`).then(
          () => "done",
          (e: { code?: string }) => e.code ?? "error",
        );
      }
      expect(Object.entries(outcomes).filter(([, outcome]) => outcome !== "42501")).toEqual([]);
      const out = await check("posemo", "posemo", "--check", "alive,cache_hit_ratio");
      expect(JSON.parse(out.stdout).hosts[0].checks.map((c: { status: string }) => c.status)).toEqual(["ok", "ok"]);
      // PostgreSQL (13+) lets a database owner put a trusted extension into any schema of its database,
      // posemo's too; its objects belong to the bootstrap superuser and posemo calls none of them, but
      // the schema can no longer be dropped: uninstall names why, in one line, and leaves the roles.
      if (cluster.major >= 13) {
        await asRole(cluster, "tenant", "t_owned", "CREATE EXTENSION pgcrypto SCHEMA posemo");
        const uninstall = await install(cluster, "--uninstall");
        expect(uninstall.exitCode).toBe(1);
        expect(uninstall.stderr).toContain(
          'posemo: Cannot uninstall posemo from database "t_owned": cannot drop schema posemo because other objects depend on it (extension pgcrypto depends on schema posemo)',
        );
      }
    },
    30_000,
  );
});
