/**
 * The `scope: database` checks (sequences, invalid and unused indexes, table and B-tree index
 * bloat, vacuum age) on real PostgreSQL: installed in two databases of one cluster as the installer
 * does it (a pg_monitor owner with SELECT on pg_statistic in each database), called as the
 * monitoring role in each, and each must see its own database only. Then on a hot standby of it.
 * Same server majors as sql.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import type { CheckDefinition } from "../../src/catalogue/definition.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { REPLICATION_HBA, type Standby, startStandby } from "../harness/standby.ts";
import {
  binariesUnderTest,
  eventually,
  installChecks,
  type MonitoringSession,
  monitoringSession,
  num,
  type Row,
  testNames,
} from "./sql-fixture.ts";
import { installInDatabase, setStatisticsGrant } from "./sql-database-fixture.ts";

const names = testNames();
const APP = "app";
const scoped = catalogue.filter((c) => c.scope === "database");

function check(name: string): CheckDefinition {
  const found = scoped.find((c) => c.name === name);
  if (!found) throw new Error(`no database-scope check "${name}" in the catalogue`);
  return found;
}

function titled(name: string, rows: readonly Row[], title: string): Row | undefined {
  return rows.find((r) => r[check(name).titleColumn!] === title);
}

function mustFind(name: string, rows: readonly Row[], title: string): Row {
  const row = titled(name, rows, title);
  if (!row) throw new Error(`${name}: no row titled "${title}" in ${JSON.stringify(rows)}`);
  return row;
}

/** Objects in `app`, owned by a role the posemo owner has no privilege on, as an application's would be. */
const APP_OBJECTS = `
CREATE ROLE app_owner NOLOGIN;
GRANT CREATE ON SCHEMA public TO app_owner;
SET ROLE app_owner;
CREATE SEQUENCE public.nearly_full MAXVALUE 100;
SELECT setval('public.nearly_full', 90);
CREATE SEQUENCE public.countdown INCREMENT -1 MINVALUE -1000 MAXVALUE -1;
SELECT setval('public.countdown', -991);
CREATE SEQUENCE public.wraps MAXVALUE 10 CYCLE;
SELECT setval('public.wraps', 10);
CREATE SEQUENCE public.unused;
CREATE TABLE public.narrow_key (id integer);
CREATE SEQUENCE public.narrow_key_id_seq AS bigint OWNED BY public.narrow_key.id;
SELECT setval('public.narrow_key_id_seq', 2000000000);
CREATE TABLE public.bloated (id integer, payload text) WITH (autovacuum_enabled = off);
INSERT INTO public.bloated SELECT g, repeat('x', 100) FROM generate_series(1, 200000) AS g;
CREATE INDEX bloated_id ON public.bloated (id);
CREATE INDEX bloated_lower ON public.bloated (lower(payload || id));
CREATE TABLE public.tidy (id integer, flag boolean, payload text) WITH (autovacuum_enabled = off);
INSERT INTO public.tidy SELECT g, g % 2 = 0, repeat('y', 60) FROM generate_series(1, 200000) AS g;
CREATE INDEX tidy_id ON public.tidy (id);
CREATE TABLE public.dup (v integer);
INSERT INTO public.dup VALUES (1), (1);
RESET ROLE;
`;

/** After ANALYZE: 90 % of `bloated` deleted and vacuumed (no trailing empty pages, so none is truncated). */
const BLOAT = [
  "ANALYZE",
  "DELETE FROM public.bloated WHERE id % 10 <> 0",
  "VACUUM ANALYZE public.bloated, public.tidy",
];

