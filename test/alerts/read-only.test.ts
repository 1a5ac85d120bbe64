/**
 * A primary made read-only (`default_transaction_read_only = on`, as a DBA does to stop writes when
 * the disk fills) refuses its applications' writes: the write probe is CRITICAL. Check sessions once
 * pinned the setting off, so the probe wrote and said OK. The rate checks keep no sample there, and
 * say so, rather than fail. Through the real CLI against a real cluster.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { installPosemo, runCheck } from "./alerts-fixture.ts";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
  await installPosemo(cluster);
  await cluster.exec("ALTER SYSTEM SET default_transaction_read_only = on");
  await cluster.exec("SELECT pg_catalog.pg_reload_conf()");
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

test("writeable is CRITICAL on a primary made read-only", async () => {
  const { exitCode, check } = await runCheck(cluster, "writeable");
  expect(exitCode).toBe(2);
  expect(check).toMatchObject({
    status: "critical",
    message:
      "the server refuses writes: cannot execute DELETE in a read-only transaction (default_transaction_read_only is on)",
  });
});

test("temp_files keeps no sample on a read-only primary and says so, lifetime totals kept", async () => {
  const { exitCode, check } = await runCheck(cluster, "temp_files");
  expect(exitCode).toBe(0);
  expect(check!.message).toContain(
    "not judged: the server is read-only (default_transaction_read_only): no previous sample kept, no rate, lifetime totals only",
  );
  expect(check!.values.find((v) => v.label === "temp_files.!TOTAL.total_temp_files")!.value).toBeNumber();
});
