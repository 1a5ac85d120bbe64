/**
 * What a database owner can still set or create in its own database, beyond what
 * installer-hijack.test.ts covers: settings posemo does not pin in the startup packet (time zone,
 * locales, PL/pgSQL's compiler options, planner and memory settings, session_authorization), and
 * implicit casts from built-in types to a type of its own whose cast function runs its code. None of
 * them may make install or check (as the monitoring role or as a superuser) run the tenant's code,
 * nor break either outside the tenant's own database.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connectionArgs, runCli } from "../harness/cli.ts";
import type { Cluster } from "../../dev/cluster.ts";
import {
  asRole,
  expectOneLineErrors,
  expectUntouched,
  install,
  PAYLOAD,
  startTenantCluster,
  tenantDatabase,
} from "./tenant-fixture.ts";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startTenantCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

/** Settings a database owner may give every session in its database that posemo does not pin at startup. */
const UNPINNED = [
  "TimeZone = 'Pacific/Chatham'",
  "lc_numeric = 'C'",
  "lc_monetary = 'C'",
  "lc_time = 'C'",
  "default_text_search_config = 'pg_catalog.simple'",
  "plpgsql.extra_warnings = 'all'",
  "plpgsql.print_strict_params = on",
  "work_mem = '64kB'",
  "enable_seqscan = off",
  "enable_hashjoin = off",
  "synchronous_commit = off",
  "xmloption = 'document'",
  "temp_tablespaces = ''",
  "default_table_access_method = 'heap'",
  "gin_fuzzy_search_limit = 1",
  "cursor_tuple_fraction = 0",
];

/** A type of the tenant's own, with implicit casts to it from the built-in types posemo's SQL compares. */
const CASTS = `
CREATE TYPE public.trap_enum AS ENUM ('posemo');
CREATE FUNCTION public.trap_cast(v text) RETURNS public.trap_enum LANGUAGE plpgsql AS $trap$ BEGIN ${PAYLOAD} RETURN 'posemo'; END $trap$;
CREATE FUNCTION public.trap_cast_name(v name) RETURNS public.trap_enum LANGUAGE plpgsql AS $trap$ BEGIN ${PAYLOAD} RETURN 'posemo'; END $trap$;
CREATE FUNCTION public.trap_cast_oid(v oid) RETURNS public.trap_enum LANGUAGE plpgsql AS $trap$ BEGIN ${PAYLOAD} RETURN 'posemo'; END $trap$;
CREATE CAST (text AS public.trap_enum) WITH FUNCTION public.trap_cast(text) AS IMPLICIT;
CREATE CAST (name AS public.trap_enum) WITH FUNCTION public.trap_cast_name(name) AS IMPLICIT;
CREATE CAST (oid AS public.trap_enum) WITH FUNCTION public.trap_cast_oid(oid) AS IMPLICIT;
CREATE SEQUENCE public.orders_id_seq;`;

test(
  "unpinned settings, session_authorization and implicit casts to a tenant type: install and check run none of its code",
  async () => {
    await tenantDatabase(cluster, "t_bent");
    await asRole(
      cluster,
      "tenant",
      "t_bent",
      `${CASTS}\n${UNPINNED.map((s) => `ALTER DATABASE t_bent SET ${s};`).join("\n")}`,
    );
    // Accepted as a database setting, but PostgreSQL does not apply it at login (checked on 12, 15 and 18):
    // were it applied, install would create posemo's objects as the tenant and fail.
    await asRole(cluster, "tenant", "t_bent", "ALTER DATABASE t_bent SET session_authorization = 'tenant'");
    for (const args of [["--dry-run"], [], []]) {
      const out = await install(cluster, "--checks", "alive,sequences", ...args);
      expectOneLineErrors(out);
      expect({ args, exitCode: out.exitCode, stderr: out.stderr }).toEqual({ args, exitCode: 0, stderr: "" });
    }
    for (const user of ["posemo", "postgres"]) {
      const out = await runCli([
        "check",
        ...connectionArgs(cluster, user, "posemo"),
        "--check",
        "sequences",
        "--format",
        "json",
      ]);
      const [result] = JSON.parse(out.stdout).hosts[0].checks;
      expect({ user, status: result.status, message: result.message }).toEqual({
        user,
        status: "ok",
        message: expect.stringContaining("databases)"),
      });
    }
    const uninstall = await install(cluster, "--uninstall");
    expect({ exitCode: uninstall.exitCode, stderr: uninstall.stderr }).toEqual({ exitCode: 0, stderr: "" });
    await expectUntouched(cluster, "t_bent");
  },
  90_000,
);
