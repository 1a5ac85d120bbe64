import { describe, expect, test } from "bun:test";
import { elevelName, severityText, syslogSeverity } from "../../../src/logs/febe/elevel.ts";

describe("elevelName()", () => {
  test("reads the levels every major shares", () => {
    for (const major of [9, 13, 15, 18, 19]) {
      expect([10, 11, 12, 13, 14].map((n) => elevelName(n, major))).toEqual([
        "DEBUG5",
        "DEBUG4",
        "DEBUG3",
        "DEBUG2",
        "DEBUG1",
      ]);
      expect([15, 16, 17, 18, 19].map((n) => elevelName(n, major))).toEqual([
        "LOG",
        "LOG_SERVER_ONLY",
        "INFO",
        "NOTICE",
        "WARNING",
      ]);
    }
  });

  test("reads 20-22 as ERROR, FATAL, PANIC up to PostgreSQL 13", () => {
    for (const major of [9, 12, 13]) {
      expect([20, 21, 22].map((n) => elevelName(n, major))).toEqual(["ERROR", "FATAL", "PANIC"]);
    }
    expect(elevelName(23, 13)).toBe("ELEVEL_23");
  });

  test("reads 20-23 with WARNING_CLIENT_ONLY from PostgreSQL 14 to 18 (the PG 15 captures: ERROR = 21)", () => {
    for (const major of [14, 15, 17, 18]) {
      expect([20, 21, 22, 23].map((n) => elevelName(n, major))).toEqual([
        "WARNING_CLIENT_ONLY",
        "ERROR",
        "FATAL",
        "PANIC",
      ]);
    }
  });

  test("reads 23 as FATAL_CLIENT_ONLY and 24 as PANIC from PostgreSQL 19", () => {
    expect([21, 22, 23, 24].map((n) => elevelName(n, 19))).toEqual(["ERROR", "FATAL", "FATAL_CLIENT_ONLY", "PANIC"]);
    expect(elevelName(0, 19)).toBe("LOG_NEVER");
    expect(elevelName(24, 20)).toBe("PANIC");
  });

  test("keeps unknown numbers visible", () => {
    expect(elevelName(0, 15)).toBe("ELEVEL_0");
    expect(elevelName(99, 15)).toBe("ELEVEL_99");
  });
});

describe("severityText()", () => {
  test("prints what PostgreSQL prints: DEBUG for every debug level, client-only folded in", () => {
    expect(severityText(12, 15)).toBe("DEBUG");
    expect(severityText(16, 15)).toBe("LOG");
    expect(severityText(20, 15)).toBe("WARNING");
    expect(severityText(20, 13)).toBe("ERROR");
    expect(severityText(23, 19)).toBe("FATAL");
    expect(severityText(99, 15)).toBe("ELEVEL_99");
  });
});

describe("syslogSeverity()", () => {
  test("follows PostgreSQL's own syslog mapping on 15", () => {
    const expected: [number, number][] = [
      [10, 7],
      [14, 7],
      [15, 6],
      [16, 6],
      [17, 6],
      [18, 5],
      [19, 5],
      [20, 5],
      [21, 4],
      [22, 3],
      [23, 2],
    ];
    for (const [level, severity] of expected) expect(syslogSeverity(level, 15)).toBe(severity);
  });

  test("decodes ERROR, FATAL and PANIC by major", () => {
    expect([20, 21, 22].map((n) => syslogSeverity(n, 13))).toEqual([4, 3, 2]);
    expect([21, 22, 23].map((n) => syslogSeverity(n, 18))).toEqual([4, 3, 2]);
    expect([21, 22, 23, 24].map((n) => syslogSeverity(n, 19))).toEqual([4, 3, 3, 2]);
  });

  test("sends unknown numbers as crit, as elog.c's default does", () => {
    expect(syslogSeverity(99, 15)).toBe(2);
  });
});
