/**
 * Issue 9 item 3: on a default install (no pg_read_all_data) sequences are judged, against the
 * narrowest integer column they fill, whether OWNED BY it or only its DEFAULT nextval(...). The
 * owner role gets SELECT on sequences (their counters) and never on a table. Through the real CLI.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { cellOf, installPosemo, type JsonCheck, type JsonValue, runCheck } from "./alerts-fixture.ts";

let cluster: Cluster;

function install(): Promise<void> {
  return installPosemo(cluster);
}

beforeAll(async () => {
  cluster = await startCluster();
  await cluster.exec("CREATE DATABASE app");
  await cluster.exec("CREATE ROLE app_owner LOGIN; CREATE ROLE latecomer LOGIN");
  await cluster.exec(
    `ALTER SCHEMA public OWNER TO app_owner; GRANT CREATE ON SCHEMA public TO latecomer; SET ROLE app_owner;
    CREATE SEQUENCE public.shared_ids AS bigint;
    CREATE TABLE public.invoices (id integer DEFAULT nextval('public.shared_ids'), secret text);
    SELECT setval('public.shared_ids', 2080000000);
    CREATE TABLE public.tiny (id smallint GENERATED ALWAYS AS IDENTITY, note text);
    SELECT setval(pg_get_serial_sequence('public.tiny', 'id'), 100);
    INSERT INTO public.invoices (secret) VALUES ('card 4111');`,
    "app",
  );
  await install();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

async function sequences(): Promise<{ exitCode: number; check: JsonCheck }> {
  const { exitCode, check } = await runCheck(cluster, "sequences");
  return { exitCode, check: check! };
}

function row(check: JsonCheck, title: string): JsonValue | undefined {
  return cellOf(check, title, "percent_used");
}

describe("sequences on a default install", () => {
  test(
    "a bigint sequence filling an int4 column through DEFAULT nextval() (no OWNED BY) is CRITICAL against int4, naming the column",
    async () => {
      const { exitCode, check } = await sequences();
      const shared = row(check, "app/public.shared_ids")!;
      expect(shared.value as number).toBeGreaterThan(96);
      expect(shared.status).toBe("critical");
      expect(shared.context).toEqual({ used_by: "public.invoices.id (integer)" });
      expect(check.message).toContain("used_by: public.shared_ids filling public.invoices.id (integer)");
      expect(exitCode).toBe(2);
      expect(check.error).toBeNull();
    },
    60_000,
  );

  test("an identity column is judged against its smallint type", async () => {
    const { check } = await sequences();
    const tiny = row(check, "app/public.tiny_id_seq")!;
    expect(tiny.value as number).toBeCloseTo((100 * (101 - 1)) / 32767, 1);
    expect(tiny.context).toEqual({ used_by: "public.tiny.id (smallint)" });
  }, 60_000);

  test("the owner role reads sequences, not tables: no pg_read_all_data, no SELECT on any table", async () => {
    const [facts] = await cluster.exec(
      `SELECT
        pg_catalog.has_table_privilege('posemo_admin', 'public.invoices', 'SELECT') AS reads_table,
        pg_catalog.has_sequence_privilege('posemo_admin', 'public.shared_ids', 'SELECT') AS reads_sequence,
        pg_catalog.has_sequence_privilege('posemo_admin', 'public.shared_ids', 'USAGE') AS may_nextval,
        pg_catalog.has_sequence_privilege('posemo_admin', 'public.shared_ids', 'UPDATE') AS may_setval,
        EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                 WHERE m.member = 'posemo_admin'::regrole AND g.rolname = 'pg_read_all_data') AS read_all`,
      "app",
    );
    expect(facts).toEqual({
      reads_table: false,
      reads_sequence: true,
      may_nextval: false,
      may_setval: false,
      read_all: false,
    });
  }, 60_000);

  test("a sequence its schema's owner creates after install is judged without re-running install", async () => {
    await cluster.exec("SET ROLE app_owner; CREATE TABLE public.later (id serial)", "app");
    const { check } = await sequences();
    expect(row(check, "app/public.later_id_seq")?.context).toEqual({ used_by: "public.later.id (integer)" });
    expect(check.error).toBeNull();
  }, 60_000);

  test(
    "one created by a role install did not know is named with the command that fixes it; install again covers it",
    async () => {
      await cluster.exec("SET ROLE latecomer; CREATE SEQUENCE public.late_seq", "app");
      const before = await sequences();
      expect(before.check.message).toContain("public.late_seq");
      expect(before.check.message).toContain("run posemo install again");
      expect(row(before.check, "app/public.shared_ids")?.status ?? "critical").toBe("critical");
      await install();
      const after = await sequences();
      expect(after.check.error).toBeNull();
      expect(row(after.check, "app/public.late_seq")?.status).toBe("ok");
    },
    60_000,
  );

  test(
    "--uninstall --drop-roles revokes the sequence grants and default privileges, so the owner role can go",
    async () => {
      const out = await runCli(["install", ...connectionArgs(cluster, "postgres"), "--uninstall", "--drop-roles"]);
      expect(out.stderr).toBe("");
      expect(out.exitCode).toBe(0);
      const [left] = await cluster.exec("SELECT count(*)::integer AS n FROM pg_catalog.pg_default_acl", "app");
      expect(left!.n).toBe(0);
    },
    60_000,
  );
});
