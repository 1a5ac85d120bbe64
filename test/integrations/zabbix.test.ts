/**
 * Zabbix and the README: the real zabbix_sender reads what the README's cron line pipes into it and
 * sends it to a stand-in trapper (which decodes the Zabbix protocol), host names, keys and values
 * intact; every key it sends has an item or a discovered prototype in the generated template; the
 * discovery output is a JSON array of `{#...}` macros.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { zabbixTemplate } from "../../src/output/zabbix-template.ts";
import { connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster } from "../../dev/cluster.ts";
import { type FakeTrapper, type SentValue, startFakeTrapper } from "../harness/fake-zabbix-trapper.ts";
import { zabbixTemplateProblems } from "../output/zabbix-template-schema.ts";
import { cronCommand, readmeExample } from "./readme-examples.ts";
import { adaptCommand, fleetConfig, REPO_ROOT, requireTool, shell, withInstalledPosemo } from "./tools.ts";

const sender = requireTool("zabbix_sender", "zabbix-agent");

let cluster: Cluster;
let trapper: FakeTrapper;
let posemo: string;
let home: string;

const scratch = withInstalledPosemo("zabbix", (installed) => ({ cluster, posemo, home } = installed));

beforeAll(async () => {
  trapper = await startFakeTrapper();
});

afterAll(async () => {
  await trapper?.close();
});

/** The README's cron pipeline pointed at the test cluster, the test's posemo and the stand-in trapper. */
function readmePipeline(): string {
  const command = cronCommand(readmeExample("zabbix-cron"), { withUser: true });
  return adaptCommand(command, {
    posemo,
    cluster,
    replace: { "-z zabbix.example.com": `-z 127.0.0.1 -p ${trapper.port}`, " >/dev/null": "" },
  });
}

/** Every item key the template defines, with row prototypes expanded for the discovered rows. */
function templateKeys(discovered: readonly Record<string, string>[]): Set<string> {
  const template = (zabbixTemplate(catalogue).zabbix_export as {
    templates: {
      items: { key: string }[];
      discovery_rules: { filter: { conditions: { value: string }[] }; item_prototypes: { key: string }[] }[];
    }[];
  }).templates[0]!;
  const keys = new Set(template.items.map((i) => i.key));
  for (const rule of template.discovery_rules) {
    const matches = new RegExp(rule.filter.conditions[0]!.value);
    for (const row of discovered.filter((r) => matches.test(r["{#CHECK}"]!))) {
      for (const p of rule.item_prototypes) keys.add(p.key.replace("{#ROW}", row["{#ROW}"]!.replace(/"/g, '\\"')));
    }
  }
  return keys;
}

describe.skipIf(!sender)("zabbix_sender", () => {
  test("sends every line of the README's cron pipeline: host from -s, discovery, up, states and values", async () => {
    const before = trapper.received.length;
    const out = await shell(readmePipeline(), { env: { HOME: home } });
    expect(out.stdout).toMatch(/sent: (\d+); skipped: 0; total: \1/);
    expect(out.exitCode).toBe(0);
    const sent: SentValue[] = trapper.received.slice(before);
    expect(sent.every((v) => v.host === "db1")).toBe(true);
    const byKey = new Map(sent.map((v) => [v.key, v.value]));
    expect(byKey.get("posemo.up")).toBe("1");
    expect(byKey.get('posemo.status["alive"]')).toBe("0");
    expect(byKey.get('posemo.value["alive","","alive"]')).toBe("1");
    const discovered = JSON.parse(byKey.get("posemo.discovery")!) as Record<string, string>[];
    expect(discovered.some((r) => r["{#CHECK}"] === "cache_hit_ratio" && r["{#ROW}"] === "posemo")).toBe(true);
    const keys = templateKeys(discovered);
    for (const v of sent) expect(keys.has(v.key) ? v.key : `no item for ${v.key}`).toBe(v.key);
  }, 30_000);

  test("several configured hosts: each line names its host, the unreachable one included", async () => {
    const config = fleetConfig(join(scratch.dir, "fleet.yaml"), cluster, ["pg-a"], "pg-down");
    const before = trapper.received.length;
    const out = await shell(
      `${posemo} check --config ${config} --format zabbix | zabbix_sender -z 127.0.0.1 -p ${trapper.port} -i -`,
      { env: { HOME: home } },
    );
    expect(out.exitCode).toBe(0);
    const sent = trapper.received.slice(before);
    expect(new Set(sent.map((v) => v.host))).toEqual(new Set(["pg-a", "pg-down"]));
    expect(sent.find((v) => v.host === "pg-down" && v.key === "posemo.up")?.value).toBe("0");
    expect(sent.find((v) => v.host === "pg-down" && v.key === 'posemo.status["alive"]')?.value).toBe("2");
    expect(sent.find((v) => v.host === "pg-a" && v.key === "posemo.up")?.value).toBe("1");
  }, 30_000);

  test("a row whose name needs quoting reaches Zabbix with the key the template's prototype makes", async () => {
    await cluster.exec(`CREATE DATABASE "odd ""db"", x"`);
    try {
      const before = trapper.received.length;
      const out = await shell(readmePipeline(), { env: { HOME: home } });
      expect(out.exitCode).toBe(0);
      const sent = trapper.received.slice(before);
      const discovered = JSON.parse(sent.find((v) => v.key === "posemo.discovery")!.value) as Record<string, string>[];
      expect(discovered.some((r) => r["{#ROW}"] === 'odd "db", x')).toBe(true);
      expect(sent.some((v) => v.key === 'posemo.value["db_size","odd \\"db\\", x","size"]')).toBe(true);
      const keys = templateKeys(discovered);
      for (const v of sent) expect(keys.has(v.key) ? v.key : `no item for ${v.key}`).toBe(v.key);
    } finally {
      await cluster.exec(`DROP DATABASE "odd ""db"", x"`);
    }
  }, 30_000);
});

describe("Zabbix discovery and template", () => {
  test(
    "the README's discovery example and a real --format zabbix-discovery are JSON arrays of {#...} macros",
    async () => {
      const out = await runCli([
        "check",
        ...connectionArgs(cluster, "posemo", "posemo"),
        "--format",
        "zabbix-discovery",
      ]);
      for (const text of [readmeExample("zabbix-discovery").body, out.stdout]) {
        const rows = JSON.parse(text) as unknown;
        expect(Array.isArray(rows)).toBe(true);
        for (const row of rows as Record<string, unknown>[]) {
          expect(Object.keys(row).sort()).toEqual(["{#CHECK}", "{#HOST}", "{#ROW}"]);
          for (const value of Object.values(row)) expect(typeof value).toBe("string");
        }
      }
      expect((JSON.parse(out.stdout) as unknown[]).length).toBeGreaterThan(0);
    },
    30_000,
  );

  test("the committed template is structurally valid (its freshness is a step of scripts/ci-integrations.sh)", () => {
    const committed = readFileSync(join(REPO_ROOT, "docs/integrations/zabbix/posemo_template.yaml"), "utf8");
    expect(zabbixTemplateProblems(parse(committed))).toEqual([]);
  });
});
