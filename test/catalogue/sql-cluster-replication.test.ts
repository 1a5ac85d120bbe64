/**
 * The cluster-scope checks that need a real streaming standby: replication() seen from the primary
 * (lag grows while replay is paused and shrinks when it resumes), standby_lag's replay_paused,
 * hot_standby_feedback in xmin_horizon(), recovery conflicts counted on the standby, restartpoints
 * in checkpointer(), and what the primary-side checks say on a standby. Same server majors as
 * sql.test.ts; mirrors sql-replication.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { REPLICATION_HBA, type Standby, startStandby } from "../harness/standby.ts";
import {
  binariesUnderTest,
  eventually,
  type MonitoringSession,
  monitoringSession,
  num,
  testNames,
} from "./sql-fixture.ts";
import { burnXids, check, type CheckedCluster, holdSession, rowTitled, startChecked } from "./sql-cluster-fixture.ts";

for (const binaries of binariesUnderTest()) {
  const major = binaries.major;
  describe(`cluster-scope checks with a streaming standby, PostgreSQL ${major} (${binaries.source})`, () => {
    let primary: CheckedCluster;
    let standby: Standby;
    let onStandby: MonitoringSession;
    const standbyCall = (name: string) => onStandby.call(check(name));
    const standbyFirst = async (name: string) => (await standbyCall(name))[0]!;

    /** Waits until the standby replayed all the primary wrote (synchronous_commit is off). */
    async function caughtUp(): Promise<void> {
      const [target] = await primary.cluster.exec("SELECT pg_current_wal_insert_lsn()::text AS lsn");
      const replayed = async () =>
        (await standby.exec(`SELECT pg_last_wal_replay_lsn() >= '${target!.lsn}'::pg_lsn AS done`))[0]!.done as boolean;
      expect(await eventually(replayed, (done) => done)).toBe(true);
    }

    /** Sets a standby setting that a reload applies (ALTER SYSTEM works in recovery). */
    async function standbySetting(name: string, value: string | undefined): Promise<void> {
      await standby.exec(value === undefined ? `ALTER SYSTEM RESET ${name}` : `ALTER SYSTEM SET ${name} = ${value}`);
      await standby.exec("SELECT pg_reload_conf()");
    }

    beforeAll(async () => {
      primary = await startChecked(binaries, { hba: REPLICATION_HBA });
      await primary.cluster.exec("CREATE TABLE public.filler (n integer)");
      standby = await startStandby(primary.cluster);
      onStandby = monitoringSession(standby, testNames());
    }, 120_000);

    afterAll(async () => {
      await onStandby?.end();
      await standby?.stop();
      await primary?.stop();
    }, 60_000);

    test(
      "replication() on the primary lists the standby streaming, and its replay lag grows while paused",
      async () => {
        await primary.cluster.exec("INSERT INTO public.filler VALUES (0)");
        await caughtUp();
        const idle = await eventually(() => primary.call("replication"), (r) => num(r[0]!.replay_lag_bytes) === 0);
        expect(idle).toHaveLength(2);
        expect(idle[0]).toMatchObject({
          standby: "!MAX",
          state: null,
          sync_state: null,
          standbys: 1,
          replay_lag_bytes: "0",
        });
        expect(idle[1]).toMatchObject({
          standby: "walreceiver",
          state: "streaming",
          sync_state: "async",
          standbys: 1,
          write_lag_bytes: "0",
          flush_lag_bytes: "0",
        });
        expect(await standbyFirst("standby_lag")).toMatchObject({ replay_paused: false });
        await standby.exec("SELECT pg_wal_replay_pause()");
        try {
          expect(await standbyFirst("standby_lag")).toMatchObject({ replay_paused: true });
          await primary.cluster.exec("INSERT INTO public.filler SELECT generate_series(1, 1000)");
          const paused = await eventually(
            () => primary.first("replication"),
            (r) => num(r.replay_lag_bytes)! > 0 && num(r.flush_lag_bytes) === 0,
          );
          expect(num(paused.replay_lag_bytes)!).toBeGreaterThan(0);
        } finally {
          await standby.exec("SELECT pg_wal_replay_resume()");
        }
        const resumed = await eventually(() => primary.first("replication"), (r) => num(r.replay_lag_bytes) === 0);
        expect(num(resumed.replay_lag_bytes)).toBe(0);
        expect(await standbyFirst("standby_lag")).toMatchObject({ replay_paused: false });
      },
      30_000,
    );

    test("replication() and replication_slots() on the standby see no walsender and no slot, without failing", async () => {
      expect(await standbyCall("replication")).toEqual([
        expect.objectContaining({ standby: "!MAX", standbys: 0, replay_lag_bytes: null, unknown_reason: null }),
      ]);
      expect(await standbyCall("replication_slots")).toEqual([
        expect.objectContaining({ slot: "!MAX", slots: 0, retained_bytes: null }),
      ]);
    });

    test("xmin_horizon() on the primary names the standby's hot_standby_feedback and ages it", async () => {
      const snapshot = await holdSession(standby, "standby_snapshot");
      try {
        await snapshot.run("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM public.filler;");
        await standbySetting("hot_standby_feedback", "on");
        const feedback = async () => rowTitled("xmin_horizon", await primary.call("xmin_horizon"), "standby_feedback");
        expect((await eventually(feedback, (r) => r.xmin_age !== null)).holder).toMatch(/^pid \d+ walreceiver$/);
        await burnXids(primary.cluster, 5);
        expect(num((await feedback()).xmin_age)!).toBeGreaterThanOrEqual(5);
        await snapshot.run("COMMIT");
      } finally {
        await snapshot.close();
        await standbySetting("hot_standby_feedback", undefined);
      }
    }, 30_000);

    test("recovery_conflicts() on the standby counts a query cancelled by a replayed exclusive lock", async () => {
      await standbySetting("max_standby_streaming_delay", "0");
      const reader = await holdSession(standby, "standby_reader");
      try {
        await reader.run("BEGIN; SELECT count(*) FROM public.filler;");
        await primary.cluster.exec("BEGIN; LOCK TABLE public.filler IN ACCESS EXCLUSIVE MODE; COMMIT;");
        const lock = async () =>
          num(rowTitled("recovery_conflicts", await standbyCall("recovery_conflicts"), "postgres").lock)!;
        expect(await eventually(lock, (n) => n >= 1)).toBe(1);
        expect(num((await standbyFirst("recovery_conflicts")).lock)).toBe(1);
      } finally {
        await reader.close().catch(() => {});
        await standbySetting("max_standby_streaming_delay", undefined);
      }
    }, 30_000);

    test("checkpointer() on the standby counts restartpoints apart from 17, as checkpoints before", async () => {
      await primary.cluster.exec("CHECKPOINT");
      await caughtUp();
      const column = major >= 17 ? "restartpoints_requested" : "checkpoints_requested";
      const requested = async () => num((await standbyFirst("checkpointer"))[column])!;
      const before = await requested();
      await standby.exec("CHECKPOINT");
      expect(await eventually(requested, (n) => n > before)).toBeGreaterThan(before);
    });
  });
}
