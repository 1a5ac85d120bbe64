/**
 * Prometheus' own promtool and the README: `promtool check metrics` accepts the README's sample, the
 * output of a real run (also of several hosts, one of them down), the file the README's cron line
 * writes and what the README's serve-metrics command serves; `promtool check config` accepts the
 * README's prometheus.yml with its rule file, and `promtool test rules` shows the rules fire.
 */
import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster } from "../../dev/cluster.ts";
import { parseExposition } from "../output/exposition-syntax.ts";
import { cronCommand, readmeExample } from "./readme-examples.ts";
import { adaptCommand, fleetConfig, requireTool, runTool, shell, withInstalledPosemo } from "./tools.ts";
import { parseMetrics, startFakeLogplexd, startServeLogs, tempServeDirs } from "../../dev/log-processes.ts";

const promtool = requireTool("promtool", "prometheus");

let cluster: Cluster;
let posemo: string;
let home: string;

const scratch = withInstalledPosemo("prometheus", (installed) => ({ cluster, posemo, home } = installed));

/** promtool check metrics on `text`: exit 0 and no lint message. */
function expectAccepted(text: string): void {
  const out = runTool(promtool!, ["check", "metrics"], text);
  if (out.exitCode !== 0 || out.stdout.trim() !== "" || out.stderr.trim() !== "") {
    throw new Error(`promtool check metrics refused it (exit ${out.exitCode}):\n${out.stdout}${out.stderr}`);
  }
}

describe.skipIf(!promtool)("promtool check metrics", () => {
  test("refuses what Prometheus' conventions forbid (the check can fail)", () => {
    const out = runTool(promtool!, ["check", "metrics"], "# HELP x_count c\n# TYPE x_count counter\nx_count 1\n");
    expect(out.exitCode).not.toBe(0);
  });

  test("accepts the README's sample output", () => {
    expectAccepted(readmeExample("prometheus-output").body);
  });

  test("accepts a real run of every check", async () => {
    const out = await runCli(["check", ...connectionArgs(cluster, "posemo", "posemo"), "--format", "prometheus"]);
    expect(out.stderr).toBe("");
    const { samples } = parseExposition(out.stdout);
    expect(samples.get(`posemo_up{host="${cluster.host}"}`)).toBe("1");
    expectAccepted(out.stdout);
  }, 30_000);

  test("accepts a real run of several hosts, one of them down", async () => {
    const config = fleetConfig(join(scratch.dir, "fleet.yaml"), cluster, ["db1", "db2"], "down");
    const out = await runCli(["check", "--config", config, "--format", "prometheus"]);
    const { samples } = parseExposition(out.stdout);
    expect([
      samples.get('posemo_up{host="db1"}'),
      samples.get('posemo_up{host="db2"}'),
      samples.get('posemo_up{host="down"}'),
    ]).toEqual(["1", "1", "0"]);
    expectAccepted(out.stdout);
  }, 30_000);

  test("accepts the file the README's textfile-collector cron line writes, replaced atomically", async () => {
    const textfiles = join(scratch.dir, "node-exporter");
    mkdirSync(textfiles);
    const command = adaptCommand(cronCommand(readmeExample("prometheus-cron"), { withUser: true }), {
      posemo,
      cluster,
      replace: { "/var/lib/prometheus/node-exporter/": `${textfiles}/` },
    });
    const out = await shell(command, { env: { HOME: home } });
    expect(out.stdout).toBe("");
    expect(readdirSync(textfiles)).toEqual(["posemo.prom"]);
    expectAccepted(readFileSync(join(textfiles, "posemo.prom"), "utf8"));
  }, 30_000);

  test("accepts what the README's serve-metrics command serves", async () => {
    const command = adaptCommand(readmeExample("serve-metrics").body.trim(), {
      posemo,
      cluster,
      replace: { "127.0.0.1:9816": "127.0.0.1:0" },
    });
    const child = spawn("/bin/sh", ["-c", `exec ${command}`], {
      env: { PATH: "/usr/bin:/bin", HOME: home },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((done, fail) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d;
          if (out.includes("\n")) done(out.split("\n")[0]!);
        });
        child.on("exit", (code) => fail(new Error(`serve-metrics exited (${code}) before printing its URL`)));
      });
      const first = await (await fetch(url)).text();
      const second = await (await fetch(url)).text();
      expectAccepted(first);
      expect(second).toBe(first); // within --min-interval 30s: the same run
    } finally {
      child.kill("SIGTERM");
    }
  }, 30_000);
});

