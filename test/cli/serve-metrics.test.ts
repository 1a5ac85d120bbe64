/**
 * `posemo serve-metrics` against a real PostgreSQL after `posemo install`: the app through
 * `app.request()` (every check in the exposition, scrapes within --min-interval served from the
 * last run, concurrent scrapes sharing one run), and the real process on a loopback port.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { variantFor } from "../../src/catalogue/definition.ts";
import type { ServeMetricsFlags } from "../../src/cli/commands/serve-metrics.ts";
import { metricsService } from "../../src/metrics/service.ts";
import { POSEMO_VERSION } from "../../src/version.ts";
import { connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { parseExposition } from "../output/exposition-syntax.ts";

let cluster: Cluster;
/** A HOME with nothing in it, so no ~/.pgpass or ~/.config/posemo leaks in. */
const emptyHome = mkdtempSync(join(tmpdir(), "posemo-home-"));

beforeAll(async () => {
  cluster = await startCluster();
  const out = await runCli(["install", ...connectionArgs(cluster, "postgres"), "--create-database"]);
  if (out.exitCode !== 0) throw new Error(`posemo install failed: ${out.stderr}`);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(emptyHome, { recursive: true, force: true });
});

function flags(overrides: Partial<ServeMetricsFlags> = {}): ServeMetricsFlags {
  return {
    host: cluster.host,
    port: cluster.port,
    user: "posemo",
    dbname: "posemo",
    listen: { hostname: "127.0.0.1", port: 0 },
    minInterval: 60_000,
    check: ["all"],
    ...overrides,
  };
}

function service(overrides: Partial<ServeMetricsFlags> = {}) {
  const warnings: string[] = [];
  return {
    ...metricsService(flags(overrides), {
      env: { HOME: emptyHome },
      warn: (l) => warnings.push(l),
      version: POSEMO_VERSION,
    }, { catalogue, config: undefined }),
    warnings,
  };
}

