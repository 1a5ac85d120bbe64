/**
 * Runs every catalogue check on real PostgreSQL, installed as the installer would (a NOLOGIN owner
 * in pg_monitor only) and called as a LOGIN role with EXECUTE only. Runs on what findPgBinaries()
 * finds, and on every `pgNN` folder of POSEMO_TEST_MAJORS_DIR.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import type { CheckDefinition } from "../../src/catalogue/definition.ts";
import { variantFor } from "../../src/catalogue/definition.ts";
import { fillTemplate } from "../../src/install/quote.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
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

const names = testNames();
const bare = testNames("_bare");

function check(name: string): CheckDefinition {
  const found = catalogue.find((c) => c.name === name);
  if (!found) throw new Error(`no check "${name}" in the catalogue`);
  return found;
}

/**
 * Cluster checks titled by database; `scope: database` checks title objects (sql-database-checks.test.ts),
 * cluster checks titled by standby, slot ... are tested in sql-cluster-*.test.ts.
 */
const titled = catalogue.filter((c) => c.titleColumn === "database" && c.scope === "cluster");
/** Database-titled checks whose first row is not a plain sum: a ratio, the cluster against its own limit, the worst (!MAX). */
const NOT_SUMMED = ["cache_hit_ratio", "backends", "checksum_failures", "xid_wraparound", "mxid_wraparound"];
const summed = titled.filter((c) => !NOT_SUMMED.includes(c.name));

function titles(check: CheckDefinition, rows: readonly Row[]): unknown[] {
  return rows.map((r) => r[check.titleColumn!]);
}

function byTitle(rows: readonly Row[], title: string): Row {
  const row = rows.find((r) => r.database === title);
  if (!row) throw new Error(`no row titled "${title}" in ${JSON.stringify(rows)}`);
  return row;
}