for (const binaries of binariesUnderTest()) {
  describe(`database-scope checks on PostgreSQL ${binaries.major} (${binaries.source})`, () => {
    let cluster: Cluster;
    const sessions: Record<string, MonitoringSession> = {};
    const call = (database: string, name: string, args?: readonly (string | null)[]) =>
      sessions[database]!.call(check(name), args);

    beforeAll(async () => {
      cluster = await startCluster({ binaries, hba: REPLICATION_HBA, settings: { autovacuum: "off" } });
      await cluster.exec(`CREATE DATABASE ${APP}`);
      await installChecks(cluster, scoped, names, { inPgMonitor: true });
      await installInDatabase(cluster, APP, scoped, names);
      for (const database of ["postgres", APP]) await setStatisticsGrant(cluster, database, names, true);
      await cluster.exec(APP_OBJECTS, APP);
      for (const statement of BLOAT) await cluster.exec(statement, APP);
      // A CREATE INDEX CONCURRENTLY that fails on the duplicate leaves an invalid index behind.
      await cluster.exec("CREATE UNIQUE INDEX CONCURRENTLY dup_v ON public.dup (v)", APP).catch(() => {});
      sessions.postgres = monitoringSession(cluster, names);
      sessions[APP] = monitoringSession(cluster, { ...names, database: APP });
    }, 120_000);

    afterAll(async () => {
      for (const session of Object.values(sessions)) await session.end();
      await cluster?.stop();
    }, 60_000);

    test("the catalogue has the database-scope checks", () => {
      expect(scoped.map((c) => c.name)).toEqual([
        "index_bloat",
        "invalid_indexes",
        "sequences",
        "table_bloat",
        "unused_indexes",
        "vacuum_age",
      ]);
    });

    test.each(["postgres", APP].flatMap((db) => scoped.map((c) => [c.name, db])))(
      "%s() in %s returns its declared columns with !TOTAL first and at most top_n objects",
      async (name, database) => {
        const rows = await call(database, name);
        expect(rows[0]![check(name).titleColumn!]).toBe("!TOTAL");
        expect(rows.length).toBeLessThanOrEqual(11);
        for (const row of rows) expect(Object.keys(row)).toEqual(check(name).columns.map((c) => c.name));
        for (const row of rows.slice(1)) expect(String(row[check(name).titleColumn!])).toMatch(/^[a-z_]+\.[a-z_0-9]+$/);
      },
    );

    test("each database reports its own objects only", async () => {
      expect(titled("invalid_indexes", await call("postgres", "invalid_indexes"), "public.dup_v")).toBeUndefined();
      expect(titled("invalid_indexes", await call(APP, "invalid_indexes"), "public.dup_v")).toBeDefined();
      expect(titled("table_bloat", await call("postgres", "table_bloat", ["0", "1000"]), "public.bloated"))
        .toBeUndefined();
      expect(titled("table_bloat", await call(APP, "table_bloat", ["0", "1000"]), "public.bloated")).toBeDefined();
    });

    test("sequences() names what the owner role cannot read in a row of its own, and measures once it may", async () => {
      const [total, hidden] = await call(APP, "sequences");
      expect(total).toMatchObject({ sequence: "!TOTAL", percent_used: null, unknown_reason: null });
      expect(hidden).toMatchObject({ sequence: "public.countdown", percent_used: null, values_left: null });
      expect(String(hidden!.unknown_reason)).toContain(
        `role ${names.owner} cannot read 4 of 4 sequences in database ${APP} (first: public.countdown)`,
      );
      expect(String(hidden!.unknown_reason)).toContain("run posemo install again");
      await cluster.exec(`GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO ${names.owner}`, APP);
      try {
        const rows = await call(APP, "sequences");
        expect(rows.map((r) => r.unknown_reason)).toEqual(rows.map(() => null));
        expect(rows.map((r) => r.sequence)).toEqual([
          "!TOTAL",
          "public.countdown",
          "public.narrow_key_id_seq",
          "public.nearly_full",
          "public.unused",
        ]);
        // nextval() hands out -992 next of -1..-1000; 2000000001 of an int4 column's 1..2^31-1; 91 of 1..100.
        const expected = [[99.1, 9], [99.1, 9], [(100 * 2000000000) / 2147483647, 147483647], [90, 10], [
          0,
          2 ** 63 - 1,
        ]];
        rows.forEach((row, i) => {
          expect(num(row.percent_used)!).toBeCloseTo(expected[i]![0]!, 9);
          expect(num(row.values_left)).toBe(expected[i]![1]!);
        });
      } finally {
        await cluster.exec(`REVOKE SELECT ON ALL SEQUENCES IN SCHEMA public FROM ${names.owner}`, APP);
      }
    });

    test("sequences() in a database without sequences has an empty !TOTAL and no reason", async () => {
      expect(await call("postgres", "sequences")).toEqual([{
        sequence: "!TOTAL",
        percent_used: null,
        values_left: null,
        used_by: null,
        unknown_reason: null,
      }]);
    });

    test("sequences() reads every sequence when the owner role has pg_read_all_data (PostgreSQL 14+)", async () => {
      if (binaries.major < 14) return;
      await cluster.exec(`GRANT pg_read_all_data TO ${names.owner}`);
      try {
        const [total] = await call(APP, "sequences");
        expect(total).toMatchObject({ sequence: "!TOTAL", unknown_reason: null });
        expect(num(total!.percent_used)).toBeCloseTo(99.1, 9);
      } finally {
        await cluster.exec(`REVOKE pg_read_all_data FROM ${names.owner}`);
      }
    });

    test("sequences() top_n bounds the rows", async () => {
      await cluster.exec(`GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO ${names.owner}`, APP);
      try {
        expect((await call(APP, "sequences", ["2"])).map((r) => r.sequence)).toEqual([
          "!TOTAL",
          "public.countdown",
          "public.narrow_key_id_seq",
        ]);
        expect((await call(APP, "sequences", ["0"])).map((r) => r.sequence)).toEqual(["!TOTAL"]);
      } finally {
        await cluster.exec(`REVOKE SELECT ON ALL SEQUENCES IN SCHEMA public FROM ${names.owner}`, APP);
      }
    });

    test("invalid_indexes() counts the index a failed CREATE INDEX CONCURRENTLY left, and none elsewhere", async () => {
      expect(await call(APP, "invalid_indexes")).toEqual([
        { index: "!TOTAL", invalid_indexes: 1, table_name: null },
        { index: "public.dup_v", invalid_indexes: 1, table_name: "public.dup" },
      ]);
      expect(await call("postgres", "invalid_indexes")).toEqual([{
        index: "!TOTAL",
        invalid_indexes: 0,
        table_name: null,
      }]);
    });

    test("unused_indexes() lists never-scanned plain indexes with their size, not unique ones or scanned ones", async () => {
      await cluster.exec(
        "CREATE TABLE public.lookups (id integer PRIMARY KEY, code integer UNIQUE, a integer, b integer); CREATE INDEX lookups_a ON public.lookups (a); CREATE INDEX lookups_b ON public.lookups (b); INSERT INTO public.lookups SELECT g, g, g, g FROM generate_series(1, 5000) AS g; ANALYZE public.lookups;",
        APP,
      );
      await cluster.exec("SET enable_seqscan = off; SELECT count(*) FROM public.lookups WHERE a = 7;", APP);
      const unused = async () =>
        (await call(APP, "unused_indexes", ["1000"])).filter((r) => String(r.index).startsWith("public.lookups"));
      const rows = await eventually(unused, (r) => !r.some((x) => x.index === "public.lookups_a"));
      expect(rows.map((r) => r.index)).toEqual(["public.lookups_b"]);
      const [pages] = await cluster.exec(
        "SELECT relpages::bigint * current_setting('block_size')::bigint AS bytes FROM pg_class WHERE relname = 'lookups_b'",
        APP,
      );
      expect(rows[0]).toMatchObject({ unused_indexes: 1, size: pages!.bytes, table_name: "public.lookups" });
      expect(num(rows[0]!.size)!).toBeGreaterThan(0);
    });

    test("table_bloat() estimates a table the owner role may not SELECT, which pg_stats hides from it", async () => {
      const visible = await cluster.sql(APP).begin(async (tx) => {
        await tx.unsafe(`SET LOCAL ROLE ${names.owner}`);
        return await tx.unsafe("SELECT count(*)::integer AS n FROM pg_stats WHERE tablename = 'bloated'");
      });
      expect(visible[0]!.n).toBe(0);
      const rows = await call(APP, "table_bloat", ["0", "1000"]);
      const bloated = mustFind("table_bloat", rows, "public.bloated");
      expect(num(bloated.bloat_percent)!).toBeGreaterThan(80);
      expect(num(bloated.bloat_percent)!).toBeLessThan(95);
      expect(num(bloated.bloat_size)!).toBeLessThan(num(bloated.size)!);
      expect(num(mustFind("table_bloat", rows, "public.tidy").bloat_percent)!).toBeLessThan(15);
      expect(rows[1]!.relation).toBe("public.bloated");
    });

    test("table_bloat() leaves out tables under min_size and says how many", async () => {
      const rows = await call(APP, "table_bloat", ["1 GB", "10"]);
      expect(rows).toEqual([{
        relation: "!TOTAL",
        bloat_percent: null,
        bloat_size: null,
        size: null,
        not_judged: expect.stringMatching(/^\d+ tables under min_size 1024 MB$/),
        unknown_reason: null,
      }]);
    });

    test("table_bloat() !TOTAL is the bloat over the size of the tables considered", async () => {
      const rows = await call(APP, "table_bloat", ["0", "100000"]);
      const sum = (column: string) => rows.slice(1).reduce((acc, r) => acc + num(r[column])!, 0);
      expect(num(rows[0]!.bloat_size)).toBe(sum("bloat_size"));
      expect(num(rows[0]!.size)).toBe(sum("size"));
      expect(num(rows[0]!.bloat_percent)!).toBeCloseTo((100 * sum("bloat_size")) / sum("size"), 6);
    });

    test("index_bloat() estimates plain and expression B-tree indexes of a table the owner role may not SELECT", async () => {
      const rows = await call(APP, "index_bloat", ["0", "1000"]);
      for (const name of ["public.bloated_id", "public.bloated_lower"]) {
        const row = mustFind("index_bloat", rows, name);
        expect(row.table_name).toBe("public.bloated");
        expect(num(row.bloat_percent)!).toBeGreaterThan(80);
      }
      expect(num(mustFind("index_bloat", rows, "public.tidy_id").bloat_percent)!).toBeLessThan(15);
    });

    test.each([["table_bloat"], ["index_bloat"]])(
      "%s() is UNKNOWN, not OK, when the owner role cannot read pg_statistic",
      async (name) => {
        await setStatisticsGrant(cluster, APP, names, false);
        try {
          const rows = await call(APP, name, ["0"]);
          expect(rows.length).toBe(1);
          expect(String(rows[0]!.unknown_reason)).toBe(
            `role ${names.owner} cannot read pg_catalog.pg_statistic in database ${APP}: grant it SELECT on it (posemo install does)`,
          );
        } finally {
          await setStatisticsGrant(cluster, APP, names, true);
        }
      },
    );

    test("vacuum_age() judges a table only while autovacuum's trigger says it needs a vacuum or analyze", async () => {
      await cluster.exec(
        `CREATE TABLE public.churn (n integer) WITH (autovacuum_enabled = off);
        CREATE TABLE public.quiet (n integer) WITH (autovacuum_enabled = off);
        CREATE TABLE public.empty (n integer);
        CREATE TABLE public.patient (n integer) WITH (autovacuum_enabled = off, autovacuum_vacuum_threshold = 100000, autovacuum_analyze_threshold = 100000);
        INSERT INTO public.churn SELECT generate_series(1, 1000); DELETE FROM public.churn WHERE n <= 600;
        INSERT INTO public.patient SELECT generate_series(1, 1000); DELETE FROM public.patient WHERE n <= 600;
        INSERT INTO public.quiet SELECT generate_series(1, 10);`,
        APP,
      );
      const read = async () => await call(APP, "vacuum_age", ["1000"]);
      const rows = await eventually(read, (r) => num(titled("vacuum_age", r, "public.churn")?.dead_tuples) === 600);
      const [uptime] = await cluster.exec("SELECT extract(epoch FROM now() - pg_postmaster_start_time())::bigint AS s");
      const churn = mustFind("vacuum_age", rows, "public.churn");
      expect(num(churn.vacuum_age)!).toBeGreaterThanOrEqual(0);
      expect(num(churn.vacuum_age)!).toBeLessThanOrEqual(num(uptime!.s)! + 1);
      expect(num(churn.analyze_age)!).toBeGreaterThanOrEqual(0);
      expect(num(churn.dead_percent)).toBeCloseTo(60, 6);
      for (const quiet of ["public.quiet", "public.empty", "public.patient"]) {
        expect(mustFind("vacuum_age", rows, quiet)).toMatchObject({ vacuum_age: null, analyze_age: null });
      }
      expect(rows[1]!.relation).toBe("public.churn");
      expect(num(rows[0]!.vacuum_age)).toBe(num(churn.vacuum_age));
      expect(num(rows[0]!.dead_tuples)).toBe(rows.slice(1).reduce((acc, r) => acc + num(r.dead_tuples)!, 0));
    });

    test("vacuum_age() has no age for a table just vacuumed and analyzed", async () => {
      await cluster.exec("VACUUM ANALYZE public.churn", APP);
      const read = async () => mustFind("vacuum_age", await call(APP, "vacuum_age", ["1000"]), "public.churn");
      expect(await eventually(read, (r) => num(r.dead_tuples) === 0)).toMatchObject({
        vacuum_age: null,
        analyze_age: null,
        dead_tuples: "0",
      });
    });

    test("vacuum_age() counts inserts toward a vacuum from PostgreSQL 13 on, as autovacuum does", async () => {
      await cluster.exec(
        "CREATE TABLE public.appended (n integer) WITH (autovacuum_enabled = off); INSERT INTO public.appended SELECT generate_series(1, 1500);",
        APP,
      );
      const inserted = async () =>
        (await cluster.exec("SELECT n_tup_ins::integer AS n FROM pg_stat_user_tables WHERE relname = 'appended'", APP))[
          0
        ]?.n;
      expect(await eventually(inserted, (n) => n === 1500)).toBe(1500); // counted before ANALYZE resets what it counts from
      await cluster.exec("ANALYZE public.appended", APP);
      const read = async () => mustFind("vacuum_age", await call(APP, "vacuum_age", ["1000"]), "public.appended");
      const row = await eventually(
        read,
        (r) => r.analyze_age === null && (binaries.major < 13 || r.vacuum_age !== null),
      );
      expect(row.vacuum_age === null).toBe(binaries.major < 13);
      expect(row.analyze_age).toBeNull();
    });

    test("no object check lists posemo's own schema: its tables are posemo's to keep, and XID age covers them", async () => {
      // What posemo keeps there (rate samples, the write probe, the inventory), made as bad as each
      // check can see: dead rows past autovacuum's trigger, an unused and an invalid index, a full sequence.
      const own = (name: string) => `${names.schema}.${name}`;
      await cluster.exec(
        `CREATE TABLE ${own("samples")} (n integer, k integer) WITH (autovacuum_enabled = off);
        CREATE INDEX samples_k ON ${own("samples")} (k);
        INSERT INTO ${own("samples")} SELECT g, g FROM generate_series(1, 1000) AS g;
        DELETE FROM ${own("samples")} WHERE n <= 600;
        ANALYZE ${own("samples")};
        CREATE TABLE ${own("probe")} (v integer);
        INSERT INTO ${own("probe")} VALUES (1), (1);
        CREATE SEQUENCE ${own("counter")} MAXVALUE 100;
        SELECT setval('${own("counter")}', 99);`,
        APP,
      );
      await cluster.exec(`CREATE UNIQUE INDEX CONCURRENTLY probe_v ON ${own("probe")} (v)`, APP).catch(() => {});
      try {
        const dead = async () =>
          (await cluster.exec(
            `SELECT n_dead_tup::integer AS n FROM pg_stat_user_tables WHERE relname = 'samples'`,
            APP,
          ))[0]
            ?.n;
        expect(await eventually(dead, (n) => n === 600)).toBe(600);
        const widest: Record<string, string[]> = { table_bloat: ["0", "1000"], index_bloat: ["0", "1000"] };
        const mentions: Record<string, Row[]> = {};
        for (const c of scoped) {
          const rows = await call(APP, c.name, widest[c.name] ?? ["1000"]);
          mentions[c.name] = rows.filter((r) => Object.values(r).some((v) => String(v).includes(`${names.schema}.`)));
        }
        expect(mentions).toEqual(Object.fromEntries(scoped.map((c) => [c.name, []])));
      } finally {
        await cluster.exec(`DROP TABLE ${own("samples")}, ${own("probe")}; DROP SEQUENCE ${own("counter")};`, APP);
      }
    });

    describe("on a hot standby", () => {
      let standby: Standby;
      let onStandby: MonitoringSession;

      beforeAll(async () => {
        await cluster.exec(`GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO ${names.owner}`, APP);
        standby = await startStandby(cluster);
        onStandby = monitoringSession(standby, { ...names, database: APP });
      }, 120_000);

      afterAll(async () => {
        await onStandby?.end();
        await standby?.stop();
        await cluster.exec(`REVOKE SELECT ON ALL SEQUENCES IN SCHEMA public FROM ${names.owner}`, APP);
      }, 60_000);

      test("the object checks see what the primary has, and vacuum_age has no ages to judge", async () => {
        expect(await onStandby.call(check("sequences"))).toEqual(await call(APP, "sequences"));
        expect(await onStandby.call(check("invalid_indexes"))).toEqual(await call(APP, "invalid_indexes"));
        const bloat = await onStandby.call(check("table_bloat"), ["0", "1000"]);
        expect(num(mustFind("table_bloat", bloat, "public.bloated").bloat_percent)!).toBeGreaterThan(80);
        const vacuum = await onStandby.call(check("vacuum_age"), ["1000"]);
        expect(vacuum.every((r) => r.vacuum_age === null && r.unknown_reason === undefined)).toBe(true);
      });
    });
  });
}