async function scrape(app: { request: (path: string) => Response | Promise<Response> }) {
  const res = await app.request("/metrics");
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

describe("posemo serve-metrics (app)", () => {
  test("/metrics: posemo_up 1 and a status for every installed check, all 0-3", async () => {
    const { app, warnings } = service();
    const { samples } = await scrape(app);
    const host = cluster.host;
    expect(samples.get(`posemo_up{host="${host}"}`)).toBe("1");
    const statuses = [...samples].filter(([k]) => k.startsWith("posemo_check_status{"));
    const expected = catalogue.filter((c) => variantFor(c, cluster.major)).map((c) => c.name);
    expect(statuses.map(([k]) => /check="([^"]+)"/.exec(k)![1]).sort()).toEqual([...expected].sort());
    for (const [, v] of statuses) expect(["0", "1", "2", "3"]).toContain(v);
    expect(samples.get(`posemo_alive{host="${host}"}`)).toBe("1");
    expect(warnings).toEqual([]);
  }, 30_000);

  test("scrapes within --min-interval get the last run; the database is not asked again", async () => {
    const { app, shared } = service({ minInterval: 60_000, check: ["alive", "activity"] });
    const first = await scrape(app);
    const second = await scrape(app);
    expect(shared.runs).toBe(1);
    const stamp = `posemo_run_timestamp_seconds{host="${cluster.host}"}`;
    expect(second.samples.get(stamp)).toBe(first.samples.get(stamp)!);
  }, 30_000);

  test("concurrent scrapes share one run", async () => {
    const { app, shared } = service({ check: ["alive"] });
    const bodies = await Promise.all(Array.from({ length: 8 }, async () => (await app.request("/metrics")).text()));
    expect(shared.runs).toBe(1);
    expect(new Set(bodies).size).toBe(1);
  }, 30_000);

  test("after the interval a scrape runs the checks again", async () => {
    const { app, shared } = service({ minInterval: 1, check: ["alive"] });
    await scrape(app);
    await Bun.sleep(5);
    await scrape(app);
    expect(shared.runs).toBe(2);
  }, 30_000);

  test("an unreachable server is a scrape with posemo_up 0 and alive CRITICAL, not an error", async () => {
    const { app } = service({ host: "/nonexistent-socket-dir", connectTimeout: 2000, check: ["alive"] });
    const { samples } = await scrape(app);
    expect(samples.get('posemo_up{host="/nonexistent-socket-dir"}')).toBe("0");
    expect(samples.get('posemo_check_status{host="/nonexistent-socket-dir",check="alive"}')).toBe("2");
  }, 30_000);

  test("an unknown check is refused at start with one line", async () => {
    expect(() => service({ check: ["nope"] })).toThrow('Cannot run unknown check "nope"');
  });
});

describe("posemo serve-metrics (process)", () => {
  test("prints its URL, serves /metrics and /healthz on loopback, exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, [
      "mod.ts",
      "serve-metrics",
      "--listen",
      "127.0.0.1:0",
      ...connectionArgs(cluster, "posemo", "posemo"),
      "--check",
      "alive",
    ], {
      cwd: resolve(import.meta.dir, "../.."),
      env: { PATH: process.env.PATH ?? "", HOME: emptyHome },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const url = await new Promise<string>((done, fail) => {
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d;
        if (out.includes("\n")) done(out.split("\n")[0]!);
      });
      child.on("exit", () => fail(new Error(`exited before printing its URL: ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const metrics = await fetch(url);
    expect(metrics.headers.get("content-type")).toContain("version=0.0.4");
    expect(await metrics.text()).toContain('posemo_check_status{host="' + cluster.host + '",check="alive"} 0\n');
    expect(await (await fetch(url.replace("/metrics", "/healthz"))).text()).toBe("ok\n");
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 30_000);

  test("SIGHUP reads the configuration again; a refused file keeps the running one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "posemo-metrics-reload-"));
    const config = join(dir, "posemo.yaml");
    const write = (hosts: string[]) =>
      writeFileSync(
        config,
        `defaults:\n  port: ${cluster.port}\n  user: posemo\n  dbname: posemo\n  connect_timeout: 2s\nhosts:\n${
          hosts.map((h) => `  - ${h}\n`).join("")
        }`,
      );
    write([cluster.host]);
    const child = spawn(process.execPath, [
      "mod.ts",
      "serve-metrics",
      "--listen",
      "127.0.0.1:0",
      "--config",
      config,
      "--check",
      "alive",
      "--min-interval",
      "1ms",
    ], {
      cwd: resolve(import.meta.dir, "../.."),
      env: { PATH: process.env.PATH ?? "", HOME: emptyHome },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    const stderrSays = (text: string) =>
      Promise.race([
        new Promise<void>((done) => {
          const look = () => stderr.includes(text) && (child.stderr.off("data", look), done());
          child.stderr.on("data", look);
          look();
        }),
        exited.then((code) =>
          Promise.reject(new Error(`serve-metrics exited (${code}) before saying "${text}": ${stderr}`))
        ),
      ]);
    try {
      const url = await new Promise<string>((done, fail) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d).includes("\n") && done(out.split("\n")[0]!));
        child.on("exit", () => fail(new Error(`exited before printing its URL: ${stderr}`)));
      });
      const hosts = async () =>
        [...(await (await fetch(url)).text()).matchAll(/^posemo_up\{host="([^"]+)"\} (\d)$/gm)].map((m) =>
          `${m[1]}=${m[2]}`
        ).sort();
      expect(await hosts()).toEqual([`${cluster.host}=1`]);
      write([cluster.host, "/nonexistent-posemo-reload"]);
      child.kill("SIGHUP");
      await stderrSays("reloaded: 2 host(s)");
      expect(await hosts()).toEqual(["/nonexistent-posemo-reload=0", `${cluster.host}=1`]);
      writeFileSync(config, "hosts:\n  - name: [broken\n");
      child.kill("SIGHUP");
      await stderrSays("reload refused");
      const refusal = stderr.split("\n").filter((l) => l.includes("reload refused"));
      expect(refusal).toHaveLength(1);
      expect(refusal[0]).toContain(config);
      expect(await hosts()).toEqual(["/nonexistent-posemo-reload=0", `${cluster.host}=1`]);
    } finally {
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await exited).toBe(0);
  }, 60_000);

  test("a bad --listen is one line naming the value", async () => {
    const out = await runCli(["serve-metrics", "--listen", "localhost", "-H", "/tmp"]);
    expect(out.exitCode).not.toBe(0);
    expect(out.stderr).toContain('Cannot use "localhost" as a listen address');
    expect(out.stderr.trim().split("\n")).toHaveLength(1);
  });
});
