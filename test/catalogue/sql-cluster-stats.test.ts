/**
 * The cluster-scope checks over cumulative statistics (checkpointer, io, temp files, deadlocks,
 * recovery conflicts, checksum failures, pg_stat_statements) on real PostgreSQL: each test makes
 * the server count something and reads it back as the monitoring role. A second cluster with
 * default settings covers pg_stat_statements absent or not preloaded, and a corrupted page where
 * data checksums are on (the default from 18). Same server majors as sql.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import { binariesUnderTest, eventually, num, type Row } from "./sql-fixture.ts";
import {
  check,
  type CheckedCluster,
  expectHiddenWithoutStats,
  holdSession,
  rowTitled,
  startChecked,
  withSessions,
} from "./sql-cluster-fixture.ts";

const BLOCK = 8192;

/** !TOTAL first, and equal to the sum of the other rows in every numeric column. */
function expectTotalIsSum(name: string, rows: readonly Row[]): void {
  expect(rows[0]![check(name).titleColumn!]).toBe("!TOTAL");
  for (const column of check(name).columns.filter((c) => c.type !== "text")) {
    const parts = rows.slice(1).map((r) => num(r[column.name])).filter((n) => n !== null);
    if (parts.length === 0) continue;
    expect(num(rows[0]![column.name])!).toBeCloseTo(parts.reduce((a, b) => a + b, 0), 3);
  }
}

