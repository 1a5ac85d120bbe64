import { describe, expect, test } from "bun:test";
import { colorWanted, countByStatus, formatText } from "../../src/output/text.ts";
import { fleet, host, singleHost, twoHosts } from "./fleet-fixtures.ts";
import { report, result } from "./report-fixtures.ts";

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

describe("formatText()", () => {
  test("one host: heading, a row per check with status, name and message in aligned columns, a summary", () => {
    const lines = formatText(singleHost()).trimEnd().split("\n");
    expect(lines[0]).toBe("db1.example.org  PostgreSQL 16.4  12 ms  WARNING");
    expect(lines[1]).toBe("  STATUS    CHECK             MESSAGE");
    expect(lines[3]).toBe("  WARNING   cache_hit_ratio   app cache_hit_ratio 71.2% (warning at < 80%)");
    const column = lines[1]!.indexOf("MESSAGE");
    expect(lines[2]!.indexOf("alive true")).toBe(column);
    expect(lines[7]!.indexOf("no WAL archiving")).toBe(column);
    expect(lines.at(-1)).toBe("6 checks: 1 WARNING, 1 UNKNOWN, 4 OK");
  });

  test("several hosts: a block each (group shown, unreachable host says so) and hosts counted by state", () => {
    const text = formatText(twoHosts());
    expect(text).toContain("db2.example.org  (prod)  no connection  12 ms  CRITICAL\n");
    expect(text).toContain("  CRITICAL  alive            cannot connect: connection refused\n");
    expect(text.trimEnd().split("\n").at(-1)).toBe("2 hosts: 1 CRITICAL, 1 WARNING");
  });

  test("no colour unless asked; with colour the same text once the escapes are removed", () => {
    const plain = formatText(twoHosts());
    expect(plain).not.toMatch(ANSI);
    const colored = formatText(twoHosts(), { color: true });
    expect(colored).toContain("\x1b[31mCRITICAL\x1b[0m");
    expect(colored.replace(ANSI, "")).toBe(plain);
  });

  test("skipped checks and hosts without checks are said, not hidden", () => {
    const text = formatText(
      fleet([host("a", report([], { skipped: ["standby_lag"] })), host("b", report([result("alive")]))]),
    );
    expect(text).toContain("  (no checks ran)\n  skipped (not on this PostgreSQL version): standby_lag\n");
  });

  test("messages with newlines stay on their row", () => {
    const text = formatText(fleet([host("a", report([result("alive", { message: "one\ntwo" })]))]));
    expect(text).toContain("  OK        alive  one two\n");
  });
});

describe("text helpers", () => {
  test("countByStatus() counts worst first and leaves out empty states", () => {
    expect(countByStatus(["ok", "critical", "ok", "unknown"])).toBe("1 CRITICAL, 1 UNKNOWN, 2 OK");
    expect(countByStatus([])).toBe("");
  });

  test("colorWanted(): a terminal, no NO_COLOR, not TERM=dumb", () => {
    expect(colorWanted(true, {})).toBe(true);
    expect(colorWanted(false, {})).toBe(false);
    expect(colorWanted(undefined, {})).toBe(false);
    expect(colorWanted(true, { NO_COLOR: "1" })).toBe(false);
    expect(colorWanted(true, { NO_COLOR: "" })).toBe(true);
    expect(colorWanted(true, { TERM: "dumb" })).toBe(false);
  });
});
