/**
 * Issue 9 item 8: a database created after `posemo install` gets the database-scope checks (install
 * puts them into template1, which CREATE DATABASE copies), and one created from template0, which has
 * none, is named with the command that installs them instead of making the check UNKNOWN. Through
 * the real CLI.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { cellOf, installPosemo, type JsonCheck, runCheck } from "./alerts-fixture.ts";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
  await installPosemo(cluster);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

async function run(name: string): Promise<{ exitCode: number; check: JsonCheck }> {
  const { exitCode, check } = await runCheck(cluster, name);
  return { exitCode, check: check! };
}

describe("databases created after install", () => {
  test("CREATE DATABASE (from template1) is covered at once: its nearly exhausted sequence is CRITICAL", async () => {
    await cluster.exec("CREATE DATABASE later");
    await cluster.exec("CREATE TABLE public.t (id smallserial); SELECT setval('public.t_id_seq', 32000)", "later");
    const { exitCode, check } = await run("sequences");
    expect(cellOf(check, "later/public.t_id_seq", "percent_used")?.status).toBe("critical");
    expect(exitCode).toBe(2);
    expect(check.error).toBeNull();
  }, 60_000);

  test(
    "CREATE DATABASE ... TEMPLATE template0 has no functions: named with the install command, not UNKNOWN",
    async () => {
      await cluster.exec("CREATE DATABASE bare TEMPLATE template0");
      const { exitCode, check } = await run("invalid_indexes");
      expect(check.status).toBe("ok");
      expect(exitCode).toBe(0);
      expect(check.message).toContain(`not judged: database "bare" without posemo's functions`);
      expect(check.message).toContain(
        `run posemo install -H ${cluster.host} -p ${cluster.port} -U <superuser> --database posemo`,
      );
      const again = await runCli(["install", ...connectionArgs(cluster, "postgres"), "--database", "posemo"]);
      expect(again.exitCode).toBe(0);
      expect((await run("invalid_indexes")).check.message).not.toContain("not judged");
    },
    60_000,
  );
});
