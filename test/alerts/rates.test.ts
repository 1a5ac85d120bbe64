/**
 * Issue 9 item 6: cumulative counters are judged on their change since the same caller's previous
 * run, the sample kept server-side (an unlogged table in posemo's schema, written by the SECURITY
 * DEFINER function, bounded, keyed per caller); the first run says it took a baseline; lifetime
 * totals stay in the values. Through the real CLI against a real cluster.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { cellOf, installPosemo, type JsonCheck, runCheck } from "./alerts-fixture.ts";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ settings: { deadlock_timeout: "'50ms'" } });
  await cluster.exec("CREATE DATABASE app");
  await cluster.exec(
    "CREATE TABLE public.pair (id int PRIMARY KEY, n int); INSERT INTO public.pair VALUES (1, 0), (2, 0)",
    "app",
  );
  await installPosemo(cluster);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

async function run(name: string, ...args: string[]): Promise<{ exitCode: number; check: JsonCheck }> {
  const { exitCode, check } = await runCheck(cluster, name, ...args);
  return { exitCode, check: check! };
}

function value(check: JsonCheck, row: string, column: string): unknown {
  return cellOf(check, row, column)?.value;
}

/** Polls pg_stat_database until `column` of database app exceeds `before`: statistics reach it asynchronously. */
async function statsReach(column: "temp_files" | "deadlocks", before: number): Promise<void> {
  for (;;) {
    const [row] = await cluster.exec(
      `SELECT pg_catalog.pg_stat_clear_snapshot(), ${column}::integer AS n FROM pg_catalog.pg_stat_database WHERE datname = 'app'`,
    );
    if ((row!.n as number) > before) return;
    await Bun.sleep(50); // the statistics have no event to await
  }
}

async function counted(column: "temp_files" | "deadlocks"): Promise<number> {
  const [row] = await cluster.exec(
    `SELECT ${column}::integer AS n FROM pg_catalog.pg_stat_database WHERE datname = 'app'`,
  );
  return row!.n as number;
}

/** A sort that spills to disk in database app: at least one temporary file, once the statistics show it. */
async function spill(): Promise<void> {
  const before = await counted("temp_files");
  await cluster.exec(
    "SET work_mem = '64kB'; SELECT count(*) FROM (SELECT g FROM generate_series(1, 100000) AS g ORDER BY g DESC) AS s",
    "app",
  );
  await statsReach("temp_files", before);
}

/** Two sessions that wait on each other: the deadlock detector cancels one. */
async function deadlock(): Promise<void> {
  const before = await counted("deadlocks");
  const a = cluster.sql("app");
  const b = cluster.sql("app");
  try {
    await Promise.all([a`SELECT 1`, b`SELECT 1`]);
    const first = a.begin(async (tx) => {
      await tx`UPDATE public.pair SET n = n + 1 WHERE id = 1`;
      await tx`SELECT pg_catalog.pg_sleep(0.2)`;
      await tx`UPDATE public.pair SET n = n + 1 WHERE id = 2`;
    });
    const second = b.begin(async (tx) => {
      await tx`UPDATE public.pair SET n = n + 1 WHERE id = 2`;
      await tx`SELECT pg_catalog.pg_sleep(0.2)`;
      await tx`UPDATE public.pair SET n = n + 1 WHERE id = 1`;
    });
    const outcomes = await Promise.allSettled([first, second]);
    expect(outcomes.filter((o) => o.status === "rejected").map((o) => String((o as PromiseRejectedResult).reason)))
      .toEqual([expect.stringContaining("deadlock detected")]);
  } finally {
    await Promise.all([a.end(), b.end()]);
  }
  await statsReach("deadlocks", before);
}

describe("counters judged on their change since the caller's previous run", () => {
  test(
    "temp_files: the first run takes a baseline; spilled files warn once, then clear while the lifetime total stays",
    async () => {
      await spill();
      const first = await run("temp_files", "-w", "0");
      expect(first.check.status).toBe("ok");
      expect(first.check.message).toMatch(/not judged: first run for caller posemo@local: baseline taken/);
      expect(value(first.check, "!TOTAL", "temp_files")).toBeNull();
      const lifetime = value(first.check, "app", "total_temp_files") as number;
      expect(lifetime).toBeGreaterThanOrEqual(1);
      await spill();
      const second = await run("temp_files", "-w", "0");
      expect(second.exitCode).toBe(1);
      expect(value(second.check, "app", "temp_files") as number).toBeGreaterThanOrEqual(1);
      expect(value(second.check, "!TOTAL", "since_previous") as number).toBeGreaterThan(0);
      const third = await run("temp_files", "-w", "0");
      expect(third.exitCode).toBe(0);
      expect(value(third.check, "app", "temp_files")).toBe(0);
      expect(value(third.check, "app", "total_temp_files") as number).toBeGreaterThan(lifetime);
    },
    60_000,
  );

  test("deadlocks: one deadlock WARNs by default on the next run only", async () => {
    await run("deadlocks");
    await deadlock();
    const after = await run("deadlocks");
    expect(after.check.status).toBe("warning");
    expect(value(after.check, "app", "deadlocks")).toBe(1);
    const later = await run("deadlocks");
    expect(later.check.status).toBe("ok");
    expect(value(later.check, "app", "total_deadlocks")).toBe(1);
  }, 60_000);

  test("cache_hit_ratio: judged over the interval, not the lifetime; too few requests are not judged", async () => {
    await run("cache_hit_ratio");
    await cluster.exec("SELECT count(*) FROM public.pair", "app");
    const quiet = await run("cache_hit_ratio");
    expect(value(quiet.check, "app", "cache_hit_ratio")).toBeNull();
    expect(value(quiet.check, "app", "lifetime_ratio") as number).toBeGreaterThan(0);
    expect(quiet.check.status).toBe("ok");
  }, 60_000);

  test("callers are kept apart: --arg caller=NAME has its own baseline", async () => {
    const other = await run("deadlocks", "--arg", "caller=zabbix");
    expect(other.check.message).toContain("first run for caller zabbix");
    expect((await run("deadlocks", "--arg", "caller=zabbix")).check.message).not.toContain("baseline");
  }, 60_000);

  test(
    "the samples are bounded (32 callers), unlogged, the owner role's; the monitoring role cannot touch them",
    async () => {
      for (let i = 0; i < 36; i++) await run("deadlocks", "--arg", `caller=c${i}`);
      const [facts] = await cluster.exec(
        `SELECT (SELECT count(*)::integer FROM posemo.deadlocks_samples) AS callers,
        c.relpersistence AS persistence, pg_catalog.pg_get_userbyid(c.relowner) AS owner,
        pg_catalog.has_table_privilege('posemo', c.oid, 'SELECT,INSERT,UPDATE,DELETE') AS monitoring_may
      FROM pg_catalog.pg_class c WHERE c.oid = 'posemo.deadlocks_samples'::regclass`,
        "posemo",
      );
      expect(facts).toEqual({ callers: 32, persistence: "u", owner: "posemo_admin", monitoring_may: false });
      const monitoring = postgres({
        host: cluster.host,
        port: cluster.port,
        user: "posemo",
        database: "posemo",
        max: 1,
        onnotice: () => {},
      });
      try {
        await expect(monitoring.unsafe("DELETE FROM posemo.deadlocks_samples")).rejects.toThrow(/permission denied/);
      } finally {
        await monitoring.end();
      }
    },
    120_000,
  );
});
