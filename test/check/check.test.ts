/**
 * `posemo check` against a real PostgreSQL after `posemo install`, through the real CLI, as the
 * monitoring role: every check, both formats, thresholds, and each failure mode of issue 2.
 * Check-specific tests skip (saying why) when that check is not in the catalogue.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Socket } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { type CheckDefinition, variantFor } from "../../src/catalogue/definition.ts";
import { POSEMO_VERSION } from "../../src/version.ts";
import { type CliOutcome, connectionArgs, runCli } from "../harness/cli.ts";
import { spawnCli } from "../harness/spawn-cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { PERF_ITEM, perfItems } from "../output/perfdata-syntax.ts";

interface JsonValue {
  label: string;
  value: number | boolean | null;
  unit: string;
  status: string;
}
interface JsonCheck {
  name: string;
  status: string;
  exit_code: number;
  message: string;
  error: string | null;
  values: JsonValue[];
}
interface JsonReport {
  schema: string;
  status: string;
  exit_code: number;
  checks: JsonCheck[];
  server_version_num: number | null;
}

let cluster: Cluster;
let installable: CheckDefinition[];
const EXIT: Record<string, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

beforeAll(async () => {
  cluster = await startCluster({ settings: { track_io_timing: "on" } });
  installable = catalogue.filter((c) => variantFor(c, cluster.major));
  const out = await runCli(["install", ...connectionArgs(cluster, "postgres"), "--create-database"]);
  if (out.exitCode !== 0) throw new Error(`posemo install failed: ${out.stderr}`);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

function check(...args: string[]): Promise<CliOutcome> {
  return runCli(["check", ...connectionArgs(cluster, "posemo", "posemo"), ...args]);
}

/** The one host of a `posemo.check/2` document, with the document's schema. */
function hostDoc(stdout: string): JsonReport {
  const doc = JSON.parse(stdout) as { schema: string; hosts: JsonReport[] };
  return { ...doc.hosts[0]!, schema: doc.schema };
}

async function checkJson(...args: string[]): Promise<{ out: CliOutcome; doc: JsonReport }> {
  const out = await check("--format", "json", ...args);
  return { out, doc: hostDoc(out.stdout) };
}

function byName(doc: JsonReport, name: string): JsonCheck {
  const found = doc.checks.find((c) => c.name === name);
  if (!found) throw new Error(`no result for ${name}: ${JSON.stringify(doc.checks.map((c) => c.name))}`);
  return found;
}

/** True (and says so) when the check is not in the catalogue for this server yet. */
function missing(name: string): boolean {
  if (installable.some((c) => c.name === name)) return false;
  console.log(`skipped: check "${name}" is not in the catalogue for PostgreSQL ${cluster.major} yet`);
  return true;
}

/** Installs again (repairs privileges) and asserts the given check is OK afterwards. */
async function repairAndExpectOk(name: string): Promise<void> {
  const repaired = await runCli(["install", ...connectionArgs(cluster, "postgres")]);
  expect(repaired.exitCode).toBe(0);
  const { doc } = await checkJson("--check", name);
  expect(byName(doc, name).status).not.toBe("unknown");
}

