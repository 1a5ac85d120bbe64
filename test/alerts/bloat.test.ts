/**
 * Issue 9 item 5: bloat under 100 MB was never judged and its floor could not be changed. A 48 MB
 * table that is 90% dead must alert; min_size and top_n are settable from the command line
 * (`--arg`) and the configuration file (`arguments:`); the message says what was left out.
 * Through the real CLI, as the monitoring role, against a database other than posemo's.
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
  cluster = await startCluster();
  await cluster.exec("CREATE DATABASE app");
  // About 48 MB of rows, then nine in ten deleted: every page keeps a live row, so VACUUM cannot
  // truncate the table and 90% of it stays dead space.
  await cluster.exec(
    `CREATE TABLE public.orders AS SELECT g AS id, repeat('x', 120) AS pad FROM generate_series(1, 310000) AS g;
    DELETE FROM public.orders WHERE id % 10 <> 0;`,
    "app",
  );
  await cluster.exec("VACUUM ANALYZE public.orders", "app");
  await installPosemo(cluster);
  dir = mkdtempSync(join(tmpdir(), "posemo-bloat-"));
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the check named after --check (the tests always give one). */
function bloat(...args: string[]): ReturnType<typeof runCheck> {
  const at = args.indexOf("--check");
  return runCheck(cluster, args[at + 1]!, ...args.filter((_, i) => i !== at && i !== at + 1));
}

function cell(check: JsonCheck, title: string, column: string): JsonValue | undefined {
  return cellOf(check, title, column);
}

describe("table_bloat", () => {
  test("a 48 MB table that is 90% dead is CRITICAL by default, and named", async () => {
    const size = await cluster.exec("SELECT pg_catalog.pg_relation_size('public.orders') AS bytes", "app");
    expect(Number(size[0]!.bytes)).toBeGreaterThan(40 * 1024 * 1024);
    expect(Number(size[0]!.bytes)).toBeLessThan(100 * 1024 * 1024);
    const { exitCode, check } = await bloat("--check", "table_bloat");
    const orders = cell(check!, "app/public.orders", "bloat_percent")!;
    expect(orders.value as number).toBeGreaterThan(85);
    expect(orders.status).toBe("critical");
    expect(exitCode).toBe(2);
    expect(check!.message).toContain("app/public.orders");
  }, 60_000);

  test("waste in bytes is judged too: 1 GB WARNING, 5 GB CRITICAL by default", async () => {
    const { check } = await bloat("--check", "table_bloat");
    const bytes = cell(check!, "app/public.orders", "bloat_size")!;
    expect([bytes.warning, bytes.critical, bytes.status]).toEqual(["1073741824", "5368709120", "ok"]);
  }, 60_000);

  test("--arg min_size=100MB leaves it out, and the OK message says what was not judged", async () => {
    const { exitCode, check } = await bloat("--check", "table_bloat", "--arg", "min_size=100MB");
    expect(exitCode).toBe(0);
    expect(cell(check!, "app/public.orders", "bloat_percent")).toBeUndefined();
    expect(check!.message).toMatch(/not judged: .*app: \d+ tables under min_size 100 MB/);
  }, 60_000);

  test("the configuration file's arguments: block does the same; --arg wins over it", async () => {
    const config = join(dir, "posemo.yaml");
    writeFileSync(config, "defaults:\n  checks:\n    table_bloat:\n      arguments: { min_size: 100MB, top_n: 0 }\n");
    const fromFile = await bloat("--config", config, "--check", "table_bloat");
    expect(fromFile.exitCode).toBe(0);
    expect(fromFile.check!.message).toContain("under min_size 100 MB");
    const overridden = await bloat(
      "--config",
      config,
      "--check",
      "table_bloat",
      "--arg",
      "table_bloat.top_n=5",
      "--arg",
      "min_size=1MB",
    );
    expect(overridden.exitCode).toBe(2);
    expect(cell(overridden.check!, "app/public.orders", "bloat_percent")?.status).toBe("critical");
  }, 60_000);

  test("index_bloat takes min_size too, and names what it left out", async () => {
    await cluster.exec("CREATE INDEX orders_id ON public.orders (id)", "app");
    const { check } = await bloat("--check", "index_bloat", "--arg", "min_size=1GB");
    expect(check!.message).toMatch(/app: \d+ indexes under min_size 1024 MB/);
  }, 60_000);

  test("a bad --arg is a usage error naming it (exit 3)", async () => {
    for (
      const [arg, says] of [
        ["min_size=ten", '"ten" as argument min_size of table_bloat'],
        ["top_n=-1", '"-1" as argument top_n'],
        ["nothing=1", 'no selected check has an argument "nothing"'],
        ["min_size", "expected [check.]name=value"],
      ] as const
    ) {
      const out = await bloat("--check", "table_bloat", "--arg", arg);
      expect(out.exitCode).toBe(3);
      expect(out.stderr).toContain(says);
      expect(out.stderr.trim().split("\n")).toHaveLength(1);
    }
  }, 60_000);

  test("a bad arguments: value in the file names the file and line", async () => {
    const config = join(dir, "bad.yaml");
    writeFileSync(config, "defaults:\n  checks:\n    table_bloat:\n      arguments:\n        min_size: lots\n");
    const out = await bloat("--config", config, "--check", "table_bloat");
    expect(out.exitCode).toBe(3);
    expect(out.stderr).toContain("bad.yaml:5");
    expect(out.stderr).toContain('"lots"');
  }, 60_000);
});
