/**
 * Objects install reads or writes must be posemo's: a schema a tenant pre-created under posemo's
 * name (with a view where the inventory would be) is refused naming its owner, before anything in
 * it is read; the schemas PostgreSQL or every database owner controls are refused as `--schema`;
 * and once installed, neither the tenant's planted lookalikes nor its `ALTER DATABASE ... SET`
 * make `posemo check` run the tenant's code as the monitoring role or as posemo_admin.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
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

beforeAll(async () => {
  cluster = await startTenantCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe("a schema posemo does not own is refused, naming its owner", () => {
  test(
    "a tenant's pre-created schema posemo with a view for an inventory: refused, never read; the other databases are installed",
    async () => {
      await tenantDatabase(cluster, "t_squat");
      await asRole(
        cluster,
        "tenant",
        "t_squat",
        `${trapFunction("public.trap_rows", "", "SETOF text", "NEXT 'x'")}
      CREATE SCHEMA posemo;
      CREATE VIEW posemo.posemo_install AS SELECT t AS key, t AS value FROM public.trap_rows() AS t;
      CREATE VIEW posemo.posemo_checks AS SELECT t AS name, t AS hash, t AS signature FROM public.trap_rows() AS t;`,
      );
      await tenantDatabase(cluster, "t_bystander");
      for (const args of [[], ["--dry-run"]]) {
        const out = await install(cluster, "--checks", "alive,sequences", ...args);
        expectOneLineErrors(out);
        expect({ args, exitCode: out.exitCode }).toEqual({ args, exitCode: 1 });
        expect(out.stderr).toContain(
          'posemo: database "t_squat": Cannot install into schema "posemo": it is owned by "tenant", not by "posemo_admin" or a superuser',
        );
        await expectUntouched(cluster, "t_squat");
      }
      const [bystander] = await cluster.exec(
        "SELECT count(*)::int AS n FROM pg_catalog.pg_proc WHERE pronamespace = 'posemo'::regnamespace",
        "t_bystander",
      );
      expect(bystander!.n).toBeGreaterThan(0);
      // Uninstall finds no inventory it may trust there, so it leaves that schema alone and removes posemo elsewhere.
      const uninstall = await install(cluster, "--uninstall");
      expect({ exitCode: uninstall.exitCode, stderr: uninstall.stderr }).toEqual({ exitCode: 0, stderr: "" });
      await expectUntouched(cluster, "t_squat");
      await cluster.exec("DROP DATABASE t_squat");
    },
    60_000,
  );

  test(
    "the schemas PostgreSQL or every database owner controls are refused as --schema before anything is touched",
    async () => {
      for (const schema of ["public", "pg_catalog", "information_schema", "pg_toast", "pg_temp", "pg_mine"]) {
        const out = await install(cluster, "--schema", schema);
        expect({ schema, exitCode: out.exitCode, stderr: out.stderr }).toEqual({
          schema,
          exitCode: 1,
          stderr:
            `posemo: Cannot use --schema "${schema}": it is a schema PostgreSQL or every database owner controls, where others can replace posemo's functions (use a dedicated schema, e.g. the default "posemo")\n`,
        });
      }
      const offline = await runCli(["install", "--dry-run", "--server-version", "15", "--schema", "public"]);
      expect(offline.exitCode).toBe(1);
      expect(offline.stderr).toStartWith('posemo: Cannot use --schema "public"');
    },
    60_000,
  );
});

describe("after a proper install, the tenant cannot make a check run its code", () => {
  test(
    "lookalikes in public and a tenant schema, search_path, role and DateStyle set on the database: check runs posemo's SQL only",
    async () => {
      await tenantDatabase(cluster, "t_checked");
      const installed = await install(cluster, "--checks", "alive,sequences");
      expect(installed.stderr).toBe("");
      const lookalikes = (schema: string) =>
        [
          trapFunction(
            `${schema}.posemo_inventory`,
            "",
            "TABLE (posemo_version text, server_version_num integer, check_name text, check_hash text)",
            "NEXT",
          ),
          trapFunction(`${schema}.sequences`, "", "SETOF text", "NEXT 'x'"),
          trapFunction(`${schema}.format`, "text, text, text", "text", "'x'"),
          trapFunction(`${schema}.pg_sequence_last_value`, "regclass", "bigint", "0"),
        ].join("\n");
      await asRole(
        cluster,
        "tenant",
        "t_checked",
        `CREATE SCHEMA evil; ${lookalikes("evil")} ${lookalikes("public")}
      ALTER DATABASE t_checked SET search_path = evil, public, pg_catalog;
      ALTER DATABASE t_checked SET DateStyle = 'German, DMY';
      ALTER DATABASE t_checked SET role = 'tenant';`,
      );
      // Older servers let a role grant membership in itself (then the tenant's `role` setting would apply); newer ones refuse.
      await asRole(cluster, "tenant", "t_checked", "GRANT tenant TO posemo").catch(() => undefined);
      const out = await runCli([
        "check",
        ...connectionArgs(cluster, "posemo", "posemo"),
        "--check",
        "sequences",
        "--format",
        "json",
      ]);
      expect(out.stderr).toBe("");
      const result = JSON.parse(out.stdout).hosts[0].checks[0];
      expect(result.message).not.toContain("t_checked:");
      expect(result.status).not.toBe("unknown");
      await expectUntouched(cluster, "t_checked");
    },
    60_000,
  );
});

describe("a check reads only the extension's own objects in a schema a tenant owns", () => {
  test(
    "a pg_stat_statements_info view planted beside an older pg_stat_statements (before 1.9) is never read",
    async () => {
      const preloaded = await startCluster({
        settings: { shared_preload_libraries: "'pg_stat_statements'", log_min_messages: "'fatal'" },
      });
      try {
        await preloaded.exec("CREATE ROLE tenant LOGIN");
        await tenantDatabase(preloaded, "t_stats");
        await preloaded.exec("CREATE EXTENSION pg_stat_statements", "t_stats");
        const planted = await asRole(
          preloaded,
          "tenant",
          "t_stats",
          `${trapFunction("public.trap_dealloc", "", "bigint", "0")}
        CREATE VIEW public.pg_stat_statements_info AS SELECT public.trap_dealloc() AS dealloc;
        GRANT SELECT ON public.pg_stat_statements_info TO PUBLIC`,
        ).then(() => true, () => false);
        expect(planted).toBe(preloaded.major < 14); // from 14 the extension has its own info view there
        const out = await runCli([
          "install",
          ...connectionArgs(preloaded, "postgres"),
          "--database",
          "t_stats",
          "--checks",
          "statements",
        ]);
        expect(out.stderr).toBe("");
        const checked = await runCli([
          "check",
          ...connectionArgs(preloaded, "posemo", "t_stats"),
          "--check",
          "statements",
        ]);
        expect(checked.stdout).toStartWith("POSEMO OK - statements");
        await expectUntouched(preloaded, "t_stats");
      } finally {
        await preloaded.stop();
      }
    },
    60_000,
  );
});
