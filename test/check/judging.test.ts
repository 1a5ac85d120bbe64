/**
 * How `posemo check` judges and words what it sees, through the real CLI against a real cluster
 * (issue 9): a row that cannot be judged never hides one that can; -w/-c aim at one column; the
 * message names who (prepared transactions), the worst row of an OK check, ranges in plain words,
 * and a column alerting in several rows once, with its raw count.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type CliOutcome, connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";

interface JsonValue {
  label: string;
  row?: string;
  column: string;
  value: number | boolean | null;
  status: string;
}
interface JsonCheck {
  name: string;
  status: string;
  message: string;
  error: string | null;
  values: JsonValue[];
}

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ settings: { max_prepared_transactions: 5 } });
  await cluster.exec("CREATE DATABASE app");
  await cluster.exec("CREATE DATABASE limited CONNECTION LIMIT 4");
  await cluster.exec("CREATE ROLE bob LOGIN");
  const out = await runCli(["install", ...connectionArgs(cluster, "postgres"), "--create-database"]);
  if (out.exitCode !== 0) throw new Error(`posemo install failed: ${out.stderr}`);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

function check(...args: string[]): Promise<CliOutcome> {
  return runCli(["check", ...connectionArgs(cluster, "posemo", "posemo"), ...args]);
}

async function checkJson(...args: string[]): Promise<{ out: CliOutcome; result: JsonCheck }> {
  const out = await check("--format", "json", ...args);
  const doc = JSON.parse(out.stdout) as { hosts: { checks: JsonCheck[] }[] };
  return { out, result: doc.hosts[0]!.checks[0]! };
}

describe("a row that cannot be judged never hides one that can", () => {
  test(
    "a sequence at 99% beside one the owner role cannot read: CRITICAL, the values kept, the message saying what was not judged",
    async () => {
      await cluster.exec(
        "CREATE SEQUENCE near_end MAXVALUE 100; SELECT setval('near_end', 99); GRANT SELECT ON SEQUENCE near_end TO posemo_admin; CREATE SEQUENCE hidden",
        "app",
      );
      try {
        const { out, result } = await checkJson("--check", "sequences");
        expect(out.exitCode).toBe(2);
        expect(result.status).toBe("critical");
        expect(result.values.find((v) => v.row === "app/public.near_end" && v.column === "percent_used")).toMatchObject(
          { value: 99, status: "critical" },
        );
        expect(result.message).toMatch(
          /^app percent_used 99% \(critical at > 95%; values_left 1[^)]*\), also app\/public\.near_end \(4 databases\)/,
        );
        if (result.error !== null) expect(result.message).toEndWith(`; not judged: ${result.error}`);
        const nagios = await check("--check", "sequences");
        expect(nagios.stdout).toMatch(
          /^POSEMO CRITICAL - sequences: .* \| .*'sequences\.app\/public\.near_end\.percent_used'=99%;85;95;0;100/,
        );
      } finally {
        await cluster.exec("DROP SEQUENCE near_end, hidden", "app");
      }
    },
    30_000,
  );
});

describe("-w/-c aim at one column", () => {
  test("wal_files -w 64 -c 320 judges the file count, not the bytes beside it: OK on a healthy server", async () => {
    const { out, result } = await checkJson("--check", "wal_files", "-w", "64", "-c", "320");
    expect(result.values.find((v) => v.column === "wal_size")!.value as number).toBeGreaterThan(320);
    expect({ status: result.status, exit: out.exitCode }).toEqual({ status: "ok", exit: 0 });
    expect(result.values.find((v) => v.column === "wal_size")!.status).toBe("ok");
  });

  test("--column wal_size aims them at the bytes", async () => {
    const { out, result } = await checkJson("--check", "wal_files", "--column", "wal_size", "-w", "1");
    expect(out.exitCode).toBe(1);
    expect(result.message).toMatch(/^wal_size \d+ B \(warning at > 1 B; wal_files \d+\)$/);
  });

  test.each([
    [
      ["--check", "locks", "-w", "5"],
      'Cannot apply -w/-c to check "locks": it has several columns (access_share, row_share, row_exclusive, share_update_exclusive, share, share_row_exclusive, exclusive, access_exclusive, predicate, total, waiting); name one with --column NAME',
    ],
    [
      ["--check", "wal_files", "--column", "nope", "-w", "5"],
      'Cannot aim -w/-c at column "nope": check "wal_files" has the numeric columns wal_files, wal_size',
    ],
    [
      ["--check", "wal_files", "--column", "wal_size"],
      "Cannot use --column wal_size without -w or -c: it names the column they judge",
    ],
  ])("ambiguous or wrong: exit 3 with one line (%p)", async (args, line) => {
    const out = await check(...args);
    expect(out.exitCode).toBe(3);
    expect(out.stderr.trim()).toEndWith(line);
    expect(out.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("messages for a person paged at 3 a.m.", () => {
  test("prepared_transactions names the oldest one's GID, database and owner", async () => {
    await cluster.exec("SET ROLE bob; BEGIN; SELECT 1; PREPARE TRANSACTION 'pay-42'", "app");
    try {
      const { out, result } = await checkJson("--check", "prepared_transactions", "-c", "0");
      expect(out.exitCode).toBe(2);
      expect(result.message).toMatch(
        /^oldest_prepared [\d.]+ s \(critical at > 0 s; prepared 1; gid: pay-42; database: app; owner: bob\)$/,
      );
    } finally {
      await cluster.exec("ROLLBACK PREPARED 'pay-42'", "app");
    }
  });

  test("an OK multi-row check shows its worst row, not the first", async () => {
    const held = [cluster.sql("limited"), cluster.sql("limited")];
    await Promise.all(held.map((s) => s`SELECT 1`));
    try {
      const { result } = await checkJson("--check", "backends");
      expect(result.status).toBe("ok");
      expect(result.message).toMatch(
        /^limited: connections 2, connection_limit 4, used_percent 50% \(worst of \d+ rows\)$/,
      );
    } finally {
      await Promise.all(held.map((s) => s.end()));
    }
  });

  test("XID ages: the percentage once, with the raw age beside it, the other databases named", async () => {
    // Ages of a few hundred transactions, so that every database is past 0.000001 % of 2^31.
    await cluster.exec("BEGIN; SELECT pg_catalog.txid_current(); COMMIT; ".repeat(300));
    const { result } = await checkJson("--check", "xid_wraparound", "-w", "0.000001");
    expect(result.status).toBe("warning");
    expect(result.message).toMatch(
      /^!MAX wraparound_percent [\d.]+% \(warning at > 0\.000001%; xid_age \d+\), also [a-z0-9]+(, [a-z0-9]+)*( and \d+ more)?$/,
    );
    expect(result.message.match(/%/g)).toHaveLength(2);
  });
});
