/**
 * The checks that only mean something with replication or backups: on a hot standby (primary,
 * standby_lag, checkpoints as restartpoints, writeable refused) and while a backup runs
 * (backup_age). Same server majors as sql.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import type { CheckDefinition } from "../../src/catalogue/definition.ts";
import { variantFor } from "../../src/catalogue/definition.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { REPLICATION_HBA, type Standby, startStandby } from "../harness/standby.ts";
import {
  basebackupClientFor,
  binariesUnderTest,
  eventually,
  installChecks,
  type MonitoringSession,
  monitoringSession,
  num,
  testNames,
} from "./sql-fixture.ts";

const names = testNames();

function check(name: string): CheckDefinition {
  const found = catalogue.find((c) => c.name === name);
  if (!found) throw new Error(`no check "${name}" in the catalogue`);
  return found;
}

for (const binaries of binariesUnderTest()) {
  describe(`catalogue SQL with replication and backups on PostgreSQL ${binaries.major} (${binaries.source})`, () => {
    /** Checks that exist on this major (the installer skips the others). */
    const available = catalogue.filter((c) => variantFor(c, binaries.major));
    let primary: Cluster;
    let standby: Standby;
    let onPrimary: MonitoringSession;
    let onStandby: MonitoringSession;

    /** Waits until the standby replayed all the primary inserted (not just wrote: synchronous_commit is off). */
    async function caughtUp(): Promise<void> {
      const [target] = await primary.exec("SELECT pg_current_wal_insert_lsn()::text AS lsn");
      const replayed = async () =>
        (await standby.exec(`SELECT pg_last_wal_replay_lsn() >= '${target!.lsn}'::pg_lsn AS done`))[0]!.done as boolean;
      expect(await eventually(replayed, (done) => done)).toBe(true);
    }

    beforeAll(async () => {
      primary = await startCluster({ binaries, hba: REPLICATION_HBA });
      await installChecks(primary, available, names, { inPgMonitor: true });
      await primary.exec("CREATE TABLE public.filler (n integer)");
      standby = await startStandby(primary);
      onPrimary = monitoringSession(primary, names);
      onStandby = monitoringSession(standby, names);
      console.log(`catalogue SQL with a standby: PostgreSQL ${binaries.major} (${binaries.source})`);
    }, 120_000);

    afterAll(async () => {
      await onStandby?.end();
      await onPrimary?.end();
      await standby?.stop();
      await primary?.stop();
    }, 60_000);

    test.each(available.filter((c) => !c.writes).map((c) => [c.name]))(
      "%s() runs on the standby as the monitoring role",
      async (name) => {
        const rows = await onStandby.call(check(name));
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) if ("unknown_reason" in row) expect(row.unknown_reason).toBeNull();
      },
    );

    test("primary() is false on the standby", async () => {
      expect(await onStandby.call(check("primary"))).toEqual([{ primary: false }]);
    });

    test("standby_lag() is 0 when caught up, and grows in bytes and seconds while replay is paused", async () => {
      await primary.exec("INSERT INTO public.filler VALUES (0)"); // a replayed commit: the seconds count from it
      await caughtUp();
      expect(await onStandby.call(check("standby_lag"))).toEqual([{
        receive_replay_bytes: "0",
        lag_seconds: 0,
        replay_paused: false,
      }]);
      await standby.exec("SELECT pg_wal_replay_pause()");
      try {
        await primary.exec("INSERT INTO public.filler SELECT generate_series(1, 1000)");
        const lag = async () => (await onStandby.call(check("standby_lag")))[0]!;
        const paused = await eventually(lag, (row) => num(row.receive_replay_bytes)! > 0);
        expect(num(paused.receive_replay_bytes)!).toBeGreaterThan(0);
        expect(num(paused.lag_seconds)!).toBeGreaterThan(0);
      } finally {
        await standby.exec("SELECT pg_wal_replay_resume()");
      }
    });

    test("checkpoints() on the standby counts restartpoints, as before PostgreSQL 17", async () => {
      await primary.exec("CHECKPOINT");
      await caughtUp();
      const requested = async () => num((await onStandby.call(check("checkpoints")))[0]!.requested)!;
      const before = await requested();
      await standby.exec("CHECKPOINT");
      expect(await eventually(requested, (n) => n > before)).toBeGreaterThan(before);
    });

    test("writeable() on the standby fails as a read-only transaction (SQLSTATE 25006)", async () => {
      await expect(onStandby.call(check("writeable"))).rejects.toMatchObject({ code: "25006" });
    });

    test.if(binaries.major <= 14)("backup_age() sees an exclusive backup (PostgreSQL 12-14)", async () => {
      await primary.exec("SELECT pg_start_backup('posemo-test', true, true)");
      try {
        const [row] = await onPrimary.call(check("backup_age"));
        expect(row!.backup_age as number).toBeGreaterThanOrEqual(0);
      } finally {
        await primary.exec("SELECT pg_stop_backup()");
      }
      expect((await onPrimary.call(check("backup_age")))[0]!.backup_age).toBeNull();
    });

    const client = binaries.major >= 13 ? basebackupClientFor(binaries.bindir, binaries.major) : undefined;
    test.if(client !== undefined)(
      "backup_age() sees a streaming base backup (PostgreSQL 13+, needs a pg_basebackup client)",
      async () => {
        const args = [
          "-h",
          primary.host,
          "-p",
          String(primary.port),
          "-U",
          "postgres",
          "-D",
          "-",
          "-Ft",
          "-X",
          "none",
          "--max-rate=32k",
        ];
        const backup = spawn(client!, args, { stdio: "ignore" });
        const age = async () => (await onPrimary.call(check("backup_age")))[0]!.backup_age as number | null;
        try {
          expect(await eventually(age, (a) => a !== null)).toBeGreaterThanOrEqual(0);
        } finally {
          const exited = backup.exitCode === null ? new Promise((done) => backup.once("exit", done)) : undefined;
          backup.kill("SIGTERM");
          await exited;
        }
        expect(await eventually(age, (a) => a === null)).toBeNull();
      },
    );
  });
}
