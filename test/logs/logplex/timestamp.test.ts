import { describe, expect, test } from "bun:test";
import { logTimeToRfc3339, readLogTime, rfc3339Micros, rfc3339Seconds } from "../../../src/logs/logplex/timestamp.ts";

describe("rfc3339Seconds()", () => {
  test("prints UTC at second precision like Go's time.RFC3339", () => {
    expect(rfc3339Seconds(Date.UTC(2026, 10, 21, 4, 18, 47, 999))).toBe("2026-11-21T04:18:47Z");
    expect(rfc3339Seconds(Date.UTC(2026, 10, 21, 4, 18, 48, 0))).toBe("2026-11-21T04:18:48Z");
  });
});

describe("rfc3339Micros()", () => {
  test("prints UTC with microseconds and an explicit offset", () => {
    expect(rfc3339Micros(Date.UTC(2026, 0, 2, 3, 4, 5, 67))).toBe("2026-01-02T03:04:05.067000+00:00");
  });
});

describe("logTimeToRfc3339()", () => {
  test("converts UTC and numeric zones exactly", () => {
    expect(logTimeToRfc3339("2026-11-21 04:23:21.792 UTC")).toBe("2026-11-21T04:23:21.792000+00:00");
    expect(logTimeToRfc3339("2026-11-21 04:23:21.792 GMT")).toBe("2026-11-21T04:23:21.792000+00:00");
    expect(logTimeToRfc3339("2026-11-21 07:23:21.792 +03")).toBe("2026-11-21T07:23:21.792000+03:00");
    expect(logTimeToRfc3339("2026-11-21 01:53:21.792 -0130")).toBe("2026-11-21T01:53:21.792000-01:30");
    expect(logTimeToRfc3339("2026-11-21 04:23:21 UTC")).toBe("2026-11-21T04:23:21.000000+00:00");
  });

  test("refuses named zones, which are ambiguous, and other shapes", () => {
    expect(logTimeToRfc3339("2026-11-21 05:23:21.792 CET")).toBeNull();
    expect(logTimeToRfc3339("2026-11-21 04:23:21.792 CST")).toBeNull();
    expect(logTimeToRfc3339("yesterday")).toBeNull();
  });

  test("readLogTime() tells a named zone from a poisoned LogTime, checking every field's range", () => {
    expect(readLogTime("2026-11-21 05:23:21.792 CEST")).toBe("named-zone");
    expect(readLogTime("2024-02-29 23:59:60.999999 UTC")).toBe("2024-02-29T23:59:60.999999+00:00");
    const poisoned = [
      "2026-11-21 04;32:06.832 UTC",
      "2026-13-01 00:00:00 UTC",
      "2026-02-29 00:00:00 UTC",
      "2026-04-31 00:00:00 UTC",
      "2026-11-21 24:00:00 UTC",
      "2026-11-21 04:60:00 UTC",
      "2026-11-21 04:00:61 UTC",
      "2026-11-21 04:00:00 +24",
      "2026-11-21 04:00:00 -0popo",
      "2026-11-21 04:00:00.1234567 UTC",
      "2026-11-21T04:00:00Z",
      "",
      "2026-11-21 04:00:00 U\tC",
      "2026-11-21 04:00:00 UTC ",
      "２０２６-11-21 04:00:00 UTC",
      "2026-00-10 04:00:00 UTC",
      "2026-11-00 04:00:00 UTC",
    ];
    for (const logTime of poisoned) {
      expect({ logTime, reading: readLogTime(logTime) }).toEqual({ logTime, reading: "invalid" });
    }
  });
});
