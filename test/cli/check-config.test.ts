/**
 * `posemo check --config` through the real CLI (`posemo config check`, which connects to nothing, is
 * tested in config-check.test.ts): one real PostgreSQL addressed
 * as several configured hosts, plus hosts that cannot be reached (a missing socket directory, TCP black
 * holes on 127.0.0.1), so the fleet's summary, exit code, per-row and per-column thresholds, host
 * selection, --output and the parallel connect timeouts are all observed on real runs.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server, type Socket } from "node:net";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { type CliOutcome, connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { PERF_ITEM, perfItems } from "../output/perfdata-syntax.ts";

interface JsonValue {
  label: string;
  row?: string;
  column: string;
  value: number | boolean | null;
  status: string;
  warning: string | null;
  critical: string | null;
}
interface JsonCheck {
  name: string;
  status: string;
  message: string;
  values: JsonValue[];
}
interface JsonHost {
  name: string;
  group: string | null;
  status: string;
  exit_code: number;
  checks: JsonCheck[];
}
interface JsonFleet {
  schema: string;
  status: string;
  exit_code: number;
  host_count: Record<string, number>;
  hosts: JsonHost[];
}

let cluster: Cluster;
const dir = mkdtempSync(join(tmpdir(), "posemo-config-"));
const missingSocketDir = join(dir, "no-server-here");

beforeAll(async () => {
  cluster = await startCluster();
  const out = await runCli(["install", ...connectionArgs(cluster, "postgres"), "--create-database"]);
  if (out.exitCode !== 0) throw new Error(`posemo install failed: ${out.stderr}`);
  await cluster.exec("CREATE DATABASE reporting");
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a configuration file whose defaults point at the test cluster as the monitoring role. */
function config(name: string, body: string): string {
  const file = join(dir, name);
  const defaults = [
    `defaults:`,
    `  host: ${cluster.host}`,
    `  port: ${cluster.port}`,
    `  user: posemo`,
    `  dbname: posemo`,
    `  connect_timeout: 2s`,
  ];
  writeFileSync(file, [...defaults, body].join("\n") + "\n");
  return file;
}

function fleetOf(out: CliOutcome): JsonFleet {
  try {
    return JSON.parse(out.stdout) as JsonFleet;
  } catch {
    throw new Error(`no JSON (exit ${out.exitCode}): ${out.stdout}${out.stderr}`);
  }
}

function checkOf(host: JsonHost, name: string): JsonCheck {
  const found = host.checks.find((c) => c.name === name);
  if (!found) throw new Error(`host ${host.name} has no ${name}: ${host.checks.map((c) => c.name).join(",")}`);
  return found;
}

const THREE_HOSTS = [
  "hosts:",
  "  - name: alpha",
  "groups:",
  "  g:",
  "    hosts:",
  "      - name: beta",
  "      - name: down",
  `        host: ${missingSocketDir}`,
].join("\n");

