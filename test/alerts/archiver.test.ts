/**
 * Issue 9 item 4: a failing archive_command is WARNING at once (the old check stayed OK until the
 * oldest .ready file was 10 minutes old), and CRITICAL by the number of segments waiting; through
 * the real CLI against a cluster whose archive_command always fails.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { cellOf, installPosemo, type JsonCheck, type JsonValue, runCheck } from "./alerts-fixture.ts";

let cluster: Cluster;
let dir: string;

beforeAll(async () => {
  cluster = await startCluster({ settings: { archive_mode: "on", archive_command: "'false'" } });
  await installPosemo(cluster);
  dir = mkdtempSync(join(tmpdir(), "posemo-archiver-"));
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Completes `count` WAL segments (each becomes .ready) and waits until the archiver has failed on one. */
async function readySegments(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await cluster.exec("CREATE TEMP TABLE t AS SELECT 1 AS x; SELECT pg_catalog.pg_switch_wal()");
  }
  for (;;) {
    const [row] = await cluster.exec("SELECT failed_count > 0 AS failed FROM pg_catalog.pg_stat_archiver");
    if (row!.failed) return;
    await Bun.sleep(50); // polls the server's own counter: the archiver's first attempt has no event to await
  }
}

async function archiver(...args: string[]): Promise<{ exitCode: number; check: JsonCheck }> {
  const { exitCode, check } = await runCheck(cluster, "archiver", ...args);
  return { exitCode, check: check! };
}

function value(check: JsonCheck, column: string): JsonValue {
  return cellOf(check, undefined, column)!;
}

describe("archiver", () => {
  test("archive_command failing: WARNING at once, naming the segment it fails on", async () => {
    await readySegments(1);
    const { exitCode, check } = await archiver();
    expect(check.status).toBe("warning");
    expect(exitCode).toBe(1);
    const failing = value(check, "failing");
    expect(failing.value).toBe(true);
    expect(failing.status).toBe("warning");
    expect(failing.context?.last_failed_wal).toMatch(/^[0-9A-F]{24}$/);
    expect(check.message).toContain("failing true");
    expect(check.message).toContain(failing.context!.last_failed_wal!);
  }, 60_000);

  test("CRITICAL by the number of segments waiting; a file's per-column range keeps the other default", async () => {
    await readySegments(3);
    const config = join(dir, "posemo.yaml");
    writeFileSync(
      config,
      "defaults:\n  checks:\n    archiver:\n      columns:\n        ready_files: { critical: 2 }\n",
    );
    const { exitCode, check } = await archiver("--config", config);
    expect(exitCode).toBe(2);
    const ready = value(check, "ready_files");
    expect(ready.status).toBe("critical");
    expect([ready.warning, ready.critical]).toEqual(["10", "2"]);
  }, 60_000);
});
