import { describe, expect, test } from "bun:test";
import { configuredHosts, mergeCheck } from "../../src/config/merge.ts";
import { parseConfig } from "../../src/config/parse.ts";
import { fixtureCatalogue } from "./catalogue-fixture.ts";

function hosts(text: string) {
  return configuredHosts(parseConfig(text, "posemo.yaml", fixtureCatalogue));
}

function texts(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(
      value,
      (key, v) => (key === "warning" || key === "critical") && v && typeof v === "object" ? v.text : v,
    ),
  );
}

const FILE = [
  "defaults:",
  "  user: posemo",
  "  port: 5432",
  "  connect_timeout: 10s",
  "  checks:",
  "    backup_age: { enabled: false }",
  "    cache_hit_ratio:",
  "      warning: '90:'",
  "      critical: '70:'",
  "      rows:",
  "        reporting: { warning: '50:' }",
  "hosts:",
  "  - name: lone",
  "    host: lone.example.com",
  "groups:",
  "  prod:",
  "    port: 5433",
  "    checks:",
  "      cache_hit_ratio:",
  "        warning: '95:'",
  "        rows:",
  "          reporting: { critical: '20:' }",
  "    hosts:",
  "      - name: db1",
  "        host: db1.example.com",
  "      - name: db2",
  "        host: db2.example.com",
  "        user: other",
  "        connect_timeout: 1s",
  "        checks:",
  "          backup_age: { enabled: true }",
  "          cache_hit_ratio: { critical: '10:' }",
].join("\n");

describe("configuredHosts()", () => {
  test("ungrouped hosts first, then each group's, in file order, with their group", () => {
    expect(hosts(FILE).map((h) => [h.name, h.group])).toEqual([["lone", undefined], ["db1", "prod"], ["db2", "prod"]]);
  });

  test("connection settings: the most specific level wins key by key, the rest is inherited", () => {
    const [lone, db1, db2] = hosts(FILE);
    const connection = (h: typeof lone) => ({
      host: h!.settings.host,
      port: h!.settings.port,
      user: h!.settings.user,
      connectTimeoutMs: h!.settings.connectTimeoutMs,
    });
    expect(connection(lone)).toEqual({
      host: "lone.example.com",
      port: 5432,
      user: "posemo",
      connectTimeoutMs: 10_000,
    });
    expect(connection(db1)).toEqual({ host: "db1.example.com", port: 5433, user: "posemo", connectTimeoutMs: 10_000 });
    expect(connection(db2)).toEqual({ host: "db2.example.com", port: 5433, user: "other", connectTimeoutMs: 1000 });
  });

  test("check blocks are merged, not replaced (B15): a group's warning keeps the inherited critical and rows", () => {
    const [lone, db1, db2] = hosts(FILE);
    expect(texts(lone!.settings.checks.cache_hit_ratio)).toEqual({
      warning: "90:",
      critical: "70:",
      rows: { reporting: { warning: "50:" } },
    });
    expect(texts(db1!.settings.checks.cache_hit_ratio)).toEqual({
      warning: "95:",
      critical: "70:",
      rows: { reporting: { warning: "50:", critical: "20:" } },
    });
    expect(texts(db2!.settings.checks.cache_hit_ratio)).toEqual({
      warning: "95:",
      critical: "10:",
      rows: { reporting: { warning: "50:", critical: "20:" } },
    });
  });

  test("enabled is inherited and can be switched back on by a more specific level", () => {
    const [lone, db1, db2] = hosts(FILE);
    expect([lone, db1, db2].map((h) => h!.settings.checks.backup_age?.enabled)).toEqual([false, false, true]);
  });

  test("a file without groups or hosts configures no hosts", () => {
    expect(hosts("defaults:\n  user: x\n")).toEqual([]);
  });
});

describe("mergeCheck()", () => {
  test("per-column ranges merge per column and per level; untouched columns stay", () => {
    const r = (text: string) => ({ text, start: 0, end: Number(text), inside: false });
    const merged = mergeCheck(
      { columns: { idle: { warning: r("5"), critical: r("10") }, active: { warning: r("1") } } },
      { columns: { idle: { critical: r("20") } } },
    );
    expect(texts(merged)).toEqual({ columns: { idle: { warning: "5", critical: "20" }, active: { warning: "1" } } });
  });
});