describe("posemo check: every check", () => {
  test("--check all (Nagios): first line, one line per check, strict perfdata, exit code = worst status", async () => {
    const out = await check("--check", "all");
    const [first, ...rest] = out.stdout.trimEnd().split("\n");
    const match = /^POSEMO (OK|WARNING|CRITICAL|UNKNOWN) - (\d+) checks: [^|]+ \| (.+)$/.exec(first!);
    expect(match).not.toBeNull();
    expect(Number(match![2])).toBe(installable.length);
    for (const item of perfItems(match![3]!)) expect(item).toMatch(PERF_ITEM);
    const lines = rest.filter((l) => !l.startsWith("skipped"));
    expect(lines.map((l) => l.split(":")[0]!.split(" ")[1])).toEqual(installable.map((c) => c.name));
    const statuses = lines.map((l) => l.split(" ")[0]!.toLowerCase());
    const worst = ["critical", "warning", "unknown", "ok"].find((s) => statuses.includes(s))!;
    expect(match![1]).toBe(worst.toUpperCase());
    expect(out.exitCode).toBe(EXIT[worst]!);
  }, 30_000);

  test(
    "--format json: every installed check has a plausible typed value and none is UNKNOWN on a healthy primary (unless it needs something)",
    async () => {
      const { out, doc } = await checkJson();
      expect(doc.schema).toBe("posemo.check/2");
      expect(doc.server_version_num! / 10000 | 0).toBe(cluster.major);
      expect(doc.checks.map((c) => c.name)).toEqual(installable.map((c) => c.name));
      expect(out.exitCode).toBe(doc.exit_code);
      for (const c of doc.checks) {
        const needs = installable.find((d) => d.name === c.name)!.needs;
        if (needs !== undefined && c.status === "unknown") {
          console.log(`note: ${c.name} is UNKNOWN here; it needs ${needs}: ${c.message}`);
          continue;
        }
        expect({ name: c.name, status: c.status, error: c.error }).toEqual({
          name: c.name,
          status: c.status === "unknown" ? "not unknown" : c.status,
          error: null,
        });
        expect(c.exit_code).toBe(EXIT[c.status]!);
        expect(c.values.length).toBeGreaterThan(0);
        for (const v of c.values) {
          const plausible = v.value === null || typeof v.value === "boolean" ||
            (Number.isFinite(v.value) && v.value >= 0);
          expect({ label: v.label, value: v.value, plausible }).toEqual({
            label: v.label,
            value: v.value,
            plausible: true,
          });
        }
      }
    },
    30_000,
  );

  test(
    "values that must hold on this server: alive, primary, connection_limit, db_size, cache_hit_ratio, writeable",
    async () => {
      const { doc } = await checkJson();
      const value = (name: string, label = name) => byName(doc, name).values.find((v) => v.label === label)?.value;
      expect(value("alive")).toBe(true);
      if (!missing("primary")) expect(value("primary")).toBe(true);
      if (!missing("connection_limit")) {
        expect(value("connection_limit", "connection_limit.connection_limit"))
          .toBeWithin(0, 100);
      }
      if (!missing("db_size")) expect(value("db_size", "db_size.!TOTAL")).toBeGreaterThan(1_000_000);
      if (!missing("cache_hit_ratio")) {
        for (const v of byName(doc, "cache_hit_ratio").values) {
          if (v.value !== null && v.unit === "%") expect(v.value as number).toBeWithin(0, 100.0001);
        }
      }
      if (!missing("writeable")) expect(value("writeable")).toBeWithin(0, 5);
    },
    30_000,
  );

  test("--list prints the catalogue without connecting", async () => {
    const out = await runCli(["check", "--list", "-H", "/nonexistent-posemo-dir"]);
    expect(out.exitCode).toBe(0);
    for (const c of catalogue) expect(out.stdout).toMatch(new RegExp(`^${c.name} +PG `, "m"));
  });
});

describe("posemo check: thresholds", () => {
  test("-c 0 on alive (true is 1) is CRITICAL, exit 2", async () => {
    const out = await check("--check", "alive", "-c", "0");
    expect(out.stdout).toStartWith("POSEMO CRITICAL - alive: alive true (critical at > 0) | 'alive'=1;;0");
    expect(out.exitCode).toBe(2);
  });

  test("-c 0 on primary is CRITICAL on a primary; -c 1: is OK there", async () => {
    if (missing("primary")) return;
    const critical = await check("--check", "primary", "-c", "0");
    expect(critical.stdout).toStartWith("POSEMO CRITICAL - primary:");
    expect(critical.exitCode).toBe(2);
    const ok = await check("--check", "primary", "-c", "1:");
    expect(ok.stdout).toStartWith("POSEMO OK - primary:");
    expect(ok.exitCode).toBe(0);
  });

  test("-w 0 -c 100 on connection_limit is WARNING (another session uses a slot; posemo's own is not counted)", async () => {
    if (missing("connection_limit")) return;
    const other = cluster.sql("posemo");
    await other`SELECT 1`;
    const out = await check("--check", "connection_limit", "-w", "0", "-c", "100");
    await other.end();
    expect(out.stdout).toStartWith("POSEMO WARNING - connection_limit:");
    expect(out.stdout).toContain("(warning at > 0%; connections 1; usable_connections ");
    expect(out.exitCode).toBe(1);
  });

  test("lower is worse: -w 100.1: on cache_hit_ratio warns for every database that has a ratio", async () => {
    if (missing("cache_hit_ratio")) return;
    const { out, doc } = await checkJson("--check", "cache_hit_ratio", "-w", "100.1:");
    const values = byName(doc, "cache_hit_ratio").values.filter((v) => v.label.endsWith(".cache_hit_ratio"));
    for (const v of values) {
      expect({ label: v.label, status: v.status }).toEqual({
        label: v.label,
        status: v.value === null ? "ok" : "warning",
      });
    }
    expect(out.exitCode).toBe(values.some((v) => v.value !== null) ? 1 : 0);
  });

  test("-w with several checks exits 3 with one line telling to pick one", async () => {
    if (installable.length < 2) return void console.log("skipped: fewer than two checks in the catalogue");
    const out = await check("--check", `${installable[0]!.name},${installable[1]!.name}`, "-w", "5");
    expect(out.exitCode).toBe(3);
    expect(out.stdout).toBe("");
    expect(out.stderr).toBe("posemo: Cannot apply -w/-c to several checks: select one with --check NAME\n");
  });

  test("a bad range exits 3 naming it", async () => {
    const out = await check("--check", "alive", "-c", "10:5");
    expect(out.exitCode).toBe(3);
    expect(out.stderr).toBe('posemo: -c: Cannot use "10:5" as a range: start 10 is greater than end 5\n');
  });

  test("an unknown check exits 3 naming it", async () => {
    const out = await check("--check", "alive,no_such_check");
    expect(out.exitCode).toBe(3);
    expect(out.stderr).toBe(
      'posemo: Cannot run unknown check "no_such_check": see posemo check --list (or use --check all)\n',
    );
  });
});

