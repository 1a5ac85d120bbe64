/**
 * `posemo check` through the real CLI against a primary and a real streaming standby of it. posemo
 * is installed on the primary only; the standby gets the functions and roles by replication. Role
 * checks, lag while replay is paused and after it resumes, WAL retained by an idle slot, and a
 * write probe that goes CRITICAL within its threshold (not hangs) when the synchronous standby is
 * gone. The primary runs with synchronous_commit = on (the harness turns it off for speed), or
 * commits would not wait for the standby at all.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { type CliOutcome, connectionArgs, runCli } from "../harness/cli.ts";
import { spawnCli } from "../harness/spawn-cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { REPLICATION_HBA, type Standby, startStandby } from "../harness/standby.ts";
import { eventually } from "../catalogue/sql-fixture.ts";

interface JsonValue {
  row?: string;
  column: string;
  value: number | boolean | null;
  unit: string;
  status: string;
}
interface JsonCheck {
  name: string;
  status: string;
  error: string | null;
  values: JsonValue[];
}
interface JsonReport {
  status: string;
  exit_code: number;
  checks: JsonCheck[];
}

type Server = { host: string; port: number };

let primary: Cluster;
let standby: Standby | undefined;

/** Waits until the standby has replayed everything the primary wrote so far. */
async function caughtUp(): Promise<void> {
  const [target] = await primary.exec("SELECT pg_current_wal_insert_lsn()::text AS lsn");
  const replayed = async () =>
    (await standby!.exec(`SELECT pg_last_wal_replay_lsn() >= '${target!.lsn}'::pg_lsn AS done`))[0]!.done as boolean;
  expect(await eventually(replayed, (done) => done)).toBe(true);
}

beforeAll(async () => {
  primary = await startCluster({ hba: REPLICATION_HBA, settings: { synchronous_commit: "on" } });
  await primary.exec("CREATE TABLE public.filler (n integer)");
  standby = await startStandby(primary);
  const installed = await runCli(["install", ...connectionArgs(primary, "postgres"), "--create-database"]);
  if (installed.exitCode !== 0) throw new Error(`posemo install failed: ${installed.stderr}`);
  await caughtUp();
}, 120_000);

afterAll(async () => {
  await standby?.stop();
  await primary?.stop();
}, 60_000);

function check(server: Server, ...args: string[]): Promise<CliOutcome> {
  return runCli(["check", ...connectionArgs(server, "posemo", "posemo"), ...args]);
}

async function checkJson(server: Server, ...args: string[]): Promise<JsonReport> {
  const out = await check(server, "--format", "json", ...args);
  try {
    return (JSON.parse(out.stdout) as { hosts: JsonReport[] }).hosts[0]!;
  } catch {
    throw new Error(`check printed no JSON (exit ${out.exitCode}): ${out.stdout}${out.stderr}`);
  }
}

function value(report: JsonReport, column: string): number | boolean | null {
  const found = report.checks[0]?.values.find((v) => v.column === column);
  if (!found) throw new Error(`no value "${column}" in ${JSON.stringify(report.checks)}`);
  return found.value;
}

