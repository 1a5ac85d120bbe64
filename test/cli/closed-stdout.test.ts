/**
 * A reader that stops early (`posemo ... | head -1`) through the real entry point (`bun mod.ts`): the
 * process ends quietly with ExitCode.outputClosed, never with a stack trace or an "Unhandled" error.
 * The install and check runs write between database round trips, where a closed pipe used to surface
 * as an unhandled 'error' event.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ExitCode } from "../../src/cli/exit-code.ts";
import { connectionArgs, runCli } from "../harness/cli.ts";
import { spawnCli } from "../harness/spawn-cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
  const out = await runCli(["install", ...connectionArgs(cluster, "postgres"), "--create-database"]);
  if (out.exitCode !== 0) throw new Error(`posemo install failed: ${out.stderr}`);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

async function withClosedStdout(argv: string[]): Promise<{ exitCode: number; stderr: string }> {
  const { exitCode, stderr } = await spawnCli(argv, { closedStdout: true, timeoutMs: 60_000 });
  return { exitCode, stderr };
}

describe("stdout closed by its reader", () => {
  test("--help and an offline install plan end quietly with the closed-output code", async () => {
    expect(await withClosedStdout(["--help"])).toEqual({ exitCode: ExitCode.outputClosed, stderr: "" });
    expect(await withClosedStdout(["install", "--dry-run", "--server-version", "18"])).toEqual({
      exitCode: ExitCode.outputClosed,
      stderr: "",
    });
  }, 60_000);

  test("a live install, dry run and real, ends quietly", async () => {
    const install = ["install", ...connectionArgs(cluster, "postgres")];
    expect(await withClosedStdout([...install, "--dry-run"])).toEqual({
      exitCode: ExitCode.outputClosed,
      stderr: "",
    });
    expect(await withClosedStdout(install)).toEqual({ exitCode: ExitCode.outputClosed, stderr: "" });
  }, 60_000);

  test("a live check, Nagios and JSON, ends quietly", async () => {
    const check = ["check", ...connectionArgs(cluster, "posemo", "posemo")];
    expect(await withClosedStdout(check)).toEqual({ exitCode: ExitCode.outputClosed, stderr: "" });
    expect(await withClosedStdout([...check, "--format", "json"])).toEqual({
      exitCode: ExitCode.outputClosed,
      stderr: "",
    });
  }, 60_000);
});
