/**
 * The README's configuration example, error example, cron line and JSON example are checked against the
 * code, so the documentation cannot drift from what posemo accepts and prints.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { configuredHosts } from "../../src/config/merge.ts";
import { parseConfig } from "../../src/config/parse.ts";
import { formatJson } from "../../src/output/json.ts";
import { runCli } from "../harness/cli.ts";
import { twoHosts } from "../output/fleet-fixtures.ts";

const readme = await Bun.file(resolve(import.meta.dir, "../../README.md")).text();

/** The body of the first fenced block of `lang` after `heading`. */
function block(heading: string, lang: string): string {
  const section = readme.slice(readme.indexOf(heading));
  const match = new RegExp("```" + lang + "\\n([\\s\\S]*?)```").exec(section);
  if (!match) throw new Error(`no ${lang} block after ${heading}`);
  return match[1]!;
}

const EXAMPLE = block("## Configuration", "yaml");
const FILE = "/etc/posemo/posemo.yaml";

describe("README: Configuration", () => {
  test("the example is valid and configures the hosts it describes", () => {
    const config = parseConfig(EXAMPLE, FILE, catalogue);
    expect(configuredHosts(config).map((h) => [h.name, h.group])).toEqual([
      ["db-admin.example.com", undefined],
      ["db1", "production"],
      ["db2", "production"],
      ["report1", "reporting"],
    ]);
  });

  test("what the text says about the example holds: db2 keeps the inherited warning and row, backup_age is back on in production", () => {
    const [admin, db1, db2] = configuredHosts(parseConfig(EXAMPLE, FILE, catalogue));
    const cache = db2!.settings.checks.cache_hit_ratio!;
    expect([cache.warning?.text, cache.critical?.text, cache.rows?.reporting?.critical?.text]).toEqual([
      "90:",
      "60:",
      "30:",
    ]);
    expect([admin!.settings.checks.backup_age?.enabled, db1!.settings.checks.backup_age?.enabled]).toEqual([
      false,
      true,
    ]);
    expect(db1!.settings.port).toBe(5433);
    expect(db1!.settings.passwordFile).toBe("/etc/posemo/posemo.password");
    expect(db1!.settings.checks.standby_lag?.critical?.text).toBe("300");
  });

  test("posemo config check accepts the example", async () => {
    const dir = mkdtempSync(join(tmpdir(), "posemo-readme-"));
    try {
      const file = join(dir, "posemo.yaml");
      writeFileSync(file, EXAMPLE);
      const out = await runCli(["config", "check", "--config", file]);
      expect([out.exitCode, out.stderr]).toEqual([0, ""]);
      expect(out.stdout.split("\n")[0]).toBe(`${file}: valid, 4 hosts in 2 groups`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the validation example is the message the example with critical: 5m gets", () => {
    const shown = block("**Validation.**", "").split("\n")[1]!;
    const broken = EXAMPLE.replace('critical: "80%:"', "critical: 5m");
    expect(() => parseConfig(broken, FILE, catalogue)).toThrow(shown.replace(/^posemo: /, ""));
  });

  test("the cron line uses only flags posemo check has", async () => {
    const line = block("### Cron and `--output`", "");
    const help = (await runCli(["check", "--help"])).stdout;
    const flags = line.match(/ --[a-z-]+/g) ?? [];
    expect(flags.length).toBeGreaterThan(2);
    for (const flag of flags) expect(help).toContain(`[${flag.trim()}]`);
  });
});

describe("README: JSON format", () => {
  test("the example has exactly the keys formatJson writes, at every level", () => {
    const documented = JSON.parse(block("### JSON format", "json"));
    const actual = JSON.parse(formatJson(twoHosts(), "1"));
    const keys = (o: object) => Object.keys(o).sort();
    expect(keys(documented)).toEqual(keys(actual));
    expect(keys(documented.hosts[0])).toEqual(keys(actual.hosts[0]));
    expect(keys(documented.hosts[0].checks[0])).toEqual(keys(actual.hosts[0].checks[0]));
    expect(keys(documented.hosts[0].checks[0].values[0])).toEqual(
      keys(actual.hosts[0].checks[0].values[0]).filter((k) => k !== "row"),
    );
    expect(documented.schema).toBe(actual.schema);
  });
});