describe("posemo check on a primary and its streaming standby", () => {
  test("the standby received the install: --check primary is true on the primary, false on the standby", async () => {
    expect(value(await checkJson(primary, "--check", "primary"), "primary")).toBe(true);
    expect(value(await checkJson(standby!, "--check", "primary"), "primary")).toBe(false);
  });

  test("--check primary -c 1: is OK on the primary and CRITICAL on the standby", async () => {
    const onPrimary = await check(primary, "--check", "primary", "-c", "1:");
    const onStandby = await check(standby!, "--check", "primary", "-c", "1:");
    expect([onPrimary.exitCode, onPrimary.stdout.split(" ")[1]]).toEqual([0, "OK"]);
    expect([onStandby.exitCode, onStandby.stdout.split(" ")[1]]).toEqual([2, "CRITICAL"]);
  });

  test("--check all on the standby: every check runs; only the write probe fails, CRITICAL as read-only", async () => {
    const report = await checkJson(standby!, "--check", "all");
    const unknown = report.checks.filter((c) => c.status === "unknown").map((c) => `${c.name}: ${c.error}`);
    expect(unknown).toEqual([]);
    const writeable = report.checks.find((c) => c.name === "writeable");
    expect(writeable?.status).toBe("critical");
    expect(writeable?.error).toContain("read-only");
  });

  test("standby_lag grows while replay is paused (WARNING with -w 0) and returns to 0 (OK) when resumed", async () => {
    await primary.exec("INSERT INTO public.filler VALUES (0)");
    await caughtUp();
    const lag = () => checkJson(standby!, "--check", "standby_lag", "-w", "0");
    const idle = await lag();
    expect([value(idle, "receive_replay_bytes"), value(idle, "lag_seconds"), idle.status]).toEqual([0, 0, "ok"]);
    await standby!.exec("SELECT pg_wal_replay_pause()");
    try {
      await primary.exec("INSERT INTO public.filler SELECT generate_series(1, 1000)");
      const first = await eventually(lag, (r) => (value(r, "receive_replay_bytes") as number) > 0);
      expect(first.status).toBe("warning");
      expect(value(first, "lag_seconds") as number).toBeGreaterThan(0);
      await primary.exec("INSERT INTO public.filler SELECT generate_series(1, 1000)");
      const before = value(first, "receive_replay_bytes") as number;
      const grown = await eventually(lag, (r) => (value(r, "receive_replay_bytes") as number) > before);
      expect(value(grown, "receive_replay_bytes") as number).toBeGreaterThan(before);
    } finally {
      await standby!.exec("SELECT pg_wal_replay_resume()");
    }
    const resumed = await eventually(lag, (r) => value(r, "receive_replay_bytes") === 0);
    expect([value(resumed, "receive_replay_bytes"), value(resumed, "lag_seconds"), resumed.status]).toEqual([
      0,
      0,
      "ok",
    ]);
  });

  const slots = catalogue.some((c) => c.name === "replication_slots");
  if (!slots) console.log('skipped: check "replication_slots" is not in the catalogue yet');
  test.if(slots)(
    "replication_slots sees the WAL an idle physical slot retains (inactive, and WARNING above -w 1 MiB)",
    async () => {
      await primary.exec("SELECT pg_create_physical_replication_slot('posemo_idle', true)");
      try {
        await primary.exec("INSERT INTO public.filler SELECT generate_series(1, 20000); SELECT pg_switch_wal()");
        const [held] = await primary.exec(
          "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint AS bytes FROM pg_replication_slots WHERE slot_name = 'posemo_idle'",
        );
        expect(Number(held!.bytes)).toBeGreaterThan(1024 * 1024);
        const report = await checkJson(primary, "--check", "replication_slots", "-w", String(1024 * 1024));
        const slot = (column: string) =>
          report.checks[0]!.values.find((v) => v.row === "posemo_idle" && v.column === column)?.value;
        expect(slot("retained_bytes") as number).toBeGreaterThanOrEqual(Number(held!.bytes));
        expect(slot("inactive")).toBe(1);
        expect(report.checks[0]!.status).toBe("warning");
      } finally {
        await primary.exec("SELECT pg_drop_replication_slot('posemo_idle')");
      }
    },
  );

  test("synchronous_standby_names = '*': writeable is OK with the standby, CRITICAL within its threshold once it stops", async () => {
    await primary.exec("ALTER SYSTEM SET synchronous_standby_names = '*'");
    await primary.exec("SELECT pg_reload_conf()");
    const synced = async () =>
      (await primary.exec("SELECT count(*)::int AS n FROM pg_stat_replication WHERE sync_state = 'sync'"))[0]!
        .n as number;
    expect(await eventually(synced, (n) => n === 1)).toBe(1);
    const writeable = () =>
      spawnCli(["check", ...connectionArgs(primary, "posemo", "posemo"), "--check", "writeable", "-c", "2"], {
        timeoutMs: 30_000,
      });
    const withStandby = await writeable();
    expect([withStandby.exitCode, withStandby.stdout.split(" ")[1]]).toEqual([0, "OK"]);
    await standby!.stop();
    standby = undefined;
    const alone = await writeable();
    expect(alone.exitCode).toBe(2);
    expect(alone.stdout).toContain("did not commit within 2 s");
    // A correctness bound (it returned instead of hanging), not a speed target.
    expect(alone.elapsedMs).toBeLessThan(10_000);
  });
});
