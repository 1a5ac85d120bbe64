import { describe, expect, test } from "bun:test";
import { checkmkHostName, checkmkLevel, checkmkServiceName, formatCheckmk } from "../../src/output/checkmk.ts";
import { assertCheckmkOutput, parseLocalLine } from "./checkmk-syntax.ts";
import { fleet, host, singleHost, twoHosts } from "./fleet-fixtures.ts";
import { measurement, report, result } from "./report-fixtures.ts";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";

const withCatalogue = { catalogue };

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
    const text = formatCheckmk(singleHost(), withCatalogue);
    assertCheckmkOutput(text);
    expect(text.startsWith("<<<local:sep(0)>>>\n")).toBe(true);
    expect(text).not.toContain("<<<<");
    expect(service(text, "PostgreSQL alive")).toEqual({
      state: 0,
      service: "PostgreSQL alive",
      metrics: ["alive=1"],
      text: "alive true",
    });
  });

  test("levels come warn before crit (B5), lower levels as N:, upper as N", () => {
    const text = formatCheckmk(singleHost(), withCatalogue);
    expect(service(text, "PostgreSQL connection_limit").metrics[0]).toBe("connection_limit=6.25;75;90;0;100");
    expect(service(text, "PostgreSQL cache_hit_ratio").metrics[0]).toBe("cache_hit_ratio=95.5;80:;60:;0;100");
  });

  test("per-row services carry their own state (B8); summary rows stay with the check's service", () => {
    const text = formatCheckmk(singleHost(), withCatalogue);
    expect(service(text, "PostgreSQL cache_hit_ratio").state).toBe(0);
    expect(service(text, "PostgreSQL cache_hit_ratio app")).toEqual({
      state: 1,
      service: "PostgreSQL cache_hit_ratio app",
      metrics: ["cache_hit_ratio=71.2;80:;60:;0;100"],
      text: "cache_hit_ratio 71.2% (warning at < 80%)",
    });
    expect(services(text).map((s) => s.service)).not.toContain("PostgreSQL cache_hit_ratio !TOTAL");
  });

  test("a check that could not run still has its service, UNKNOWN or CRITICAL with the reason (B6, B7)", () => {
    const text = formatCheckmk(twoHosts(), withCatalogue);
    expect(service(text, "PostgreSQL backup_age")).toEqual({
      state: 3,
      service: "PostgreSQL backup_age",
      metrics: [],
      text: "no WAL archiving configured",
    });
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
    const text = formatCheckmk(fleet([host("db1", report([partial]))]), withCatalogue);
    expect(service(text, "PostgreSQL db_size")).toMatchObject({
      state: 3,
      text: 'app size 10 B; database "gone": permission denied',
    });
    expect(service(text, "PostgreSQL db_size app")).toMatchObject({ state: 0, metrics: ["db_size_size=10"] });
  });

  test("several hosts: one balanced piggyback section per host, each with its local section", () => {
    const text = formatCheckmk(twoHosts(), withCatalogue);
    assertCheckmkOutput(text);
    expect(text.match(/^<<<<db[12]\.example\.org>>>>\n<<<local:sep\(0\)>>>$/gm)).toHaveLength(2);
    expect(text.match(/^<<<<>>>>$/gm)).toHaveLength(2);
  });

  test("perRow: false gives one service per check with every row as a metric and one detail line per value", () => {
    const text = formatCheckmk(singleHost(), { ...withCatalogue, perRow: false });
    assertCheckmkOutput(text);
    const chr = service(text, "PostgreSQL cache_hit_ratio");
    expect(chr.state).toBe(1);
    expect(chr.metrics).toEqual([
      "cache_hit_ratio__TOTAL=95.5;80:;60:;0;100",
      "cache_hit_ratio_app=71.2;80:;60:;0;100",
    ]);
    expect(chr.text.split("\\n")).toEqual([
      "app cache_hit_ratio 71.2% (warning at < 80%)",
      "!TOTAL cache_hit_ratio 95.5%",
      "app cache_hit_ratio 71.2% (warning at < 80%)",
      'idle "db" cache_hit_ratio no value',
    ]);
    expect(services(text).filter((s) => s.service.startsWith("PostgreSQL cache_hit_ratio"))).toHaveLength(1);
  });

  test("milliseconds become seconds (Checkmk's base unit); values without a value are left out, never 0", () => {
    const text = formatCheckmk(singleHost(), withCatalogue);
    expect(service(text, "PostgreSQL checkpoint_time").metrics).toEqual([
      "checkpoint_time_write_time=1.5;;;0",
      "checkpoint_time_sync_time=0.02;;;0",
    ]);
    expect(service(text, String.raw`PostgreSQL cache_hit_ratio idle \x22db\x22`)).toMatchObject({
      metrics: [],
      text: "cache_hit_ratio no value",
    });
  });

  test("names from the database cannot break the line: quotes, newlines and backslashes become \\xNN", () => {
    const odd = result("db_size", {
      measurements: [measurement({ label: "x", column: "size", title: "a\"b'c\nd|e", value: 1, unit: "B" })],
      message: "line\none",
    });
    const text = formatCheckmk(fleet([host("db <1>\nx", report([odd])), host("db2", report([]))]), withCatalogue);
    assertCheckmkOutput(text);
    expect(text).toContain("<<<<db__1__x>>>>");
    expect(services(text).map((s) => s.service)).toContain(String.raw`PostgreSQL db_size a\x22b\x27c\x0ad|e`);
  });

  test("database-scope checks: one service per database, object rows count towards it without metrics", () => {
    const bloat = result("table_bloat", {
      status: "critical",
      message: "app/public.orders bloat_percent 85% (critical at > 80%)",
      measurements: [
        measurement({ column: "bloat_percent", title: "app", value: 10, unit: "%", critical: "80" }),
        measurement({
          column: "bloat_percent",
          title: "app/public.orders",
          value: 85,
          unit: "%",
          status: "critical",
          critical: "80",
        }),
        measurement({ column: "bloat_percent", title: "app/public.items", value: 5, unit: "%", critical: "80" }),
        measurement({ column: "bloat_percent", title: "other", value: 1, unit: "%", critical: "80" }),
        measurement({ column: "bloat_percent", title: "other/public.t", value: 1, unit: "%", critical: "80" }),
      ],
    });
    const text = formatCheckmk(fleet([host("db1", report([bloat]))]), withCatalogue);
    assertCheckmkOutput(text);
    expect(services(text).map((s) => s.service)).toEqual([
      "PostgreSQL table_bloat",
      "PostgreSQL table_bloat app",
      "PostgreSQL table_bloat other",
    ]);
    expect(service(text, "PostgreSQL table_bloat app")).toEqual({
      state: 2,
      service: "PostgreSQL table_bloat app",
      metrics: ["table_bloat_bloat_percent=10;;80"],
      text: "bloat_percent 10%; app/public.orders bloat_percent 85% (critical at > 80%)",
    });
    expect(service(text, "PostgreSQL table_bloat other")).toMatchObject({
      state: 0,
      text: "bloat_percent 1%; 1 objects OK",
    });
    expect(service(text, "PostgreSQL table_bloat")).toEqual({
      state: 0,
      service: "PostgreSQL table_bloat",
      metrics: [],
      text: "2 databases: 1 CRITICAL, 1 OK",
    });
  });

  test("rows that are not databases (standbys, statements) stay one service, each row in the details", () => {
    const replication = result("replication", {
      message: "2 standbys",
      measurements: [
        measurement({ column: "replay_lag", title: "!MAX", value: 2, unit: "s" }),
        measurement({ column: "replay_lag", title: "standby1", value: 2, unit: "s" }),
        measurement({ column: "replay_lag", title: "standby2", value: 1, unit: "s" }),
      ],
    });
    const text = formatCheckmk(fleet([host("db1", report([replication]))]), withCatalogue);
    expect(services(text)).toHaveLength(1);
    expect(service(text, "PostgreSQL replication").metrics).toEqual([
      "replication__MAX_replay_lag=2",
      "replication_standby1_replay_lag=2",
      "replication_standby2_replay_lag=1",
    ]);
    expect(service(text, "PostgreSQL replication").text.split("\\n")).toEqual([
      "2 standbys",
      "!MAX replay_lag 2 s",
      "standby1 replay_lag 2 s",
      "standby2 replay_lag 1 s",
    ]);
  });

  test("several summary rows in the check's service keep their metrics apart by title", () => {
    const checksums = result("checksum_failures", {
      measurements: [
        measurement({ column: "checksum_failures", title: "!TOTAL", value: 0 }),
        measurement({ column: "checksum_failures", title: "!SHARED", value: 0 }),
        measurement({ column: "checksum_failures", title: "app", value: 0 }),
      ],
    });
    const text = formatCheckmk(fleet([host("db1", report([checksums]))]), withCatalogue);
    expect(service(text, "PostgreSQL checksum_failures").metrics).toEqual([
      "checksum_failures__TOTAL=0",
      "checksum_failures__SHARED=0",
    ]);
    expect(service(text, "PostgreSQL checksum_failures app").metrics).toEqual(["checksum_failures=0"]);
  });

  test("without the catalogue every check is one service", () => {
    expect(services(formatCheckmk(singleHost())).map((s) => s.service)).toEqual([
      "PostgreSQL alive",
      "PostgreSQL cache_hit_ratio",
      "PostgreSQL connection_limit",
      "PostgreSQL checkpoint_time",
      "PostgreSQL transactions",
      "PostgreSQL backup_age",
    ]);
  });

  test("the service prefix is configurable", () => {
    expect(formatCheckmk(singleHost(), { ...withCatalogue, servicePrefix: "DB" })).toContain(
      '0 "DB alive" alive=1 alive true',
    );
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
    expect(checkmkServiceName(["PostgreSQL", "db_size", 'it\'s "x"\n\\'])).toBe(
      String.raw`PostgreSQL db_size it\x27s \x22x\x22\x0a\x5c`,
    );
    const databases = ["it's", "it_s", 'it"s', "it\ns", "it\\x27s", "it\\s"];
    expect(new Set(databases.map((db) => checkmkServiceName(["PostgreSQL", "db_size", db]))).size).toBe(6);
    expect(checkmkHostName("db-1.example.org")).toBe("db-1.example.org");
    expect(checkmkHostName("/var/run/postgresql")).toBe("_var_run_postgresql");
  });
});