for (const binaries of binariesUnderTest()) {
  const major = binaries.major;
  describe(`cluster-scope checks on statistics, PostgreSQL ${major} (${binaries.source})`, () => {
    let busy: CheckedCluster;
    let plain: CheckedCluster;

    beforeAll(async () => {
      busy = await startChecked(binaries, {
        settings: { shared_preload_libraries: "'pg_stat_statements'", deadlock_timeout: "'100ms'" },
      });
      plain = await startChecked(binaries);
      await busy.cluster.exec(
        "CREATE TABLE public.d (id integer PRIMARY KEY, n integer); INSERT INTO public.d VALUES (1, 0), (2, 0);",
      );
    }, 120_000);

    afterAll(async () => {
      await busy?.stop();
      await plain?.stop();
    }, 60_000);

    test("checkpointer() counts a requested checkpoint, with no value where this version counts nothing", async () => {
      const before = await eventually(() => busy.first("checkpointer"), (r) => num(r.buffers_alloc)! > 0);
      expect(num(before.buffers_alloc)!).toBeGreaterThan(0);
      await busy.cluster.exec("CREATE TABLE public.dirty AS SELECT 1 AS n; CHECKPOINT;");
      const grown = (r: Row, column: string) => num(r[column])! > num(before[column])!;
      const after = await eventually(
        () => busy.first("checkpointer"),
        (r) => grown(r, "checkpoints_requested") && grown(r, "buffers_written"),
      );
      expect(num(after.checkpoints_requested)!).toBeGreaterThan(num(before.checkpoints_requested)!);
      expect(num(after.buffers_written)!).toBeGreaterThan(num(before.buffers_written)!);
      if (major >= 18) expect(num(after.checkpoints_done)!).toBeGreaterThan(num(before.checkpoints_done)!);
      const absent = [
        ...(major < 17 ? ["restartpoints_timed", "restartpoints_requested", "restartpoints_done"] : []),
        ...(major < 18 ? ["checkpoints_done", "slru_written"] : []),
      ];
      for (const column of check("checkpointer").columns.map((c) => c.name)) {
        if (absent.includes(column)) expect(after[column]).toBeNull();
        else expect(num(after[column])!).toBeGreaterThanOrEqual(0);
      }
    });

    test.if(major >= 16)(
      "io() sums pg_stat_io per backend type, counts a client's hits, and bytes cover whole blocks (PostgreSQL 16+: pg_stat_io does not exist before)",
      async () => {
        const hits = async () => num(rowTitled("io", await busy.call("io"), "client backend").hits)!;
        const before = await hits();
        await busy.cluster.exec("SELECT count(*) FROM public.d");
        expect(await eventually(hits, (n) => n > before)).toBeGreaterThan(before);
        const rows = await busy.call("io");
        expectTotalIsSum("io", rows);
        const types = rows.slice(1).map((r) => r.backend_type as string);
        expect(types).toEqual([...types].sort());
        expect(types).toEqual(expect.arrayContaining(["checkpointer", "client backend"]));
        for (const row of rows) {
          for (const [ops, bytes] of [["reads", "read_bytes"], ["writes", "write_bytes"]] as const) {
            if (row[ops] === null) continue;
            if (major >= 18) expect(num(row[bytes])!).toBeGreaterThanOrEqual(num(row[ops])! * BLOCK);
            else expect(num(row[bytes])).toBe(num(row[ops])! * BLOCK);
          }
        }
      },
    );

    test("temp_files() counts a sort that spilled to disk, in files and bytes", async () => {
      const postgres = async () => rowTitled("temp_files", await busy.call("temp_files"), "postgres");
      const before = await postgres();
      await busy.cluster.exec(
        "SET work_mem = '64kB'; SELECT count(*) FROM (SELECT g FROM generate_series(1, 100000) AS g ORDER BY g DESC OFFSET 0) AS s;",
      );
      const after = await eventually(postgres, (r) => num(r.total_temp_files)! > num(before.total_temp_files)!);
      expect(num(after.total_temp_files)!).toBeGreaterThan(num(before.total_temp_files)!);
      expect(num(after.total_temp_bytes)!).toBeGreaterThan(num(before.total_temp_bytes)! + 64 * 1024);
      // Since this caller's previous call: the change, not the lifetime.
      expect(num(after.temp_files)).toBe(num(after.total_temp_files)! - num(before.total_temp_files)!);
      expectTotalIsSum("temp_files", await busy.call("temp_files"));
    });

    test("deadlocks() counts a deadlock the server broke", async () => {
      const count = async () => num(rowTitled("deadlocks", await busy.call("deadlocks"), "postgres").total_deadlocks)!;
      const before = await count();
      const outcomes = await withSessions(
        [holdSession(busy.cluster, "left"), holdSession(busy.cluster, "right")],
        async ([left, right]) => {
          await left!.run("BEGIN; UPDATE public.d SET n = n + 1 WHERE id = 1;");
          await right!.run("BEGIN; UPDATE public.d SET n = n + 1 WHERE id = 2;");
          const waits = [
            left!.start("UPDATE public.d SET n = n + 1 WHERE id = 2"),
            right!.start("UPDATE public.d SET n = n + 1 WHERE id = 1"),
          ];
          const settled = await Promise.all(waits);
          await left!.run("ROLLBACK");
          await right!.run("ROLLBACK");
          return settled;
        },
      );
      expect(outcomes.filter((o) => o instanceof Error).map((e) => (e as Error & { code?: string }).code)).toEqual([
        "40P01",
      ]);
      expect(await eventually(count, (n) => n > before)).toBe(before + 1);
    });

    test("recovery_conflicts() is 0 for every cause on a primary", async () => {
      const rows = await busy.call("recovery_conflicts");
      expect(rows[0]).toEqual({
        database: "!TOTAL",
        tablespace: "0",
        lock: "0",
        snapshot: "0",
        bufferpin: "0",
        deadlock: "0",
        logical_slot: "0",
      });
    });

    test("statements() is an empty !TOTAL row without the extension, then ranks statements by total time", async () => {
      const empty = {
        queryid: "!TOTAL",
        database: null,
        role: null,
        calls: null,
        total_time: null,
        mean_time: null,
        rows: null,
        time_percent: null,
        deallocations: null,
        unknown_reason: null,
      };
      expect(await busy.call("statements")).toEqual([empty]);
      await busy.cluster.exec("CREATE EXTENSION pg_stat_statements");
      // The library is preloaded, so the earlier tests' statements are counted too, and under load one
      // of them (temp_files' sort that spills to disk) outlasted the sleeps. The reset leaves only what
      // follows; it runs untracked because its own file I/O could outlast them too. The sleeps then
      // total at least 300 ms by construction, and their only rivals are sub-millisecond reads of
      // cached rows (the two below and the driver's type lookup on connecting), so the first place no
      // longer depends on how loaded the machine is.
      await busy.cluster.exec(
        "SET pg_stat_statements.track = 'none'; SELECT pg_stat_statements_reset(); SET pg_stat_statements.track = 'top';",
      );
      await busy.cluster.exec("SELECT pg_sleep(0.1); SELECT pg_sleep(0.1); SELECT pg_sleep(0.1);");
      await busy.cluster.exec("SELECT 1; SELECT count(*) FROM public.d;");
      const rows = await busy.call("statements");
      expect(rows.length).toBeGreaterThan(1);
      expect(rows.length).toBeLessThanOrEqual(11);
      expect(rows[0]).toMatchObject({ queryid: "!TOTAL", database: null, role: null, unknown_reason: null });
      expect(num(rows[0]!.deallocations)).toBe(major >= 14 ? 0 : null);
      const [sleep] = await busy.cluster.exec(
        "SELECT queryid::text AS id FROM pg_stat_statements WHERE query LIKE 'SELECT pg_sleep%'",
      );
      expect(rows[1]).toMatchObject({
        queryid: sleep!.id,
        database: "postgres",
        role: "postgres",
        calls: "3",
        rows: "3",
      });
      expect(rows[1]!.total_time as number).toBeGreaterThanOrEqual(300);
      expect(rows[1]!.mean_time as number).toBeCloseTo((rows[1]!.total_time as number) / 3, 6);
      const times = rows.slice(1).map((r) => r.total_time as number);
      expect(times).toEqual([...times].sort((a, b) => b - a));
      const share = rows.slice(1).reduce((sum, r) => sum + (r.time_percent as number), 0);
      expect(rows[0]!.time_percent as number).toBeCloseTo(share, 2);
      expect(rows[0]!.time_percent as number).toBeLessThanOrEqual(100.001);
      expect(num(rows[0]!.calls)!).toBeGreaterThanOrEqual(4);
      expect(await busy.call("statements", ["1"])).toHaveLength(2);
      await expectHiddenWithoutStats(busy, ["statements"]);
    });

    test("statements() is UNKNOWN with the reason when the extension is installed but not preloaded", async () => {
      expect((await plain.call("statements"))[0]!.unknown_reason).toBeNull();
      await plain.cluster.exec("CREATE EXTENSION pg_stat_statements");
      try {
        const rows = await plain.call("statements");
        expect(rows).toHaveLength(1);
        expect(rows[0]!.unknown_reason).toMatch(/^cannot read pg_stat_statements: .*shared_preload_libraries/);
      } finally {
        await plain.cluster.exec("DROP EXTENSION pg_stat_statements");
      }
    });

    test("checksum_failures() reports data_checksums, no failure values without checksums, and counts a corrupted page with them", async () => {
      const [setting] = await plain.cluster.exec("SELECT current_setting('data_checksums') = 'on' AS on");
      const rows = await plain.call("checksum_failures");
      expect(rows.map((r) => r.database).slice(0, 2)).toEqual(["!TOTAL", "!SHARED"]);
      expect(rows[0]!.data_checksums).toBe(setting!.on as boolean);
      expect(rows.slice(1).every((r) => r.data_checksums === null)).toBe(true);
      expect(rows.every((r) => num(r.checksum_failures) === (setting!.on ? 0 : null))).toBe(true);
      if (!setting!.on) return;
      await corruptFirstPage(plain, "public.victim");
      await expect(plain.cluster.exec("SELECT count(*) FROM public.victim")).rejects.toMatchObject({ code: "XX001" });
      const failed = await eventually(
        () => plain.call("checksum_failures"),
        (r) => num(rowTitled("checksum_failures", r, "postgres").checksum_failures)! > 0,
      );
      expect(rowTitled("checksum_failures", failed, "postgres")).toMatchObject({ checksum_failures: "1" });
      expect(rowTitled("checksum_failures", failed, "postgres").since_failure as number).toBeGreaterThanOrEqual(0);
      expect(failed[0]).toMatchObject({ checksum_failures: "1", data_checksums: true });
    });
  });
}

/**
 * Writes a table, checkpoints it, flips bytes in its first page on disk and restarts the server so
 * the page is read again from disk. The server user owns the files; the tests run as root or as it.
 */
async function corruptFirstPage(pg: CheckedCluster, table: string): Promise<void> {
  await pg.cluster.exec(`CREATE TABLE ${table} AS SELECT g AS n FROM generate_series(1, 1000) AS g; CHECKPOINT;`);
  const [where] = await pg.cluster.exec(`SELECT pg_relation_filepath('${table}') AS path`);
  const file = openSync(join(pg.cluster.dataDir, where!.path as string), "r+");
  try {
    const bytes = Buffer.alloc(16);
    readSync(file, bytes, 0, 16, BLOCK - 64);
    writeSync(file, bytes.map((b) => b ^ 0xff), 0, 16, BLOCK - 64);
  } finally {
    closeSync(file);
  }
  await pg.cluster.restart();
}
