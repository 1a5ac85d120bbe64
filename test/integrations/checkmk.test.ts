/**
 * check_mk and the README: the README's sample and real output (one host; several hosts with
 * piggyback sections) follow the documented local-check grammar; the agent plugin in
 * docs/integrations/checkmk/posemo, installed as the README says, runs as the agent runs it.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { variantFor } from "../../src/catalogue/definition.ts";
import { connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster } from "../../dev/cluster.ts";
import { assertCheckmkOutput, parseLocalLine } from "../output/checkmk-syntax.ts";
import { readmeExample } from "./readme-examples.ts";
import { fleetConfig, REPO_ROOT, shell, withInstalledPosemo } from "./tools.ts";

let cluster: Cluster;
let posemo: string;
let home: string;
const plugin = join(REPO_ROOT, "docs/integrations/checkmk/posemo");

const scratch = withInstalledPosemo("checkmk", (installed) => ({ cluster, posemo, home } = installed));

function services(text: string): string[] {
  return text.trimEnd().split("\n").filter((l) => !l.startsWith("<<<")).map((l) => parseLocalLine(l).service);
}

function twoHostConfig(): string {
  return fleetConfig(join(scratch.dir, "posemo.yaml"), cluster, ["pg-main"], "pg-down");
}

describe("check_mk local checks", () => {
  test("the README's sample follows the documented grammar", () => {
    assertCheckmkOutput(readmeExample("checkmk-output").body);
  });

  test("a real run: one local section, a service for every check, per-database services", async () => {
    const out = await runCli(["check", ...connectionArgs(cluster, "posemo", "posemo"), "--format", "checkmk"]);
    assertCheckmkOutput(out.stdout);
    expect(out.stdout.startsWith("<<<local:sep(0)>>>\n")).toBe(true);
    const names = services(out.stdout);
    for (const check of catalogue.filter((c) => variantFor(c, cluster.major))) {
      expect(names).toContain(`PostgreSQL ${check.name}`);
    }
    expect(names).toContain("PostgreSQL cache_hit_ratio posemo");
    expect(new Set(names).size).toBe(names.length);
  }, 30_000);

  test("several hosts: piggyback sections, the unreachable host with alive CRITICAL", async () => {
    const out = await runCli(["check", "--config", twoHostConfig(), "--format", "checkmk"]);
    assertCheckmkOutput(out.stdout);
    const down = out.stdout.slice(out.stdout.indexOf("<<<<pg-down>>>>"));
    expect(out.stdout).toContain("<<<<pg-main>>>>\n<<<local:sep(0)>>>\n");
    expect(
      down.split("\n").map((l) => (l.startsWith("<<<") ? undefined : l)).find((l) => l?.includes('"PostgreSQL alive"')),
    ).toStartWith('2 "PostgreSQL alive" - cannot connect');
  }, 30_000);
});

describe("check_mk agent plugin", () => {
  test("installs as the README says: executable, under plugins/300 for asynchronous runs", async () => {
    const agent = join(scratch.dir, "check_mk_agent");
    mkdirSync(join(agent, "plugins"), { recursive: true });
    const steps = readmeExample("checkmk-plugin").body.replaceAll("/usr/lib/check_mk_agent", agent);
    const out = await shell(steps, { cwd: REPO_ROOT });
    expect([out.exitCode, out.stderr]).toEqual([0, ""]);
    expect(statSync(join(agent, "plugins/300/posemo")).mode & 0o777).toBe(0o755);
  });

  test("without a configuration: the local server's services, exit 0 whatever the states", async () => {
    const env = {
      HOME: home,
      POSEMO: posemo,
      POSEMO_CONFIG: join(scratch.dir, "none.yaml"),
      POSEMO_CONNECT: `-H ${cluster.host} -p ${cluster.port} -U posemo -d posemo`,
    };
    const out = await shell(plugin, { env });
    expect(out.exitCode).toBe(0);
    assertCheckmkOutput(out.stdout);
    expect(services(out.stdout)).toContain("PostgreSQL alive");
  }, 30_000);

  test("with a configuration of several hosts: one piggyback section per host", async () => {
    const out = await shell(plugin, { env: { HOME: home, POSEMO: posemo, POSEMO_CONFIG: twoHostConfig() } });
    expect(out.exitCode).toBe(0);
    assertCheckmkOutput(out.stdout);
    expect(out.stdout.match(/^<<<<pg-(main|down)>>>>$/gm)).toEqual(["<<<<pg-main>>>>", "<<<<pg-down>>>>"]);
  }, 30_000);

  test("without posemo installed: no output, exit 0 (the agent's other sections stay intact)", async () => {
    const out = await shell(plugin, { env: { POSEMO: join(scratch.dir, "not-installed") } });
    expect([out.exitCode, out.stdout, out.stderr]).toEqual([0, "", ""]);
  });
});
