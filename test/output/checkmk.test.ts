import { describe, expect, test } from "bun:test";
import { checkmkHostName, checkmkLevel, checkmkServiceName, formatCheckmk } from "../../src/output/checkmk.ts";
import { assertCheckmkOutput, parseLocalLine } from "./checkmk-syntax.ts";
import { fleet, host, singleHost, twoHosts } from "./fleet-fixtures.ts";
import { measurement, report, result } from "./report-fixtures.ts";

function services(text: string) {
  return text.trimEnd().split("\n").filter((l) => !l.startsWith("<<<")).map(parseLocalLine);
}

function service(text: string, name: string) {
  const found = services(text).find((s) => s.service === name);
  if (!found) throw new Error(`no service "${name}" in:\n${text}`);
  return found;
}

describe("formatCheckmk()", () => {
  test("one host: a local section with one line per service, every line in the documented grammar", () => {
    const text = formatCheckmk(singleHost());
    assertCheckmkOutput(text);
    expect(text.startsWith("<<<local:sep(0)>>>\n")).toBe(true);
    expect(text).not.toContain("<<<<");
    expect(service(text, "PostgreSQL alive")).toEqual({ state: 0, service: "PostgreSQL alive", metrics: ["alive=1"], text: "alive true" });
  });

  test("levels come warn before crit (B5), lower levels as N:, upper as N", () => {
    const text = formatCheckmk(singleHost());
    expect(service(text, "PostgreSQL connection_limit").metrics[0]).toBe("connection_limit=6.25;75;90;0;100");
    expect(service(text, "PostgreSQL cache_hit_ratio").metrics[0]).toBe("cache_hit_ratio=95.5;80:;60:;0;100");
  });

  test("per-row services carry their own state (B8); summary rows stay with the check's service", () => {
    const text = formatCheckmk(singleHost());
    expect(service(text, "PostgreSQL cache_hit_ratio").state).toBe(0);
    expect(service(text, "PostgreSQL cache_hit_ratio app")).toEqual({ state: 1, service: "PostgreSQL cache_hit_ratio app", metrics: ["cache_hit_ratio=71.2;80:;60:;0;100"], text: "cache_hit_ratio 71.2% (warning range 80:)" });
    expect(services(text).map((s) => s.service)).not.toContain("PostgreSQL cache_hit_ratio !TOTAL");
  });

  test("a check that could not run still has its service, UNKNOWN or CRITICAL with the reason (B6, B7)", () => {
    const text = formatCheckmk(twoHosts());
    expect(service(text, "PostgreSQL backup_age")).toEqual({ state: 3, service: "PostgreSQL backup_age", metrics: [], text: "no WAL archiving configured" });
    const db2 = text.slice(text.indexOf("<<<<db2.example.org>>>>"));
    expect(service(db2, "PostgreSQL alive")).toMatchObject({ state: 2, text: "cannot connect: connection refused" });
  });

  test("a database that could not answer makes the check's service UNKNOWN, not the healthy rows'", () => {
    const partial = result("db_size", {
      status: "unknown",
      error: 'database "gone": permission denied',
      message: 'app size 10 B; database "gone": permission denied',
      measurements: [measurement({ label: "db_size.app", column: "size", title: "app", value: 10, unit: "B" })],
    });
    const text = formatCheckmk(fleet([host("db1", report([partial]))]));
    expect(service(text, "PostgreSQL db_size")).toMatchObject({ state: 3, text: 'app size 10 B; database "gone": permission denied' });
    expect(service(text, "PostgreSQL db_size app")).toMatchObject({ state: 0, metrics: ["db_size_size=10"] });
  });

  test("several hosts: one balanced piggyback section per host, each with its local section", () => {
    const text = formatCheckmk(twoHosts());
    assertCheckmkOutput(text);
    expect(text.match(/^<<<<db[12]\.example\.org>>>>\n<<<local:sep\(0\)>>>$/gm)).toHaveLength(2);
    expect(text.match(/^<<<<>>>>$/gm)).toHaveLength(2);
  });

  test("perRow: false gives one service per check with every row as a metric and one detail line per value", () => {
    const text = formatCheckmk(singleHost(), { perRow: false });
    assertCheckmkOutput(text);
    const chr = service(text, "PostgreSQL cache_hit_ratio");
    expect(chr.state).toBe(1);
    expect(chr.metrics).toEqual(["cache_hit_ratio__TOTAL=95.5;80:;60:;0;100", "cache_hit_ratio_app=71.2;80:;60:;0;100"]);
    expect(chr.text.split("\\n")).toEqual(["app cache_hit_ratio 71.2% (warning range 80:)", "!TOTAL cache_hit_ratio 95.5%", "app cache_hit_ratio 71.2% (warning range 80:)", 'idle "db" cache_hit_ratio no value']);
    expect(services(text).filter((s) => s.service.startsWith("PostgreSQL cache_hit_ratio"))).toHaveLength(1);
  });

  test("milliseconds become seconds (Checkmk's base unit); values without a value are left out, never 0", () => {
    const text = formatCheckmk(singleHost());
    expect(service(text, "PostgreSQL checkpoint_time").metrics).toEqual(["checkpoint_time_write_time=1.5;;;0", "checkpoint_time_sync_time=0.02;;;0"]);
    expect(service(text, "PostgreSQL cache_hit_ratio idle _db_")).toMatchObject({ metrics: [], text: "cache_hit_ratio no value" });
  });

  test("names from the database cannot break the line: quotes, newlines and markers are replaced", () => {
    const odd = result("db_size", { measurements: [measurement({ label: "x", column: "size", title: "a\"b'c\nd|e", value: 1, unit: "B" })], message: "line\none" });
    const text = formatCheckmk(fleet([host("db <1>\nx", report([odd])), host("db2", report([]))]));
    assertCheckmkOutput(text);
    expect(text).toContain("<<<<db__1__x>>>>");
    expect(services(text).map((s) => s.service)).toContain("PostgreSQL db_size a_b_c_d|e");
  });

  test("the service prefix is configurable", () => {
    expect(formatCheckmk(singleHost(), { servicePrefix: "DB" })).toContain('0 "DB alive" alive=1 alive true');
  });
});

describe("checkmk helpers", () => {
  test("checkmkLevel() maps Nagios ranges onto Checkmk levels and drops what has no equivalent", () => {
    expect(checkmkLevel("75")).toBe("75");
    expect(checkmkLevel("~:10")).toBe("10");
    expect(checkmkLevel("80:")).toBe("80:");
    expect(checkmkLevel("10:20")).toBe("10:20");
    expect(checkmkLevel("@10:20")).toBe("");
    expect(checkmkLevel(undefined)).toBe("");
    expect(checkmkLevel("3000", 0.001)).toBe("3");
  });

  test("checkmkServiceName() and checkmkHostName() keep what Checkmk accepts", () => {
    expect(checkmkServiceName(["PostgreSQL", "db_size", "it's \"x\""])).toBe("PostgreSQL db_size it_s _x_");
    expect(checkmkHostName("db-1.example.org")).toBe("db-1.example.org");
    expect(checkmkHostName("/var/run/postgresql")).toBe("_var_run_postgresql");
  });
});
