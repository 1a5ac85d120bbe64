/**
 * The cluster-scope checks about WAL, archiving, slots and logical replication on real PostgreSQL:
 * an archiver that succeeds and then fails, a slot that retains WAL and then loses it, and a
 * subscription between two databases of one cluster whose walsender, slot and apply errors the
 * checks must see. A second cluster with default settings does not archive. Streaming standbys are
 * in sql-cluster-replication.test.ts. Same server majors as sql.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { binariesUnderTest, eventually, num } from "./sql-fixture.ts";
import { burnXids, type CheckedCluster, rowTitled, startChecked } from "./sql-cluster-fixture.ts";

/** Fills a little WAL and closes the segment, so it is complete (ready to archive, removable). */
const SWITCH_WAL = "INSERT INTO public.w SELECT generate_series(1, 100); SELECT pg_switch_wal();";

for (const binaries of binariesUnderTest()) {
  const major = binaries.major;
  describe(`cluster-scope checks on WAL and slots, PostgreSQL ${major} (${binaries.source})`, () => {
    let busy: CheckedCluster;
    let plain: CheckedCluster;

    beforeAll(async () => {
      busy = await startChecked(binaries, {
        settings: { wal_level: "logical", archive_mode: "on", archive_command: "'test ! -f posemo_archive_fail'" },
      });
      plain = await startChecked(binaries);
      for (const pg of [busy, plain]) await pg.cluster.exec("CREATE TABLE public.w (n integer)");
    }, 120_000);

    afterAll(async () => {
      await busy?.stop();
      await plain?.stop();
    }, 60_000);

    test("archiver() follows archived segments, then failures with ready files waiting, then recovery", async () => {
      await busy.cluster.exec(SWITCH_WAL);
      const archived = await eventually(
        () => busy.first("archiver"),
        (r) => num(r.archived)! >= 1 && r.ready_files === 0,
      );
      expect(archived).toMatchObject({
        failing: false,
        oldest_ready: 0,
        ready_files: 0,
        failed: "0",
        since_failed: null,
        archiving: true,
        last_failed_wal: null,
      });
      expect(archived.since_archived as number).toBeGreaterThanOrEqual(0);
      const failFlag = join(busy.cluster.dataDir, "posemo_archive_fail");
      writeFileSync(failFlag, "");
      try {
        await busy.cluster.exec(SWITCH_WAL);
        const failing = await eventually(() => busy.first("archiver"), (r) => num(r.failed)! >= 1);
        expect(failing.failing).toBe(true);
        expect(failing.last_failed_wal).toMatch(/^[0-9A-F]{24}$/);
        expect(failing.ready_files as number).toBeGreaterThanOrEqual(1);
        expect(failing.oldest_ready as number).toBeGreaterThan(0);
        expect(failing.since_failed as number).toBeGreaterThanOrEqual(0);
      } finally {
        rmSync(failFlag, { force: true });
      }
      await busy.cluster.exec(SWITCH_WAL);
      expect(await eventually(() => busy.first("archiver"), (r) => r.ready_files === 0, 300)).toMatchObject({
        failing: false,
        ready_files: 0,
        oldest_ready: 0,
      });
    }, 60_000);

    test("archiver() says archiving is off and judges nothing when archive_mode is off", async () => {
      expect(await plain.first("archiver")).toEqual({
        failing: null,
        oldest_ready: null,
        ready_files: 0,
        archived: "0",
        failed: "0",
        since_archived: null,
        since_failed: null,
        archiving: false,
        last_failed_wal: null,
      });
    });

    test("wal_files() counts the segments in pg_wal, and their size covers whole segments", async () => {
      const [segment] = await plain.cluster.exec(
        "SELECT setting::bigint AS bytes FROM pg_settings WHERE name = 'wal_segment_size'",
      );
      const row = await plain.first("wal_files");
      expect(row.wal_files as number).toBeGreaterThanOrEqual(1);
      expect(num(row.wal_size)!).toBeGreaterThanOrEqual((row.wal_files as number) * Number(segment!.bytes));
      const [listed] = await plain.cluster.exec(
        "SELECT count(*)::integer AS n FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'",
      );
      expect(row.wal_files).toBe(listed!.n);
    });

    test(
      "replication_slots() shows an inactive slot's retained WAL; replication_slots_at_risk() sees it lost (13+)",
      async () => {
        expect(await plain.call("replication_slots")).toEqual([{
          slot: "!MAX",
          wal_status: null,
          slots: 0,
          inactive: 0,
          retained_bytes: null,
          safe_wal_size: null,
          inactive_seconds: null,
        }]);
        await plain.cluster.exec("SELECT pg_create_physical_replication_slot('posemo_slot', true)");
        try {
          await plain.cluster.exec(SWITCH_WAL);
          const rows = await plain.call("replication_slots");
          const slot = rowTitled("replication_slots", rows, "posemo_slot");
          expect(slot).toMatchObject({
            wal_status: major >= 13 ? "reserved" : null,
            slots: 1,
            inactive: 1,
            safe_wal_size: null,
          });
          expect(num(slot.retained_bytes)!).toBeGreaterThan(0);
          if (major >= 17) expect(slot.inactive_seconds as number).toBeGreaterThanOrEqual(0);
          else expect(slot.inactive_seconds).toBeNull();
          expect(rows[0]).toMatchObject({ slot: "!MAX", slots: 1, inactive: 1, retained_bytes: slot.retained_bytes });
          if (major >= 13) await expectSlotLost(plain);
        } finally {
          await plain.cluster.exec("SELECT pg_drop_replication_slot('posemo_slot')");
        }
      },
      30_000,
    );

    // A walsender turns "streaming" before its subscriber first reports a replay position,
    // so wait for both: replay_lag_bytes is null until that first report.
    const isReportingSubscription = (row: Record<string, unknown>) =>
      row.standby === "posemo_sub" && row.state === "streaming" && row.replay_lag_bytes !== null;

    test("replication() lists a subscription's walsender; xmin_horizon() names its slot's catalog_xmin", async () => {
      await subscribe(busy);
      const rows = await eventually(() => busy.call("replication"), (r) => r.some(isReportingSubscription));
      expect(rows[0]).toMatchObject({ standby: "!MAX", standbys: 1 });
      const sub = rowTitled("replication", rows, "posemo_sub");
      expect(sub).toMatchObject({ state: "streaming", sync_state: "async", standbys: 1 });
      expect(num(sub.replay_lag_bytes)!).toBeGreaterThanOrEqual(0);
      await burnXids(busy.cluster, 3);
      const horizon = rowTitled("xmin_horizon", await busy.call("xmin_horizon"), "replication_slot_catalog");
      expect(horizon.holder).toBe("posemo_sub");
      expect(num(horizon.xmin_age)!).toBeGreaterThanOrEqual(0);
    }, 30_000);

    test.if(major >= 15)(
      "subscription_errors() counts apply errors of a subscription that hits a duplicate key (15+)",
      async () => {
        const subscription = async () =>
          rowTitled("subscription_errors", await busy.call("subscription_errors"), "posemo_sub");
        expect(await subscription()).toMatchObject({
          apply_errors: "0",
          sync_errors: "0",
          conflicts: major >= 18 ? "0" : null,
        });
        await busy.cluster.exec("INSERT INTO public.s_t VALUES (1)");
        await busy.cluster.exec("INSERT INTO public.s_t VALUES (1)", "pub");
        const failed = await eventually(subscription, (r) => num(r.apply_errors)! >= 1, 200);
        expect(num(failed.apply_errors)!).toBeGreaterThanOrEqual(1);
        const rows = await busy.call("subscription_errors");
        expect(rows[0]).toMatchObject({ subscription: "!TOTAL", apply_errors: failed.apply_errors, sync_errors: "0" });
      },
      30_000,
    );
  });
}