describe("posemo check --config: many hosts", () => {
  test(
    "Nagios: the first line counts hosts by state, then each host and its checks; exit 2 for the unreachable one",
    async () => {
      const out = await runCli(["check", "--config", config("three.yaml", THREE_HOSTS), "--check", "alive,db_size"]);
      const lines = out.stdout.trimEnd().split("\n");
      const [summary, perf] = lines[0]!.split(" | ");
      expect(summary).toBe("POSEMO CRITICAL - 3 hosts: 1 CRITICAL (down), 2 OK");
      for (const item of perfItems(perf!)) expect(item).toMatch(PERF_ITEM);
      expect(perfItems(perf!)).toContain("'alpha:alive'=1");
      expect(perfItems(perf!)).toContain("'beta:alive'=1");
      expect(lines.filter((l) => /^\w+ (alpha|beta|down):/.test(l))).toEqual([
        "OK alpha: 2 checks: 2 OK",
        "OK beta: 2 checks: 2 OK",
        "CRITICAL down: 2 checks: 1 CRITICAL (alive), 1 UNKNOWN (db_size)",
      ]);
      expect(lines.filter((l) => l.startsWith("CRITICAL down alive: cannot connect: "))).toHaveLength(1);
      expect(lines.filter((l) => l.startsWith("OK alpha ") || l.startsWith("OK beta ")).map((l) => l.split(":")[0]))
        .toEqual(["OK alpha alive", "OK alpha db_size", "OK beta alive", "OK beta db_size"]);
      expect(out.exitCode).toBe(2);
    },
    30_000,
  );

  test("JSON: posemo.check/2 with one entry per host, names and groups, and the worst state", async () => {
    const out = await runCli([
      "check",
      "--config",
      config("three.yaml", THREE_HOSTS),
      "--check",
      "alive",
      "--format",
      "json",
    ]);
    const doc = fleetOf(out);
    expect(doc.schema).toBe("posemo.check/2");
    expect(doc.hosts.map((h) => [h.name, h.group, h.status])).toEqual([["alpha", null, "ok"], ["beta", "g", "ok"], [
      "down",
      "g",
      "critical",
    ]]);
    expect(doc.host_count).toEqual({ ok: 2, warning: 0, critical: 1, unknown: 0 });
    expect([doc.status, doc.exit_code, out.exitCode]).toEqual(["critical", 2, 2]);
  }, 30_000);

  test.each(["text", "checkmk", "prometheus", "zabbix", "zabbix-discovery"])(
    "--format %s renders every host and still exits with the worst state",
    async (format) => {
      const out = await runCli([
        "check",
        "--config",
        config("three.yaml", THREE_HOSTS),
        "--check",
        "alive,db_size",
        "--format",
        format,
      ]);
      expect(out.stderr).toBe("");
      // Discovery lists the rows found, and the unreachable host has none.
      for (const name of format === "zabbix-discovery" ? ["alpha", "beta"] : ["alpha", "beta", "down"]) {
        expect(
          out.stdout,
        ).toContain(name);
      }
      expect(out.exitCode).toBe(2);
    },
    30_000,
  );

  test("--host-name and --group select configured hosts; unknown ones are one-line errors", async () => {
    const file = config("three.yaml", THREE_HOSTS);
    const byName = fleetOf(
      await runCli(["check", "--config", file, "--check", "alive", "--format", "json", "--host-name", "alpha"]),
    );
    expect(byName.hosts.map((h) => h.name)).toEqual(["alpha"]);
    const byGroup = fleetOf(
      await runCli([
        "check",
        "--config",
        file,
        "--check",
        "alive",
        "--format",
        "json",
        "--group",
        "g",
        "--host-name",
        "beta",
      ]),
    );
    expect(byGroup.hosts.map((h) => h.name)).toEqual(["beta"]);
    const unknown = await runCli(["check", "--config", file, "--host-name", "zz"]);
    expect([unknown.exitCode, unknown.stderr]).toEqual([
      3,
      `posemo: Cannot select host "zz": "${file}" has no host of that name\n`,
    ]);
    const both = await runCli(["check", "--config", file, "--host-name", "alpha", "-H", "/tmp"]);
    expect([both.exitCode, both.stderr]).toEqual([
      3,
      "posemo: Cannot use --host-name: -H and --dsn name one host; select configured hosts without them\n",
    ]);
  }, 30_000);

  test("a host whose password file is missing is UNKNOWN naming it; the other hosts still run", async () => {
    const file = config("password.yaml", "hosts:\n  - name: alpha\n  - name: locked\n    password_file: missing.pw\n");
    const doc = fleetOf(await runCli(["check", "--config", file, "--check", "alive", "--format", "json"]));
    expect(doc.hosts.map((h) => h.status)).toEqual(["ok", "unknown"]);
    expect(checkOf(doc.hosts[1]!, "alive").message).toBe(
      `not run: Cannot read password file "${join(dir, "missing.pw")}": no such file`,
    );
  }, 30_000);
});

