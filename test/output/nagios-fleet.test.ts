import { describe, expect, test } from "bun:test";
import { formatNagios, formatNagiosFleet } from "../../src/output/nagios.ts";
import { fleet, host, singleHost, twoHosts } from "./fleet-fixtures.ts";
import { PERF_ITEM, perfItems } from "./perfdata-syntax.ts";
import { report, result } from "./report-fixtures.ts";

describe("formatNagiosFleet()", () => {
  test("one host renders exactly as a single-host run", () => {
    const one = singleHost();
    expect(formatNagiosFleet(one)).toBe(formatNagios(one.hosts[0]!.report));
  });

  test("several hosts: the first line counts hosts by state, worst first, naming the hosts not OK", () => {
    const hosts = fleet([
      host("db1", report([result("alive")])),
      host("db2", report([result("alive", { status: "critical", message: "cannot connect" })])),
      host("db3", report([result("alive"), result("db_size", { status: "warning" })])),
      host("db4", report([result("alive")])),
    ]);
    const first = formatNagiosFleet(hosts).split("\n")[0]!;
    expect(first).toStartWith("POSEMO CRITICAL - 4 hosts: 1 CRITICAL (db2), 1 WARNING (db3), 2 OK | ");
  });

  test("then per host a line with its state and summary, followed by its check lines", () => {
    const text = formatNagiosFleet(twoHosts());
    expect(text.split("\n").slice(1)).toEqual([
      "WARNING db1.example.org: 6 checks: 1 WARNING (cache_hit_ratio), 1 UNKNOWN (backup_age), 4 OK",
      "OK db1.example.org alive: alive true",
      "WARNING db1.example.org cache_hit_ratio: app cache_hit_ratio 71.2% (warning at < 80%)",
      "OK db1.example.org connection_limit: connection_limit 6.25%, connections 6, usable_connections 96",
      "OK db1.example.org checkpoint_time: write_time 1500 ms, sync_time 20 ms",
      "OK db1.example.org transactions: !TOTAL xact_commit 1000, !TOTAL xact_rollback 3 (1 databases)",
      "UNKNOWN db1.example.org backup_age: no WAL archiving configured",
      "CRITICAL db2.example.org: 2 checks: 1 CRITICAL (alive), 1 UNKNOWN (cache_hit_ratio)",
      "CRITICAL db2.example.org alive: cannot connect: connection refused",
      "UNKNOWN db2.example.org cache_hit_ratio: not run: cannot connect: connection refused",
      "",
    ]);
  });

  test("perfdata labels start with the host name and every item follows the guidelines' grammar", () => {
    const first = formatNagiosFleet(twoHosts()).split("\n")[0]!;
    const items = perfItems(first.split(" | ")[1]!);
    for (const item of items) expect(item).toMatch(PERF_ITEM);
    expect(items[0]).toBe("'db1.example.org:alive'=1");
    expect(items.every((i) => i.startsWith("'db1.example.org:"))).toBe(true);
  });

  test("a host with one check gets just that check's line", () => {
    const text = formatNagiosFleet(
      fleet([
        host("a", report([result("alive")])),
        host("b", report([result("alive", { status: "critical", message: "cannot connect" })])),
      ]),
    );
    expect(text.split("\n").slice(1)).toEqual(["OK a alive: alive fine", "CRITICAL b alive: cannot connect", ""]);
  });

  test("more than ten hosts in one state: ten are named and the rest counted", () => {
    const many = fleet(
      Array.from(
        { length: 12 },
        (_, i) => host(`db${i}`, report([result("alive", { status: "critical", measurements: [] })])),
      ),
    );
    expect(formatNagiosFleet(many).split("\n")[0]).toBe(
      "POSEMO CRITICAL - 12 hosts: 12 CRITICAL (db0, db1, db2, db3, db4, db5, db6, db7, db8, db9, and 2 more)",
    );
  });

  test("a host whose checks were all skipped is OK with no checks; skipped checks are named per host", () => {
    const text = formatNagiosFleet(
      fleet([host("a", report([], { skipped: ["backup_age"] })), host("b", report([result("alive")]))]),
    );
    expect(text).toContain("\nOK a: no checks\na skipped (not on this PostgreSQL version): backup_age\n");
  });
});
