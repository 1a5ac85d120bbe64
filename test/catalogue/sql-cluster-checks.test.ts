/**
 * The cluster-scope checks about sessions, transactions, locks and transaction IDs, on real
 * PostgreSQL: each test sets up what a check should see (a sleeping query, an open or prepared
 * transaction, a lock chain, a limited database or role) and reads it as the monitoring role.
 * Same server majors as sql.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { binariesUnderTest, eventually, num, type Row } from "./sql-fixture.ts";
import {
  burnXids,
  type CheckedCluster,
  expectHiddenWithoutStats,
  holdSession,
  rowTitled,
  startChecked,
  withSessions,
} from "./sql-cluster-fixture.ts";

const WRAP = 2 ** 31;

for (const binaries of binariesUnderTest()) {
  describe(`cluster-scope checks on sessions and IDs, PostgreSQL ${binaries.major} (${binaries.source})`, () => {
    let pg: CheckedCluster;
    const open = (app: string, options?: { user?: string; database?: string }) => holdSession(pg.cluster, app, options);

    beforeAll(async () => {
      pg = await startChecked(binaries, { settings: { max_prepared_transactions: 5 } });
      await pg.cluster.exec("CREATE TABLE public.t (id integer PRIMARY KEY); INSERT INTO public.t VALUES (1);");
    }, 120_000);

    afterAll(async () => {
      await pg?.stop();
    }, 60_000);

    test("server_info() reports the server's version number, its uptime and the time since the last reload", async () => {
      const [server] = await pg.cluster.exec("SELECT current_setting('server_version_num')::integer AS n");
      const before = await pg.first("server_info");
      expect(before.server_version_num).toBe(server!.n);
      expect(before.uptime as number).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await pg.cluster.exec("SELECT pg_reload_conf()");
      const after = await eventually(
        () => pg.first("server_info"),
        (row) => (row.since_reload as number) < (before.since_reload as number),
      );
      expect(after.since_reload as number).toBeLessThan(before.since_reload as number);
      expect(after.uptime as number).toBeGreaterThan(before.uptime as number);
    });

    test("backends() sets each database's sessions against its CONNECTION LIMIT, !TOTAL against the usable slots", async () => {
      await pg.cluster.exec("CREATE DATABASE limited CONNECTION LIMIT 4");
      await withSessions([open("one", { database: "limited" }), open("two", { database: "limited" })], async () => {
        const rows = await pg.call("backends");
        expect(rowTitled("backends", rows, "limited")).toMatchObject({
          connections: 2,
          connection_limit: 4,
          used_percent: 50,
        });
        expect(rowTitled("backends", rows, "postgres")).toMatchObject({ connection_limit: null, used_percent: null });
        const [usable] = await pg.cluster.exec(`SELECT current_setting('max_connections')::integer
            - current_setting('superuser_reserved_connections')::integer
            - coalesce(current_setting('reserved_connections', true)::integer, 0) AS n`);
        expect(rows[0]).toMatchObject({ database: "!TOTAL", connection_limit: usable!.n });
        expect(rows[0]!.connections as number).toBeGreaterThanOrEqual(3);
        expect(num(rows[0]!.used_percent)!).toBeCloseTo(
          (100 * (rows[0]!.connections as number)) / (usable!.n as number),
          4,
        );
      });
    });

    test("role_connections() lists roles with a limit or a session, each against its CONNECTION LIMIT", async () => {
      await pg.cluster.exec("CREATE ROLE limited_role LOGIN CONNECTION LIMIT 2; CREATE ROLE idle_role LOGIN;");
      await withSessions([open("limited", { user: "limited_role" })], async () => {
        const rows = await pg.call("role_connections");
        expect(rows[0]!.role).toBe("!TOTAL");
        expect(rowTitled("role_connections", rows, "limited_role")).toMatchObject({
          connections: 1,
          connection_limit: 2,
          used_percent: 50,
        });
        expect(rowTitled("role_connections", rows, "posemo_mon")).toMatchObject({
          connections: 1,
          connection_limit: null,
          used_percent: null,
        });
        expect(rows.map((r) => r.role)).not.toContain("idle_role");
        const roles = rows.slice(1).map((r) => r.role as string);
        expect(roles).toEqual([...roles].sort());
      });
    });

    test("longest_query() is 0 while nothing runs, then the running statement's age and session", async () => {
      expect(await pg.first("longest_query")).toMatchObject({ longest_query: 0, session: null, unknown_reason: null });
      await withSessions([open("sleeper")], async ([sleeper]) => {
        const sleeping = sleeper!.start("SELECT pg_sleep(60)");
        try {
          const row = await eventually(() => pg.first("longest_query"), (r) => (r.longest_query as number) >= 0.3);
          expect(row.longest_query as number).toBeGreaterThanOrEqual(0.3);
          expect(row.session).toBe(`pid ${sleeper!.pid} postgres@postgres (sleeper)`);
        } finally {
          await pg.cluster.exec(`SELECT pg_cancel_backend(${sleeper!.pid})`);
          await sleeping;
        }
      });
    });

    test("longest_transaction() and idle_in_transaction() see open transactions, idle and aborted, not posemo's own", async () => {
      expect(await pg.first("longest_transaction")).toMatchObject({ longest_transaction: 0, session: null });
      expect(await pg.first("idle_in_transaction")).toMatchObject({ oldest_idle: 0, sessions: 0, session: null });
      await withSessions([open("idler"), open("aborted")], async ([idler, aborted]) => {
        await idler!.run("BEGIN; SELECT 1;");
        await new Promise((resolve) => setTimeout(resolve, 200));
        await aborted!.run("BEGIN;");
        await aborted!.start("SELECT 1 / 0");
        const longest = await pg.first("longest_transaction");
        expect(longest.longest_transaction as number).toBeGreaterThanOrEqual(0.2);
        expect(longest.session).toBe(`pid ${idler!.pid} postgres@postgres (idler)`);
        const idle = await pg.first("idle_in_transaction");
        expect(idle).toMatchObject({ sessions: 2, session: `pid ${idler!.pid} postgres@postgres (idler)` });
        expect(idle.oldest_idle as number).toBeGreaterThanOrEqual(0.2);
        await idler!.run("COMMIT");
        await aborted!.run("ROLLBACK");
      });
      expect(await pg.first("idle_in_transaction")).toMatchObject({ oldest_idle: 0, sessions: 0 });
    });

    test("prepared_transactions() counts them and ages the oldest; xmin_horizon() names it and a holding snapshot", async () => {
      expect(await pg.first("prepared_transactions")).toEqual({
        oldest_prepared: 0,
        prepared: 0,
        gid: null,
        database: null,
        owner: null,
      });
      await withSessions([open("snapshot"), open("preparer")], async ([snapshot, preparer]) => {
        await snapshot!.run("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM public.t;");
        await burnXids(pg.cluster, 1); // the snapshot is older than the prepared transaction, not the same age
        await preparer!.run("BEGIN; INSERT INTO public.t VALUES (2); PREPARE TRANSACTION 'posemo_gid';");
        try {
          await burnXids(pg.cluster, 5);
          const prepared = await pg.first("prepared_transactions");
          expect(prepared.prepared).toBe(1);
          expect(prepared.oldest_prepared as number).toBeGreaterThan(0);
          expect({ gid: prepared.gid, database: prepared.database, owner: prepared.owner }).toEqual({
            gid: "posemo_gid",
            database: "postgres",
            owner: "postgres",
          });
          const rows = await pg.call("xmin_horizon");
          expect(rows.map((r) => r.kind)).toEqual([
            "!MAX",
            "backend",
            "prepared_transaction",
            "replication_slot",
            "replication_slot_catalog",
            "standby_feedback",
          ]);
          const backend = rowTitled("xmin_horizon", rows, "backend");
          expect(num(backend.xmin_age)!).toBeGreaterThanOrEqual(7);
          expect(backend.holder).toBe(`pid ${snapshot!.pid} postgres@postgres (snapshot)`);
          expect(rowTitled("xmin_horizon", rows, "prepared_transaction")).toMatchObject({
            holder: "gid posemo_gid in postgres",
          });
          expect(num(rowTitled("xmin_horizon", rows, "prepared_transaction").xmin_age)!).toBeGreaterThanOrEqual(5);
          expect(rowTitled("xmin_horizon", rows, "replication_slot")).toMatchObject({ xmin_age: null, holder: null });
          expect(rows[0]).toMatchObject({ xmin_age: backend.xmin_age, holder: `backend: ${backend.holder}` });
        } finally {
          await pg.cluster.exec("COMMIT PREPARED 'posemo_gid'");
          await snapshot!.run("COMMIT");
        }
      });
      expect(await pg.first("prepared_transactions")).toEqual({
        oldest_prepared: 0,
        prepared: 0,
        gid: null,
        database: null,
        owner: null,
      });
      expect((await pg.call("xmin_horizon")).every((r) => r.xmin_age === null)).toBe(true);
    });

    test("locks() counts by mode with the waiting ones, and blocked_sessions() follows a chain of two waits", async () => {
      expect((await pg.first("locks")).waiting).toBe(0);
      await withSessions([open("holder"), open("queued"), open("reader")], async ([holder, queued, reader]) => {
        await holder!.run("BEGIN; LOCK TABLE public.t IN ACCESS EXCLUSIVE MODE;");
        await queued!.run("BEGIN;");
        const waits = [queued!.start("LOCK TABLE public.t IN ACCESS EXCLUSIVE MODE")];
        await eventually(() => pg.first("blocked_sessions"), (r) => r.blocked === 1);
        waits.push(reader!.start("SELECT count(*) FROM public.t"));
        const blocked = await eventually(() => pg.first("blocked_sessions"), (r) => r.blocked === 2);
        expect(blocked).toMatchObject({
          blocked: 2,
          chain_depth: 2,
          root_blocker: `pid ${holder!.pid} postgres@postgres (holder), idle in transaction`,
        });
        expect(blocked.longest_wait as number).toBeGreaterThan(0);
        const locks = await pg.first("locks");
        expect(locks.access_exclusive as number).toBeGreaterThanOrEqual(2);
        expect(locks.waiting).toBe(2);
        const modes = [
          "access_share",
          "row_share",
          "row_exclusive",
          "share_update_exclusive",
          "share",
          "share_row_exclusive",
          "exclusive",
          "access_exclusive",
          "predicate",
        ];
        expect(modes.reduce((sum, m) => sum + (locks[m] as number), 0)).toBe(locks.total as number);
        await holder!.run("COMMIT");
        await waits[0]; // queued gets the lock, and holds it until it commits: only then can reader read
        await queued!.run("COMMIT");
        await waits[1];
      });
      expect(await pg.first("blocked_sessions")).toEqual({
        longest_wait: 0,
        blocked: 0,
        chain_depth: 0,
        root_blocker: null,
        unknown_reason: null,
      });
    });

    test("xid_wraparound() ages every database's datfrozenxid as a share of 2^31 and of autovacuum_freeze_max_age", async () => {
      const age = async () => num(rowTitled("xid_wraparound", await pg.call("xid_wraparound"), "postgres").xid_age)!;
      const before = await age();
      await burnXids(pg.cluster, 10);
      expect(await age()).toBeGreaterThanOrEqual(before + 10);
      const [settings] = await pg.cluster.exec("SELECT current_setting('autovacuum_freeze_max_age')::bigint AS freeze");
      expectWraparoundShares(await pg.call("xid_wraparound", [""]), "xid_age", Number(settings!.freeze));
    });

    test("mxid_wraparound() grows when rows are share-locked by two transactions at once", async () => {
      const age = async () => num(rowTitled("mxid_wraparound", await pg.call("mxid_wraparound"), "postgres").mxid_age)!;
      const before = await age();
      await withSessions([open("share1"), open("share2")], async (sessions) => {
        for (const s of sessions) await s.run("BEGIN; SELECT * FROM public.t WHERE id = 1 FOR SHARE;");
        for (const s of sessions) await s.run("COMMIT");
      });
      expect(await age()).toBeGreaterThan(before);
      const [settings] = await pg.cluster.exec(
        "SELECT current_setting('autovacuum_multixact_freeze_max_age')::bigint AS freeze",
      );
      expectWraparoundShares(await pg.call("mxid_wraparound", [""]), "mxid_age", Number(settings!.freeze));
    });

    test("pending_restart() counts and names a reloaded setting that needs a restart, and clears when it is reset", async () => {
      expect(await pg.first("pending_restart")).toEqual({ pending_restart: 0, settings: null });
      await pg.cluster.exec("ALTER SYSTEM SET max_connections = 101");
      await pg.cluster.exec("SELECT pg_reload_conf()");
      try {
        const pending = await eventually(() => pg.first("pending_restart"), (r) => r.pending_restart === 1);
        expect(pending).toEqual({ pending_restart: 1, settings: "max_connections" });
      } finally {
        await pg.cluster.exec("ALTER SYSTEM RESET max_connections");
        await pg.cluster.exec("SELECT pg_reload_conf()");
      }
      expect(await eventually(() => pg.first("pending_restart"), (r) => r.pending_restart === 0)).toEqual({
        pending_restart: 0,
        settings: null,
      });
    });

    test("autovacuum_workers() sets the running workers against autovacuum_max_workers", async () => {
      const [settings] = await pg.cluster.exec("SELECT current_setting('autovacuum_max_workers')::integer AS n");
      const row = await pg.first("autovacuum_workers");
      expect(row.max_workers).toBe(settings!.n);
      expect(row.workers as number).toBeGreaterThanOrEqual(0);
      expect(row.workers as number).toBeLessThanOrEqual(settings!.n as number);
      expect(row.anti_wraparound as number).toBeLessThanOrEqual(row.workers as number);
      expect(num(row.used_percent)!).toBeCloseTo((100 * (row.workers as number)) / (settings!.n as number), 4);
    });

    test("checks that read other roles' sessions report unknown_reason when the owner lacks pg_read_all_stats", async () => {
      await expectHiddenWithoutStats(pg, HIDDEN_WITHOUT_STATS);
    });
  });
}

/** Checks that read other roles' sessions, walsenders or statements: blind without pg_read_all_stats. */
const HIDDEN_WITHOUT_STATS = [
  "autovacuum_workers",
  "backends",
  "blocked_sessions",
  "idle_in_transaction",
  "longest_query",
  "longest_transaction",
  "replication",
  "role_connections",
  "xmin_horizon",
];

/** Each row's percentages follow its age; !MAX comes first and is the oldest row (templates listed). */
function expectWraparoundShares(rows: readonly Row[], ageColumn: string, freezeMaxAge: number): void {
  expect(rows[0]!.database).toBe("!MAX");
  expect(rows.map((r) => r.database)).toEqual(expect.arrayContaining(["postgres", "template0", "template1"]));
  expect(num(rows[0]![ageColumn])).toBe(Math.max(...rows.slice(1).map((r) => num(r[ageColumn])!)));
  for (const row of rows) {
    const age = num(row[ageColumn])!;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(num(row.wraparound_percent)!).toBeCloseTo((100 * age) / WRAP, 6);
    expect(num(row.freeze_max_age_percent)!).toBeCloseTo((100 * age) / freezeMaxAge, 4);
    expect(age).toBeLessThanOrEqual(num(rows[0]![ageColumn])!);
  }
}