describe("posemo check --config: thresholds from the file", () => {
  test("a per-row limit changes one database's status; a host-level override merges over it", async () => {
    const file = config(
      "rows.yaml",
      [
        "  checks:",
        "    db_size:",
        "      rows:",
        "        reporting: { critical: 1kB }",
        "hosts:",
        "  - name: alpha",
        "  - name: beta",
        "    checks:",
        "      db_size:",
        "        rows:",
        "          reporting: { critical: '~:' }",
      ].join("\n"),
    );
    const out = await runCli(["check", "--config", file, "--check", "db_size", "--format", "json"]);
    const doc = fleetOf(out);
    const rows = (h: JsonHost) =>
      checkOf(h, "db_size").values.filter((v) => v.status !== "ok" || v.row === "reporting").map((
        v,
      ) => [v.row, v.status, v.critical]);
    expect(rows(doc.hosts[0]!)).toEqual([["reporting", "critical", "1024"]]);
    expect(rows(doc.hosts[1]!)).toEqual([["reporting", "ok", "~:"]]);
    expect(out.exitCode).toBe(2);
  }, 30_000);

  test("a range on one column of a multi-column check: activity's active sessions judged, idle ones not", async () => {
    if (!catalogue.some((c) => c.name === "activity")) {
      return void console.log("skipped: no activity check in the catalogue");
    }
    const file = config("columns.yaml", "  checks:\n    activity:\n      columns:\n        active: { critical: 0 }\n");
    const doc = fleetOf(await runCli(["check", "--config", file, "--check", "activity", "--format", "json"]));
    const values = checkOf(doc.hosts[0]!, "activity").values;
    const total = values.filter((v) => v.row === "!TOTAL");
    expect(total.find((v) => v.column === "active")).toMatchObject({ status: "critical", critical: "0" });
    expect(total.find((v) => v.column === "idle")).toMatchObject({ status: "ok", critical: null });
    expect(doc.status).toBe("critical");
  }, 30_000);

  test("defaults apply to a -H run too, and enabled: false leaves a check out of --check all", async () => {
    const file = config("defaults.yaml", "  checks:\n    alive: { critical: 0 }\n    db_size: { enabled: false }\n");
    const out = await runCli([
      "check",
      "--config",
      file,
      ...connectionArgs(cluster, "posemo", "posemo"),
      "--format",
      "json",
    ]);
    const host = fleetOf(out).hosts[0]!;
    expect(host.name).toBe(cluster.host);
    expect(checkOf(host, "alive").status).toBe("critical");
    expect(host.checks.map((c) => c.name)).not.toContain("db_size");
    expect(out.exitCode).toBe(2);
  }, 30_000);

  test("an invalid file stops check before connecting: exit 3 with file:line", async () => {
    const file = config("bad.yaml", "  checks:\n    alive: { critcal: 0 }\n");
    const out = await runCli(["check", "--config", file]);
    expect(out.exitCode).toBe(3);
    expect(out.stdout).toBe("");
    expect(out.stderr).toBe(
      `posemo: ${file}:8: unknown key "critcal" in defaults.checks.alive (allowed: enabled, warning, critical, columns, rows, arguments)\n`,
    );
  });
});