describe("posemo check: failure modes", () => {
  test("no server at the socket: alive CRITICAL, the others UNKNOWN, exit 2", async () => {
    const empty = mkdtempSync(join(tmpdir(), "posemo-no-server-"));
    const out = await runCli(["check", "-H", empty, "-U", "posemo", "-d", "posemo", "--format", "json"]);
    rmSync(empty, { recursive: true, force: true });
    const doc = hostDoc(out.stdout);
    expect(out.exitCode).toBe(2);
    for (const c of doc.checks) {
      expect({ name: c.name, status: c.status }).toEqual({
        name: c.name,
        status: c.name === "alive" ? "critical" : "unknown",
      });
      expect(c.message).toContain("cannot connect");
    }
  });

  test(
    "a server that accepts TCP and never answers: the process ends within the connect timeout, alive CRITICAL",
    async () => {
      const sockets: Socket[] = [];
      const server = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
      try {
        const port = (server.address() as { port: number }).port;
        const out = await spawnCli([
          "check",
          "-H",
          "127.0.0.1",
          "-p",
          String(port),
          "-U",
          "posemo",
          "-d",
          "posemo",
          "--connect-timeout",
          "1",
        ], { timeoutMs: 30_000 });
        // A correctness bound, not a speed target: one 1 s connect timeout plus process start, not one per check.
        expect(out.elapsedMs).toBeLessThan(5000);
        expect(out.exitCode).toBe(2);
        expect(out.stdout).toContain("CRITICAL alive: cannot connect: connection timed out");
        expect(sockets.length).toBe(1);
      } finally {
        for (const s of sockets) s.destroy();
        server.close();
      }
    },
    40_000,
  );

  test("posemo not installed in the database: every check UNKNOWN saying to run posemo install", async () => {
    // Created after the install from template0, so no install reached it (install equips the
    // databases that exist, and template1, which an ordinary CREATE DATABASE copies).
    await cluster.exec("CREATE DATABASE created_later TEMPLATE template0");
    const out = await runCli(["check", ...connectionArgs(cluster, "posemo", "created_later"), "--format", "json"]);
    await cluster.exec("DROP DATABASE created_later");
    const doc = hostDoc(out.stdout);
    expect(out.exitCode).toBe(3);
    expect(doc.checks.map((c) => c.name)).toEqual(expect.arrayContaining(installable.map((c) => c.name)));
    for (const c of doc.checks) {
      expect({ status: c.status, message: c.message }).toEqual({
        status: "unknown",
        message: expect.stringContaining("run posemo install"),
      });
    }
  });

  test("functions from an older posemo, fingerprints unchanged: judged as ever, alive names both versions", async () => {
    await cluster.exec("UPDATE posemo.posemo_install SET value = '0.0.1' WHERE key = 'posemo_version'", "posemo");
    try {
      const { doc } = await checkJson();
      for (const c of doc.checks) {
        expect({ name: c.name, status: c.status }).toEqual({
          name: c.name,
          status: c.status === "unknown" ? "?" : c.status,
        });
        if (c.name !== "alive") expect(c.message).not.toContain("version 0.0.1");
      }
      const alive = doc.checks.find((c) => c.name === "alive")!;
      expect(alive.status).toBe("ok");
      expect(alive.message).toContain(
        `the posemo functions are version 0.0.1 but this binary is ${POSEMO_VERSION}: run posemo install`,
      );
    } finally {
      await cluster.exec(
        `UPDATE posemo.posemo_install SET value = '${POSEMO_VERSION}' WHERE key = 'posemo_version'`,
        "posemo",
      );
    }
  });

  test(
    "EXECUTE revoked on one check: that check UNKNOWN naming EXECUTE, the others unaffected; install repairs it",
    async () => {
      const target = installable.find((c) => c.name === "alive")!;
      await cluster.exec("REVOKE EXECUTE ON FUNCTION posemo.alive() FROM posemo", "posemo");
      const { out, doc } = await checkJson();
      expect(byName(doc, target.name)).toMatchObject({
        status: "unknown",
        message:
          "permission denied for function alive: the monitoring role needs EXECUTE on posemo.alive() (run posemo install)",
      });
      expect(doc.checks.filter((c) => c.status === "unknown").map((c) => c.name)).toEqual(["alive"]);
      expect(out.exitCode).toBe(3);
      await repairAndExpectOk("alive");
    },
    30_000,
  );

  test.each([
    [
      "EXECUTE on the inventory",
      "REVOKE EXECUTE ON FUNCTION posemo.posemo_inventory() FROM posemo",
      "permission denied for function posemo_inventory",
    ],
    [
      "CONNECT on the database",
      "REVOKE CONNECT ON DATABASE posemo FROM posemo",
      'permission denied for database "posemo"',
    ],
    ["USAGE on the schema", "REVOKE USAGE ON SCHEMA posemo FROM posemo", "permission denied for schema posemo"],
  ])(
    "%s revoked: every check UNKNOWN naming the privilege, never OK; install repairs it",
    async (_, revoke, denied) => {
      await cluster.exec(revoke, "posemo");
      const { out, doc } = await checkJson();
      expect(out.exitCode).toBe(3);
      for (const c of doc.checks) {
        expect(c.status).toBe("unknown");
        expect(c.message).toStartWith(denied);
        expect(c.message).toContain(
          'the monitoring role needs CONNECT on the database, USAGE on schema "posemo" and EXECUTE on its functions',
        );
      }
      await repairAndExpectOk("alive");
    },
    30_000,
  );

  test(
    "the owner role without pg_monitor: checks that need its statistics say so (UNKNOWN), never a silent OK",
    async () => {
      const needStats = ["activity", "connection_limit"].filter((name) => !missing(name));
      if (needStats.length === 0) return;
      await cluster.exec("REVOKE pg_monitor FROM posemo_admin");
      try {
        const { doc } = await checkJson();
        for (const name of needStats) {
          expect({ name, status: byName(doc, name).status }).toEqual({ name, status: "unknown" });
          expect(byName(doc, name).message).toContain("pg_read_all_stats");
        }
        // The monitoring role may still EXECUTE every function: a denial inside one is the owner's.
        for (const c of doc.checks.filter((r) => r.status === "unknown")) {
          expect(c.message).not.toContain(
            "needs EXECUTE",
          );
        }
      } finally {
        await repairAndExpectOk("alive");
      }
      const [row] = await cluster.exec(
        "SELECT pg_catalog.pg_has_role('posemo_admin', 'pg_monitor', 'MEMBER') AS member",
      );
      expect(row!.member).toBe(true);
    },
    30_000,
  );

  test(
    "writeable goes CRITICAL within -c 2 when another session holds a lock on its table, instead of hanging",
    async () => {
      if (missing("writeable")) return;
      const sql = cluster.sql("posemo");
      const out = await sql.begin(async (tx) => {
        await tx.unsafe("LOCK TABLE posemo.writeable_probe IN ACCESS EXCLUSIVE MODE");
        return check("--check", "writeable", "-c", "2");
      });
      expect(out.stdout).toStartWith("POSEMO CRITICAL - writeable: the write did not commit within 2 s");
      expect(out.exitCode).toBe(2);
      await sql.end();
    },
    30_000,
  );

  test(
    "-t bounds a blocked check: UNKNOWN with the timeout, and the waiting session is named posemo in pg_stat_activity",
    async () => {
      const admin = cluster.sql("posemo");
      const watcher = cluster.sql("posemo");
      let seen: { application_name: string; usename: string }[] = [];
      const out = await admin.begin(async (tx) => {
        await tx.unsafe("LOCK TABLE posemo.posemo_checks IN ACCESS EXCLUSIVE MODE");
        const running = check("--check", "alive", "-t", "3");
        for (let i = 0; i < 100 && seen.length === 0; i++) {
          seen = [
            ...await watcher.unsafe(
              "SELECT application_name, usename FROM pg_catalog.pg_stat_activity WHERE wait_event_type = 'Lock' AND usename = 'posemo'",
            ),
          ] as unknown as typeof seen;
          if (seen.length === 0) await Bun.sleep(50);
        }
        return running;
      });
      expect(seen).toEqual([{ application_name: "posemo", usename: "posemo" }]);
      expect(out.exitCode).toBe(3);
      // posemo's own table locked (as a running install does) is no outage: UNKNOWN, saying so.
      expect(out.stdout).toMatch(
        /^POSEMO UNKNOWN - alive: posemo's first query waited for a lock on posemo's own tables \(canceling statement due to lock timeout\): is a posemo install running\?/,
      );
      await Promise.all([admin.end(), watcher.end()]);
    },
    30_000,
  );
});
