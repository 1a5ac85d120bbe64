/**
 * The monitoring host's binary upgraded, the server's posemo functions not yet (no new install):
 * every check once turned UNKNOWN, a server at its connection limit included. A check whose
 * installed fingerprint is this binary's still runs and is judged; a changed one is UNKNOWN naming
 * both versions and the fix; alive says it too. Through the real CLI against a real cluster.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { connectionArgs, runCli } from "../harness/cli.ts";
import { installPosemo, type JsonCheck } from "../alerts/alerts-fixture.ts";
import { POSEMO_VERSION } from "../../src/version.ts";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ settings: { max_connections: 10, superuser_reserved_connections: 3 } });
  await installPosemo(cluster);
  // What an older posemo left: its version, and db_size as it was then.
  await cluster.exec(
    `UPDATE posemo.posemo_install SET value = '0.0.1' WHERE key = 'posemo_version';
     UPDATE posemo.posemo_checks SET hash = 'older' WHERE name = 'db_size'`,
    "posemo",
  );
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

test(
  "unchanged checks are judged (connection_limit WARNING at 6 of 7 slots), the changed one UNKNOWN naming the fix",
  async () => {
    const held = await Promise.all(Array.from({ length: 6 }, () => cluster.sql("postgres")));
    await Promise.all(held.map((s) => s`SELECT 1`));
    const out = await runCli([
      "check",
      ...connectionArgs(cluster, "posemo", "posemo"),
      "--check",
      "alive,connection_limit,db_size",
      "--format",
      "json",
    ]);
    const checks = new Map(
      (JSON.parse(out.stdout) as { hosts: { checks: JsonCheck[] }[] }).hosts[0]!.checks.map((c) => [c.name, c]),
    );
    const upgrade =
      `the posemo functions are version 0.0.1 but this binary is ${POSEMO_VERSION}: run posemo install as a superuser to upgrade`;
    expect(out.exitCode).toBe(1);
    expect(checks.get("alive")).toMatchObject({ status: "ok", message: `alive true; ${upgrade}` });
    expect(checks.get("connection_limit")!.status).toBe("warning");
    expect(checks.get("db_size")).toMatchObject({ status: "unknown", message: upgrade });
  },
  60_000,
);
