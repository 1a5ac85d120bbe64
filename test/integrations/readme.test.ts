/**
 * The README's monitoring examples that need no monitoring tool: the cron lines with `--output`
 * (ours and the configuration section's), the text table; and a census of the marked examples, so a
 * new example cannot go untested.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster } from "../../dev/cluster.ts";
import { cronCommand, readmeBlocks, readmeExample } from "./readme-examples.ts";
import { adaptCommand, shell, withInstalledPosemo } from "./tools.ts";

/** Every marked example and the test file that runs it. */
const EXAMPLES: Readonly<Record<string, string>> = {
  "nagios-objects": "nagios.test.ts",
  "checkmk-output": "checkmk.test.ts",
  "checkmk-plugin": "checkmk.test.ts",
  "prometheus-output": "prometheus.test.ts",
  "prometheus-cron": "prometheus.test.ts",
  "serve-metrics": "prometheus.test.ts",
  "prometheus-config": "prometheus.test.ts",
  "prometheus-rules": "prometheus.test.ts",
  "zabbix-cron": "zabbix.test.ts",
  "zabbix-discovery": "zabbix.test.ts",
  "cron-json": "readme.test.ts",
  "text-output": "readme.test.ts",
  "serves-new": "../cli/serve-logs-readme.test.ts",
};

let cluster: Cluster;
let posemo: string;
let home: string;

const scratch = withInstalledPosemo("readme", (installed) => ({ cluster, posemo, home } = installed));

describe("README examples", () => {
  test("every marked example is run by a test, and every test's example is still in the README", () => {
    const readme = readFileSync(join(import.meta.dir, "../../README.md"), "utf8");
    const markers = [...readme.matchAll(/^<!-- example: ([a-z0-9-]+) -->$/gm)].map((m) => m[1]!);
    expect(markers.sort()).toEqual(Object.keys(EXAMPLES).sort());
    for (const [name, file] of Object.entries(EXAMPLES)) {
      expect(readFileSync(join(import.meta.dir, file), "utf8")).toContain(`"${name}"`);
    }
  });

  test("cron with --output: the JSON document lands complete, no temporary file is left", async () => {
    const dir = join(scratch.dir, "status");
    mkdirSync(dir);
    const command = adaptCommand(cronCommand(readmeExample("cron-json"), { withUser: false }), {
      posemo,
      cluster,
      replace: { "/var/lib/posemo/": `${dir}/` },
    });
    const out = await shell(command, { env: { HOME: home } });
    expect([out.stdout, out.stderr]).toEqual(["", ""]);
    expect(readdirSync(dir)).toEqual(["status.json"]);
    const doc = JSON.parse(readFileSync(join(dir, "status.json"), "utf8")) as {
      schema: string;
      exit_code: number;
      hosts: unknown[];
    };
    expect(doc.schema).toBe("posemo.check/2");
    expect(doc.hosts).toHaveLength(1);
    expect(out.exitCode).toBe(doc.exit_code);
  }, 30_000);

  test("the configuration section's cron line, with its configuration file", async () => {
    const block = readmeBlocks().find((b) =>
      b.body.includes("--config /etc/posemo/posemo.yaml --format json --output")
    );
    if (!block) throw new Error("README.md no longer has the configuration section's cron line");
    const dir = join(scratch.dir, "config-cron");
    mkdirSync(dir);
    const config = join(dir, "posemo.yaml");
    writeFileSync(
      config,
      [
        "defaults:",
        `  host: ${cluster.host}`,
        `  port: ${cluster.port}`,
        "  user: posemo",
        "  dbname: posemo",
        "hosts:",
        "  - name: db1",
        "  - name: db2",
      ].join("\n") + "\n",
    );
    const command = adaptCommand(cronCommand(block, { withUser: false }), {
      posemo,
      cluster,
      replace: { "/etc/posemo/posemo.yaml": config, "/var/lib/posemo/": `${dir}/` },
    });
    const out = await shell(command, { env: { HOME: home } });
    expect(out.stderr).toBe("");
    const doc = JSON.parse(readFileSync(join(dir, "status.json"), "utf8")) as { hosts: { name: string }[] };
    expect(doc.hosts.map((h) => h.name)).toEqual(["db1", "db2"]);
  }, 30_000);

  test("the text table: the README's sample has the shape of a real run", async () => {
    const shape = (text: string) => {
      const lines = text.trimEnd().split("\n");
      const column = lines[1]!.indexOf("MESSAGE");
      expect(lines[0]).toMatch(/^\S+ {2}PostgreSQL [\d.]+ {2}\d+ ms {2}(OK|WARNING|CRITICAL|UNKNOWN)$/);
      expect(lines[1]).toMatch(/^ {2}STATUS {4}CHECK +MESSAGE$/);
      const rows = lines.slice(2, lines.indexOf(""));
      for (const row of rows) {
        expect(row).toMatch(/^ {2}(OK|WARNING|CRITICAL|UNKNOWN) +\S+ +\S/);
        expect(row[column - 1]).toBe(" ");
        expect(row[column]).not.toBe(" ");
      }
      expect(lines.at(-1)).toMatch(new RegExp(`^${rows.length} checks: (\\d+ (CRITICAL|WARNING|UNKNOWN|OK)(, |$))+`));
    };
    shape(readmeExample("text-output").body);
    const out = await runCli([
      "check",
      ...connectionArgs(cluster, "posemo", "posemo"),
      "--check",
      "alive,cache_hit_ratio,connection_limit",
      "--format",
      "text",
    ]);
    expect(out.stdout).not.toContain("\x1b[");
    shape(out.stdout);
  }, 30_000);
});