/** TCP servers on 127.0.0.1 that accept and never answer; they count connections and the peak of open ones. */
async function blackHoles(n: number) {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  const accepted = new Array<number>(n).fill(0);
  let open = 0;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const server = createServer((socket) => {
      accepted[i]!++;
      sockets.push(socket);
      socket.resume(); // read (and drop) the startup packet, so the client's close is seen
      peak = Math.max(peak, ++open);
      socket.on("close", () => open--);
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    servers.push(server);
  }
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  const close = () => {
    for (const s of sockets) s.destroy();
    for (const s of servers) s.close();
  };
  return { ports, accepted, peak: () => peak, close };
}

function blackHoleConfig(name: string, ports: readonly number[]): string {
  const hosts = ports.map((port, i) => `  - { name: hole${i}, host: 127.0.0.1, port: ${port}, connect_timeout: 1s }`);
  return config(name, ["hosts:", ...hosts].join("\n"));
}

describe("posemo check --config: unreachable hosts", () => {
  test(
    "six black holes in parallel: one connection each (not one per check), all open at once, done in about one connect timeout",
    async () => {
      const holes = await blackHoles(6);
      try {
        const t0 = performance.now();
        const out = await runCli(["check", "--config", blackHoleConfig("holes.yaml", holes.ports), "--check", "all"]);
        const elapsed = performance.now() - t0;
        expect(holes.accepted).toEqual([1, 1, 1, 1, 1, 1]);
        expect(holes.peak()).toBe(6);
        // A correctness bound, not a speed target: checked one after another they would need 6 connect timeouts.
        expect(elapsed).toBeLessThan(5000);
        expect(out.stdout).toStartWith(
          "POSEMO CRITICAL - 6 hosts: 6 CRITICAL (hole0, hole1, hole2, hole3, hole4, hole5)",
        );
        expect(out.stdout).toContain("CRITICAL hole3 alive: cannot connect: connection timed out");
        expect(out.exitCode).toBe(2);
      } finally {
        holes.close();
      }
    },
    30_000,
  );

  // The host that times out first is idle while the other waits: anything left queued on its
  // session (the custom checks' query of --check all once was) would reconnect then.
  test("--check all: a host that times out before the others still gets one connection", async () => {
    const holes = await blackHoles(2);
    try {
      const file = config(
        "holes-uneven.yaml",
        [
          "hosts:",
          `  - { name: quick, host: 127.0.0.1, port: ${holes.ports[0]}, connect_timeout: 1s }`,
          `  - { name: slow, host: 127.0.0.1, port: ${holes.ports[1]}, connect_timeout: 2s }`,
        ].join("\n"),
      );
      const out = await runCli(["check", "--config", file, "--check", "all"]);
      expect(out.stdout).toStartWith("POSEMO CRITICAL - 2 hosts: 2 CRITICAL (quick, slow)");
      expect(holes.accepted).toEqual([1, 1]);
    } finally {
      holes.close();
    }
  }, 30_000);

  test("--concurrency 2 keeps at most two hosts connecting at once", async () => {
    const holes = await blackHoles(4);
    try {
      const out = await runCli([
        "check",
        "--config",
        blackHoleConfig("holes4.yaml", holes.ports),
        "--check",
        "alive",
        "--concurrency",
        "2",
      ]);
      expect(holes.accepted).toEqual([1, 1, 1, 1]);
      expect(holes.peak()).toBe(2);
      expect(out.exitCode).toBe(2);
    } finally {
      holes.close();
    }
  }, 30_000);
});

describe("posemo check --output", () => {
  test("writes the document to the file (nothing on stdout) and still exits with the check state", async () => {
    const target = join(dir, "result.json");
    const out = await runCli([
      "check",
      "--config",
      config("three.yaml", THREE_HOSTS),
      "--check",
      "alive",
      "--format",
      "json",
      "--output",
      target,
    ]);
    expect(out.stdout).toBe("");
    expect(out.exitCode).toBe(2);
    expect(JSON.parse(readFileSync(target, "utf8")).hosts.map((h: JsonHost) => h.name)).toEqual([
      "alpha",
      "beta",
      "down",
    ]);
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  }, 30_000);

  test("an unwritable --output is a one-line error, exit 3", async () => {
    const target = join(dir, "missing-dir", "result.txt");
    const out = await runCli([
      "check",
      ...connectionArgs(cluster, "posemo", "posemo"),
      "--check",
      "alive",
      "--output",
      target,
    ]);
    expect([out.exitCode, out.stderr]).toEqual([3, `posemo: Cannot write "${target}": its directory does not exist\n`]);
  });
});
