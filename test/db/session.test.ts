/**
 * A session against a real server: once the server ended it, nothing reconnects behind the caller's
 * back (postgres.js alone would run the next statement on a new connection), while the one extra
 * connection a session may open, a deadline's cancel request, still gets through.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { classifyError } from "../../src/db/errors.ts";
import { openSession } from "../../src/db/session.ts";
import type { ConnectionSettings } from "../../src/db/settings.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

function settings(): ConnectionSettings {
  return {
    host: cluster.host,
    port: cluster.port,
    user: cluster.superuser,
    database: "postgres",
    sslmode: "disable",
    connectTimeoutMs: 5000,
  };
}

describe("a session against a real server", () => {
  test("ended by the server: the next statement fails as lost instead of logging in again", async () => {
    const session = openSession(settings());
    const [{ pid }] = (await session.query("SELECT pg_catalog.pg_backend_pid() AS pid")) as [{ pid: number }];
    // In flight when the server ends the session, so its failure is the client seeing the close.
    const running = session.query("SELECT pg_catalog.pg_sleep(30)").then(() => undefined, classifyError);
    await cluster.exec(`SELECT pg_catalog.pg_terminate_backend(${pid})`);
    expect((await running)?.kind).toBe("lost");
    const next = await session.query("SELECT 1").then(() => undefined, classifyError);
    await session.close();
    expect(next).toEqual({ kind: "lost", message: "server closed the connection unexpectedly" });
  }, 30_000);

  test("a deadline's cancel request reaches the server, and the session goes on", async () => {
    const session = openSession(settings());
    const slow = await session.queryWithDeadline("SELECT pg_catalog.pg_sleep(30)", 200);
    expect([slow.cancelled, classifyError(slow.error).kind]).toEqual([true, "cancelled"]);
    expect(await session.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    await session.close();
  }, 30_000);
});