/** Caps slot retention at 1 MB, then switches segments and checkpoints until the slot loses WAL. */
async function expectSlotLost(pg: CheckedCluster): Promise<void> {
  await pg.cluster.exec("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'");
  await pg.cluster.exec("SELECT pg_reload_conf()");
  try {
    const risk = await eventually(
      async () => {
        await pg.cluster.exec(`${SWITCH_WAL} CHECKPOINT;`);
        return pg.first("replication_slots_at_risk");
      },
      (r) => r.at_risk === 1,
      10,
    );
    expect(risk.at_risk).toBe(1);
    expect((risk.lost as number) + (risk.unreserved as number)).toBe(1);
    expect(risk.names).toMatch(/^posemo_slot \((lost|unreserved)\)$/);
    const slot = rowTitled("replication_slots", await pg.call("replication_slots"), "posemo_slot");
    expect(["lost", "unreserved"]).toContain(slot.wal_status as string);
  } finally {
    await pg.cluster.exec("ALTER SYSTEM RESET max_slot_wal_keep_size");
    await pg.cluster.exec("SELECT pg_reload_conf()");
  }
}

/**
 * Publishes public.s_t from database `pub` and subscribes to it from `postgres` in the same cluster.
 * The slot is created apart: CREATE SUBSCRIPTION cannot create it on its own cluster.
 */
async function subscribe(pg: CheckedCluster): Promise<void> {
  await pg.cluster.exec("CREATE DATABASE pub");
  await pg.cluster.exec(
    "CREATE TABLE public.s_t (id integer PRIMARY KEY); CREATE PUBLICATION posemo_pub FOR TABLE public.s_t;",
    "pub",
  );
  await pg.cluster.exec("SELECT pg_create_logical_replication_slot('posemo_sub', 'pgoutput')", "pub");
  await pg.cluster.exec("CREATE TABLE public.s_t (id integer PRIMARY KEY)");
  const conninfo = `host=${pg.cluster.host} port=${pg.cluster.port} dbname=pub user=${pg.cluster.superuser}`;
  await pg.cluster.exec(
    `CREATE SUBSCRIPTION posemo_sub CONNECTION '${conninfo}' PUBLICATION posemo_pub WITH (create_slot = false, slot_name = 'posemo_sub', copy_data = false)`,
  );
}
