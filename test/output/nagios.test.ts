import { describe, expect, test } from "bun:test";
import { formatNagios } from "../../src/output/nagios.ts";
import { PERF_ITEM, perfItems } from "./perfdata-syntax.ts";
import { measurement, report, result } from "./report-fixtures.ts";

const FIRST_LINE = /^POSEMO (OK|WARNING|CRITICAL|UNKNOWN) - ([^|\n]+?)(?: \| (.+))?$/;

function firstLine(text: string): RegExpExecArray {
  const line = text.split("\n")[0]!;
  const match = FIRST_LINE.exec(line);
  if (!match) throw new Error(`first line does not follow "POSEMO <STATE> - <summary> | <perfdata>": ${line}`);
  return match;
}

describe("formatNagios()", () => {
  test("one check: one line, `POSEMO <STATE> - name: message | perfdata`", () => {
    const text = formatNagios(
      report([
        result("alive", { message: "alive true", measurements: [measurement({ label: "alive", value: true })] }),
      ]),
    );
    expect(text).toBe("POSEMO OK - alive: alive true | 'alive'=1\n");
  });

  test("several checks: the state is the worst, the summary names the checks not OK, worst first", () => {
    const text = formatNagios(report([
      result("alive"),
      result("db_size", { status: "warning", message: "size 10 GB" }),
      result("backup_age", { status: "unknown", message: "no archiver", measurements: [] }),
      result("writeable", { status: "critical", message: "no commit" }),
    ]));
    const [, state, summary] = firstLine(text);
    expect(state).toBe("CRITICAL");
    expect(summary).toBe("4 checks: 1 CRITICAL (writeable), 1 WARNING (db_size), 1 UNKNOWN (backup_age), 1 OK");
    expect(text.split("\n").slice(1)).toEqual([
      "OK alive: alive fine",
      "WARNING db_size: size 10 GB",
      "UNKNOWN backup_age: no archiver",
      "CRITICAL writeable: no commit",
      "",
    ]);
  });

  test("UNKNOWN ranks below WARNING and CRITICAL for the overall state, above OK", () => {
    expect(firstLine(formatNagios(report([result("a"), result("b", { status: "unknown" })])))[1]).toBe("UNKNOWN");
    expect(firstLine(formatNagios(report([result("a", { status: "warning" }), result("b", { status: "unknown" })])))[1])
      .toBe("WARNING");
  });

  test("every perfdata item on the first line follows the guidelines' grammar", () => {
    const text = formatNagios(report([
      result("cache_hit_ratio", {
        measurements: [
          measurement({
            label: "cache_hit_ratio",
            value: 99.123456789,
            unit: "%",
            warning: "90:",
            critical: "80:",
            min: 0,
            max: 100,
          }),
        ],
      }),
      result("db_size", {
        measurements: [
          measurement({ label: "db_size.!TOTAL", value: 1e21, unit: "B" }),
          measurement({ label: "db_size.my db", value: null, unit: "B" }),
        ],
      }),
      result("transactions", { measurements: [measurement({ label: "transactions.commits", value: 12, unit: "c" })] }),
    ]));
    const items = perfItems(firstLine(text)[3]!);
    expect(items).toHaveLength(4);
    for (const item of items) expect(item).toMatch(PERF_ITEM);
    expect(items[2]).toBe("'db_size.my db'=U");
  });

  test("a message with newlines or a pipe cannot break the format", () => {
    const text = formatNagios(report([result("a", { message: "line one\nline two | not perfdata" }), result("b")]));
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^OK a: line one line two +not perfdata$/);
    expect(firstLine(text)[3]).toBe("'a'=1 'b'=1");
  });

  test("no measurements: no ` | ` on the first line", () => {
    const text = formatNagios(
      report([result("alive", { status: "critical", message: "cannot connect: refused", measurements: [] })]),
    );
    expect(text).toBe("POSEMO CRITICAL - alive: cannot connect: refused\n");
  });

  test("checks skipped for the server version are listed last", () => {
    const text = formatNagios(report([result("alive")], { skipped: ["read_write_time"] }));
    expect(text.trimEnd().split("\n").at(-1)).toBe("skipped (not on this PostgreSQL version): read_write_time");
  });
});
