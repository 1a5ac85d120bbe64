/**
 * Locks that stall posemo's queries, through the real CLI against a real cluster. Each statement
 * has its own timeout, so several checks each waiting out a lock are a server that answers: those
 * checks are UNKNOWN naming the lock and the rest are judged (the run's watchdog once read the sum
 * of their waits as a server that stopped answering: alive CRITICAL, every result lost). A lock on
 * a system catalog that stalls even posemo's first query stalls the applications' new queries too:
 * alive CRITICAL, as for a server that freezes after the login.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { connectionArgs, runCli } from "../harness/cli.ts";
import { installPosemo, type JsonCheck } from "../alerts/alerts-fixture.ts";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
  await installPosemo(cluster);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

async function checkWhileLocked(tables: string, ...args: string[]) {
  const holder = cluster.sql("posemo");
  try {
    return await holder.begin(async (tx) => {
      await tx.unsafe(`LOCK TABLE ${tables} IN ACCESS EXCLUSIVE MODE`);
      const out = await runCli(["check", ...connectionArgs(cluster, "posemo", "posemo"), "--format", "json", ...args]);
      const doc = JSON.parse(out.stdout) as { hosts: { checks: JsonCheck[] }[] };
      return { exitCode: out.exitCode, checks: new Map(doc.hosts[0]!.checks.map((c) => [c.name, c])) };
    });
  } finally {
    await holder.end({ timeout: 1 });
  }
}

test(
  "three checks each waiting out a lock on their sample table: those UNKNOWN naming the lock, alive and the rest judged",
  async () => {
    const rates = ["temp_files", "deadlocks", "cache_hit_ratio"];
    const out = await checkWhileLocked(
      rates.map((r) => `posemo.${r}_samples`).join(", "),
      "--check",
      ["alive", ...rates, "connection_limit"].join(","),
      "--connect-timeout",
      "1",
      "-t",
      "2",
    );
    expect(out.exitCode).toBe(3);
    expect(out.checks.get("alive")!.status).toBe("ok");
    expect(out.checks.get("connection_limit")!.status).toBe("ok");
    for (const name of rates) {
      expect(out.checks.get(name)).toMatchObject({
        status: "unknown",
        message:
          "waited 1.8 s for a lock another session holds (canceling statement due to lock timeout): see blocked_sessions and locks",
      });
    }
  },
  60_000,
);

test(
  "pg_class locked: posemo's first query cannot run, nor can the applications' new ones: alive CRITICAL",
  async () => {
    const out = await checkWhileLocked("pg_catalog.pg_class", "--check", "alive,connection_limit", "-t", "1");
    expect(out.exitCode).toBe(2);
    expect(out.checks.get("alive")).toMatchObject({
      status: "critical",
      message:
        "the server accepted the login but its first query waited 0.9 s for a lock on a system catalog another session holds: canceling statement due to lock timeout",
    });
    expect(out.checks.get("connection_limit")).toMatchObject({
      status: "unknown",
      message: expect.stringMatching(/^not run: the server accepted the login/),
    });
  },
  60_000,
);