for (const binaries of binariesUnderTest()) {
  describe(`catalogue SQL on PostgreSQL ${binaries.major} (${binaries.source})`, () => {
    /** Checks that exist on this major (the installer skips the others, e.g. io before 16). */
    const available = catalogue.filter((c) => variantFor(c, binaries.major));
    let cluster: Cluster;
    let mon: MonitoringSession;
    const call = (name: string, args?: readonly (string | null)[]) => mon.call(check(name), args);

    beforeAll(async () => {
      cluster = await startCluster({ binaries });
      await installChecks(cluster, available, names, { inPgMonitor: true });
      mon = monitoringSession(cluster, names);
      const [row] = await cluster.exec("SELECT current_setting('server_version') AS version");
      console.log(
        `catalogue SQL: PostgreSQL ${
          row!.version
        } (${binaries.source}: ${binaries.bindir}), ${available.length} checks`,
      );
    }, 120_000);

    afterAll(async () => {
      await mon?.end();
      await cluster?.stop();
    }, 60_000);

    test("the server runs the major the binaries were taken for", async () => {
      const [row] = await cluster.exec("SELECT current_setting('server_version_num')::integer / 10000 AS major");
      expect(row!.major).toBe(binaries.major);
    });

    test.each(available.map((c) => [c.name]))(
      "%s() returns its declared columns, no unknown_reason, as the monitoring role",
      async (name) => {
        const rows = await call(name);
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) {
          expect(Object.keys(row)).toEqual(check(name).columns.map((c) => c.name));
          if ("unknown_reason" in row) expect(row.unknown_reason).toBeNull();
        }
      },
    );

    test.each(titled.map((c) => [c.name]))(
      "%s() lists !TOTAL (or !MAX) first, then databases sorted by name, templates skipped by default",
      async (name) => {
        const all = titles(check(name), await call(name));
        expect(all[0]).toMatch(/^!(TOTAL|MAX)$/);
        const databases = all.slice(1) as string[];
        expect(databases).toEqual([...databases].sort());
        expect(databases).toContain("postgres");
        expect(databases).not.toContain("template0");
        expect(databases).not.toContain("template1");
      },
    );

    test.each(titled.map((c) => [c.name]))(
      "%s() with skip_db_re '' or NULL lists the templates and no NULL-titled row",
      async (name) => {
        for (const arg of ["", null]) {
          const all = titles(check(name), await call(name, [arg]));
          expect(all).toContain("template1");
          expect(all).toContain("template0");
          expect(all.filter((t) => t === null || t === "")).toEqual([]);
        }
      },
    );

    test.each(summed.map((c) => [c.name]))("%s() !TOTAL is the sum of the database rows", async (name) => {
      const rows = await call(name, [""]);
      for (const column of check(name).columns.filter((c) => c.type !== "text")) {
        // A rate check's first call has no change yet (no value), and since_previous is the total's alone.
        const parts = rows.slice(1).map((r) => num(r[column.name])).filter((n) => n !== null);
        if (parts.length === 0) continue;
        expect(num(rows[0]![column.name])!).toBeCloseTo(parts.reduce((acc, n) => acc + n, 0), 3);
      }
    });

    test("alive() is true", async () => {
      expect(await call("alive")).toEqual([{ alive: true }]);
    });

    test("primary() is true on a primary", async () => {
      expect(await call("primary")).toEqual([{ primary: true }]);
    });

    test("standby_lag() has no values on a primary", async () => {
      expect(await call("standby_lag")).toEqual([{
        receive_replay_bytes: null,
        lag_seconds: null,
        replay_paused: null,
      }]);
    });

    test("backup_age() has no value when no backup runs", async () => {
      expect(await call("backup_age")).toEqual([{ backup_age: null, unknown_reason: null }]);
    });

    test("connection_limit() is client backends over the usable slots and counts another session", async () => {
      const [settings] = await cluster.exec(`SELECT current_setting('max_connections')::integer
          - current_setting('superuser_reserved_connections')::integer
          - coalesce(current_setting('reserved_connections', true)::integer, 0) AS usable`);
      const other = cluster.sql();
      await other`SELECT 1`;
      const [row] = await call("connection_limit");
      await other.end();
      expect(row!.usable_connections).toBe(settings!.usable);
      expect(row!.connections as number).toBeGreaterThanOrEqual(1);
      // That the caller's own session is left out is proven through the CLI (connection-failures.test.ts: exactly 100 %).
      expect(num(row!.connection_limit)!).toBeCloseTo(
        (100 * (row!.connections as number)) / (settings!.usable as number),
        4,
      );
      expect(num(row!.connection_limit)!).toBeGreaterThan(0);
      expect(num(row!.connection_limit)!).toBeLessThanOrEqual(100);
    });

    test("db_size() reports postgres over 1 MB", async () => {
      expect(num(byTitle(await call("db_size"), "postgres").size)!).toBeGreaterThan(1024 * 1024);
    });

    test("cache_hit_ratio() is NULL or 0..100, and NULL for never-read template0", async () => {
      const rows = await call("cache_hit_ratio", [""]);
      for (const row of rows) {
        for (const ratio of [num(row.cache_hit_ratio), num(row.lifetime_ratio)]) {
          if (ratio !== null) expect(ratio >= 0 && ratio <= 100).toBe(true);
        }
      }
      expect(byTitle(rows, "template0").lifetime_ratio).toBeNull();
    });

    test("activity() counts the calling session as active and an open transaction as idle in transaction", async () => {
      const superuser = cluster.sql();
      const rows = await superuser.begin(async (tx) => {
        await tx`SELECT 1`;
        return await call("activity");
      });
      const postgres = byTitle(rows, "postgres");
      expect(postgres.active as number).toBeGreaterThanOrEqual(1);
      expect(postgres.idle_in_transaction as number).toBeGreaterThanOrEqual(1);
      expect(rows[0]!.active as number).toBeGreaterThanOrEqual(1);
    });

    test("transactions() xact_commit grows after a commit", async () => {
      const commits = async () => num(byTitle(await call("transactions"), "postgres").xact_commit)!;
      const before = await commits();
      await cluster.exec("SELECT 1"); // a session that commits and exits, which flushes its statistics
      expect(await eventually(commits, (n) => n > before)).toBeGreaterThan(before);
    });

    test("checkpoints() requested grows after CHECKPOINT", async () => {
      const requested = async () => num((await call("checkpoints"))[0]!.requested)!;
      const before = await requested();
      await cluster.exec("CHECKPOINT");
      expect(await eventually(requested, (n) => n > before)).toBeGreaterThan(before);
    });

    test("allocated_buffers() becomes positive once the server has worked", async () => {
      const allocated = async () => num((await call("allocated_buffers"))[0]!.buffers_alloc)!;
      expect(await eventually(allocated, (n) => n > 0)).toBeGreaterThan(0);
    });

    test.each([["checkpoint_time"], ["bgwriter_pressure"], ["read_write_time"], ["crud_count"]])(
      "%s() values are non-negative numbers",
      async (name) => {
        for (const row of await call(name)) {
          for (const column of check(name).columns.filter((c) => c.type !== "text")) {
            expect(num(row[column.name])!).toBeGreaterThanOrEqual(0);
          }
        }
      },
    );

    test("writeable() inserts one row written by the monitoring role and drops rows older than a day", async () => {
      await cluster.exec(`INSERT INTO ${names.schema}.writeable_probe (written_at) VALUES (now() - interval '2 days')`);
      const [before] = await cluster.exec(
        `SELECT count(*)::integer AS n FROM ${names.schema}.writeable_probe WHERE written_at > now() - interval '1 day'`,
      );
      const [row] = await call("writeable");
      expect(num(row!.write_time)!).toBeGreaterThanOrEqual(0);
      const after = await cluster.exec(
        `SELECT written_by::text AS who, written_at > now() - interval '1 day' AS recent FROM ${names.schema}.writeable_probe`,
      );
      expect(after.filter((r) => !r.recent)).toEqual([]);
      expect(after.length).toBe((before!.n as number) + 1);
      expect(after.every((r) => r.who === names.monitoring)).toBe(true);
    });

    test("writeable's setup.sql runs again without error", async () => {
      await cluster.exec(fillTemplate(variantFor(check("writeable"), binaries.major)!.setup!, names));
    });

    test("the monitoring role cannot write the probe table except through writeable()", async () => {
      const direct = monitoringSession(cluster, names);
      try {
        await expect(direct.sql(`INSERT INTO ${names.schema}.writeable_probe DEFAULT VALUES`)).rejects.toThrow(
          /permission denied/,
        );
      } finally {
        await direct.end();
      }
    });

    test("checks that read other roles' sessions report unknown_reason when the owner lacks pg_read_all_stats", async () => {
      const hidden = ["activity", "connection_limit", ...(binaries.major >= 13 ? ["backup_age"] : [])].map(check);
      await installChecks(cluster, hidden, bare, { inPgMonitor: false });
      const session = monitoringSession(cluster, bare);
      try {
        for (const c of hidden) {
          for (const row of await session.call(c)) expect(String(row.unknown_reason)).toContain("pg_read_all_stats");
        }
      } finally {
        await session.end();
      }
    });
  });
}
