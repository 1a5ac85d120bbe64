/**
 * Databases that are not there for their applications: left invalid by an interrupted DROP DATABASE
 * (datconnlimit -2), dropped or closed to connections after posemo listed them. None of them is a
 * fault of the databases that answered nor of the monitoring set-up: they are left out, not UNKNOWN
 * (an invalid database once made every database-scope check UNKNOWN until someone dropped it, and a
 * database dropped mid-run read "pass -d with the database posemo is installed in").
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { askDatabase } from "../../src/check/per-database.ts";
import { POSEMO_VERSION } from "../../src/version.ts";
import { installPosemo, runCheck } from "../alerts/alerts-fixture.ts";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
  await cluster.exec("CREATE DATABASE app");
  await installPosemo(cluster);
  await cluster.exec("CREATE DATABASE half_dropped");
  await cluster.exec("CREATE DATABASE closed");
  await cluster.exec("UPDATE pg_catalog.pg_database SET datconnlimit = -2 WHERE datname = 'half_dropped'");
  await cluster.exec("ALTER DATABASE closed ALLOW_CONNECTIONS false");
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

test("an invalid database (interrupted DROP DATABASE) is left out: the others judged, OK", async () => {
  const { exitCode, check } = await runCheck(cluster, "sequences");
  expect(exitCode).toBe(0);
  expect(check!.status).toBe("ok");
  expect(check!.message).not.toContain("half_dropped");
  expect(check!.message).toContain("in 3 databases");
});

test.each(["dropped", "closed", "half_dropped"])("a database %s after it was listed gives no answer", async (name) => {
  const sequences = catalogue.find((c) => c.name === "sequences")!;
  const answers = await askDatabase(
    {
      host: cluster.host,
      port: cluster.port,
      user: "posemo",
      database: name,
      sslmode: "disable",
      connectTimeoutMs: 5000,
    },
    [sequences],
    { schema: "posemo", timeoutMs: 5000, version: POSEMO_VERSION },
  );
  expect(answers).toEqual([{ database: name, gone: true }]);
});