describe.skipIf(!promtool)("promtool check metrics on serve-logs' /metrics", () => {
  test("accepts it with hostile identities, names and socket paths, one series set per serve", async () => {
    const setup = tempServeDirs();
    const fake = await startFakeLogplexd(setup.root);
    const hostile = ['x"y\\z\nw\r\u001b[31m\u0000', "\ud800 lone", "a\u2028b\u0085", "t\\x1b", "t\u001b"];
    const serves = hostile.map((i, n) => ({ i, p: setup.socket(`s${n}\t`), url: fake.url, name: i }));
    // A byte that is not UTF-8 (0xff) in the file itself, as a careless generator might write it.
    const [before, after] = JSON.stringify({ serves: [...serves, { i: "RAW", p: setup.socket("raw"), url: fake.url }] })
      .split("RAW");
    writeFileSync(
      join(setup.db, "serves.loaded"),
      Buffer.concat([Buffer.from(before!), Buffer.of(0xff), Buffer.from(after!)]),
    );
    const serveLogs = await startServeLogs(setup.db);
    try {
      const text = await (await fetch(`${serveLogs.statsUrl}/metrics`)).text();
      expectAccepted(text);
      expect(parseMetrics(text).size).toBe(hostile.length + 1);
    } finally {
      await serveLogs.child.stop();
      await fake.child.stop();
      setup.cleanup();
    }
  }, 30_000);
});

describe.skipIf(!promtool)("promtool check config / test rules", () => {
  test("accepts the README's prometheus.yml and the rule file it names", () => {
    const dir = join(scratch.dir, "prometheus");
    mkdirSync(dir);
    writeFileSync(join(dir, "prometheus.yml"), readmeExample("prometheus-config").body);
    writeFileSync(join(dir, "posemo-rules.yml"), readmeExample("prometheus-rules").body);
    const out = runTool(promtool!, ["check", "config", join(dir, "prometheus.yml")]);
    if (out.exitCode !== 0) throw new Error(`promtool check config failed:\n${out.stdout}${out.stderr}`);
    expect(out.stdout).toContain("SUCCESS: 3 rules found");
  });

  test("the README's rules fire on posemo's series: down host, critical check, lasting warning", () => {
    const dir = join(scratch.dir, "rules-test");
    mkdirSync(dir);
    writeFileSync(join(dir, "posemo-rules.yml"), readmeExample("prometheus-rules").body);
    writeFileSync(
      join(dir, "test.yml"),
      `rule_files: [posemo-rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'posemo_up{host="db1"}'
        values: '0x10'
      - series: 'posemo_check_status{host="db1",check="writeable"}'
        values: '2x10'
      - series: 'posemo_check_status{host="db1",check="cache_hit_ratio"}'
        values: '1x20'
    alert_rule_test:
      - eval_time: 5m
        alertname: PosemoDown
        exp_alerts:
          - exp_labels: { severity: critical, host: db1 }
            exp_annotations: { summary: "posemo cannot log in to db1" }
      - eval_time: 6m
        alertname: PosemoCheckCritical
        exp_alerts:
          - exp_labels: { severity: critical, host: db1, check: writeable }
            exp_annotations: { summary: "posemo check writeable is CRITICAL on db1" }
      - eval_time: 10m
        alertname: PosemoCheckWarning
        exp_alerts: []
      - eval_time: 16m
        alertname: PosemoCheckWarning
        exp_alerts:
          - exp_labels: { severity: warning, host: db1, check: cache_hit_ratio }
            exp_annotations: { summary: "posemo check cache_hit_ratio is WARNING on db1" }
`,
    );
    const out = runTool(promtool!, ["test", "rules", join(dir, "test.yml")]);
    if (out.exitCode !== 0) throw new Error(`promtool test rules failed:\n${out.stdout}${out.stderr}`);
    expect(out.stdout).toContain("SUCCESS");
    expect(existsSync(join(dir, "test.yml"))).toBe(true);
  });
});
