/**
 * A run that names a custom check learns its definition from each host within that host's own session
 * of the run, so a host that is down or never answers costs one connection attempt and is judged like
 * any down host (alive CRITICAL with the reason, the custom check "not run" with it), the other hosts
 * are judged normally, and a name no reachable server knows is still a usage error. Through the real
 * CLI against a real PostgreSQL with a custom check installed, a missing socket and TCP black holes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, createServer, type Server, type Socket } from "node:net";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type CliOutcome, runCli } from "../harness/cli.ts";
import type { Cluster } from "../../dev/cluster.ts";
import { runCatalogue } from "../../src/cli/custom-catalogue.ts";
import { metricsService } from "../../src/metrics/service.ts";
import { realConnectionEnvironment } from "../../src/config/environment.ts";
import { POSEMO_VERSION } from "../../src/version.ts";
import * as fixture from "../install/install-fixture.ts";

const PASSWORD = "monitoring-pw-down";
let cluster: Cluster;
let work: string;

beforeAll(async () => {
  ({ cluster } = await fixture.startInstallCluster());
  work = mkdtempSync(join(tmpdir(), "posemo-custom-down-"));
  const ops = join(work, "ops");
  cpSync(resolve(import.meta.dir, "../fixtures/custom-checks/ops"), ops, { recursive: true });
  await cluster.exec(
    "CREATE TABLE public.backup_heartbeat (beat timestamptz); INSERT INTO public.backup_heartbeat VALUES (now() - interval '3 hours')",
    "app",
  );
  fixture.expectInstalled(
    await fixture.install(
      cluster,
      "--database",
      "app",
      "--checks-dir",
      ops,
      "--monitoring-password-file",
      fixture.passwordFile(work, PASSWORD),
    ),
  );
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A TCP server on 127.0.0.1 that accepts and never answers, counting the connections it accepted. */
async function blackHole() {
  const sockets: Socket[] = [];
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.push(socket);
    socket.resume();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    port: (server.address() as { port: number }).port,
    accepted: () => accepted,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** A TCP proxy on 127.0.0.1 to the cluster's socket, counting the connections made through it. */
async function countingProxy() {
  const sockets: Socket[] = [];
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted++;
    const upstream = connect(join(cluster.host, `.s.PGSQL.${cluster.port}`));
    sockets.push(client, upstream);
    client.pipe(upstream).pipe(client);
    const end = () => (client.destroy(), upstream.destroy());
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    port: (server.address() as { port: number }).port,
    accepted: () => accepted,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const check = (args: string[]): Promise<CliOutcome> => runCli(["check", ...args], { PGPASSWORD: PASSWORD });

/** A configuration with the real server ("real") and a black hole ("hole"), both as the monitoring role. */
function twoHosts(holePort: number): string {
  const file = join(work, `two-${holePort}.yaml`);
  writeFileSync(
    file,
    [
      "hosts:",
      `  - { name: real, host: ${cluster.host}, port: ${cluster.port}, user: posemo, dbname: app }`,
      `  - { name: hole, host: 127.0.0.1, port: ${holePort}, user: posemo, dbname: app, connect_timeout: 1s }`,
      "",
    ].join("\n"),
  );
  return file;
}

describe("a named custom check on a host that is down", () => {
  test("no server on the socket: alive CRITICAL with libpq's reason, the custom check not run (exit 2, not a usage error)", async () => {
    const out = await check(["-H", join(work, "no-server-here"), "-U", "posemo", "--check", "alive,heartbeat_age"]);
    expect(out.stderr).toBe("");
    expect(out.stdout).toStartWith("POSEMO CRITICAL - 2 checks: 1 CRITICAL (alive), 1 UNKNOWN (heartbeat_age)");
    expect(out.stdout).toContain("CRITICAL alive: cannot connect: no server running on socket");
    expect(out.stdout).toContain("UNKNOWN heartbeat_age: not run: cannot connect: no server running on socket");
    expect(out.exitCode).toBe(2);
  });

  test("a black hole: one connection attempt, not a learning one and then the run's", async () => {
    const hole = await blackHole();
    try {
      const out = await check([
        "--dsn",
        `postgresql://posemo@127.0.0.1:${hole.port}/app?connect_timeout=1`,
        "--check",
        "alive,heartbeat_age",
      ]);
      expect(out.stdout).toContain("CRITICAL alive: cannot connect: connection timed out");
      expect(out.exitCode).toBe(2);
      expect(hole.accepted()).toBe(1);
    } finally {
      hole.close();
    }
  }, 30_000);

  test(
    "--config with a live host and a black hole: the live host's custom check is judged, the hole CRITICAL",
    async () => {
      const hole = await blackHole();
      try {
        const out = await check([
          "--config",
          twoHosts(hole.port),
          "--check",
          "alive,heartbeat_age",
          "--format",
          "json",
        ]);
        const hosts = JSON.parse(out.stdout).hosts as {
          name: string;
          checks: { name: string; status: string; message: string }[];
        }[];
        const real = hosts.find((h) => h.name === "real")!;
        expect(real.checks.map((c) => [c.name, c.status])).toEqual([["alive", "ok"], ["heartbeat_age", "critical"]]);
        const down = hosts.find((h) => h.name === "hole")!;
        expect(down.checks.find((c) => c.name === "alive")).toMatchObject({ status: "critical" });
        expect(down.checks.find((c) => c.name === "heartbeat_age")!.message).toStartWith("not run: cannot connect");
        expect(out.exitCode).toBe(2);
        expect(hole.accepted()).toBe(1);
      } finally {
        hole.close();
      }
    },
    30_000,
  );

  test("a name the reachable server does not know is still a usage error naming it", async () => {
    const out = await check([
      "-H",
      cluster.host,
      "-p",
      String(cluster.port),
      "-U",
      "posemo",
      "-d",
      "app",
      "--check",
      "alive,no_such_check",
    ]);
    expect(out.stdout).toBe("");
    expect(out.stderr).toBe(
      'posemo: Cannot run unknown check "no_such_check": see posemo check --list (or use --check all)\n',
    );
    expect(out.exitCode).toBe(3);
  });
});

describe("a named custom check on a reachable host, learnt in the run's own session", () => {
  const real = () => ["-H", cluster.host, "-p", String(cluster.port), "-U", "posemo", "-d", "app"];

  test("one connection: the definitions come on the run's own session", async () => {
    const proxy = await countingProxy();
    try {
      const out = await check([
        "--dsn",
        `postgresql://posemo@127.0.0.1:${proxy.port}/app`,
        "--check",
        "alive,heartbeat_age",
      ]);
      expect(out.stdout).toStartWith("POSEMO CRITICAL - 2 checks: 1 CRITICAL (heartbeat_age), 1 OK |");
      expect(proxy.accepted()).toBe(1);
    } finally {
      proxy.close();
    }
  });

  test("-w/-c aim at the custom check's column once the host told its definition", async () => {
    expect((await check([...real(), "--check", "heartbeat_age"])).stdout).toStartWith(
      "POSEMO CRITICAL - heartbeat_age",
    );
    const relaxed = await check([...real(), "--check", "heartbeat_age", "-w", "20000", "-c", "30000"]);
    expect(relaxed.stdout).toStartWith("POSEMO OK - heartbeat_age");
    expect(relaxed.exitCode).toBe(0);
  });

  test("a configuration naming a check no reachable server has is refused with file:line", async () => {
    const file = join(work, "typo.yaml");
    writeFileSync(file, "defaults:\n  checks:\n    heartbeat_agee:\n      warning: 3h\n");
    const out = await check([...real(), "--config", file, "--check", "alive"]);
    expect(out.stdout).toBe("");
    expect(out.stderr).toStartWith(`posemo: ${file}:3: unknown check "heartbeat_agee"`);
    expect(out.exitCode).toBe(3);
  });
});

describe("serve-metrics naming a custom check with a host that is down", () => {
  test("starts, serves the live host's custom check, shows the hole down, one attempt per scrape", async () => {
    const hole = await blackHole();
    try {
      const flags = {
        config: twoHosts(hole.port),
        listen: { hostname: "127.0.0.1", port: 0 },
        minInterval: 0,
        check: ["alive", "heartbeat_age"],
      };
      const env = { HOME: work, PGPASSWORD: PASSWORD };
      const connectionEnv = realConnectionEnvironment(env, () => undefined);
      const known = await runCatalogue(flags, { env, connectionEnv, version: POSEMO_VERSION });
      const service = metricsService(flags, { env, warn: () => undefined, version: POSEMO_VERSION }, known);
      const text = await (await service.app.request("/metrics")).text();
      expect(text).toMatch(/posemo_check_status\{[^}]*host="real"[^}]*check="heartbeat_age"\} 2/);
      expect(text).toMatch(/posemo_check_status\{[^}]*host="hole"[^}]*check="alive"\} 2/);
      expect(hole.accepted()).toBe(1);
    } finally {
      hole.close();
    }
  }, 30_000);
});
