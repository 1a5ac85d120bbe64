import { describe, expect, test } from "bun:test";
import type { RunReport } from "../../src/check/result.ts";
import { formatJson, JSON_SCHEMA } from "../../src/output/json.ts";
import { fleet, host, twoHosts } from "./fleet-fixtures.ts";
import { measurement, report, result } from "./report-fixtures.ts";

/** The JSON of a one-host fleet, and that host's entry. */
function single(run: RunReport, version = "1") {
  const doc = JSON.parse(formatJson(fleet([host("db1", run)]), version));
  return { doc, h: doc.hosts[0] };
}

describe("formatJson()", () => {
  test("the document: schema, versions, where, when, typed numbers, worst status and its exit code", () => {
    const { doc, h } = single(report([result("alive"), result("db_size", { status: "warning" })]), "9.9.9");
    expect(doc).toMatchObject({
      schema: JSON_SCHEMA,
      posemo_version: "9.9.9",
      started_at: "2024-05-01T12:00:00.000Z",
      duration_ms: 20.5,
      status: "warning",
      exit_code: 1,
    });
    expect(doc.host_count).toEqual({ ok: 0, warning: 1, critical: 0, unknown: 0 });
    expect(h).toMatchObject({
      name: "db1",
      group: null,
      host: "/tmp/sock",
      port: 5432,
      database: "posemo",
      server_version: "16.4",
      server_version_num: 160004,
      started_at: "2024-05-01T12:00:00.000Z",
      duration_ms: 12.35,
      status: "warning",
      exit_code: 1,
      skipped: [],
    });
    expect(JSON_SCHEMA).toBe("posemo.check/2");
  });

  test.each(
    [
      [["ok", "ok"], "ok", 0],
      [["ok", "unknown"], "unknown", 3],
      [["unknown", "warning"], "warning", 1],
      [["warning", "critical", "unknown"], "critical", 2],
    ] as const,
  )("statuses %p give overall %p and exit code %p", (statuses, overall, code) => {
    const { doc, h } = single(report(statuses.map((s, i) => result(`c${i}`, { status: s }))));
    expect(doc.status).toBe(overall);
    expect(doc.exit_code).toBe(code);
    expect(h.status).toBe(overall);
    expect(h.checks.map((c: { exit_code: number }) => c.exit_code)).toEqual(
      statuses.map((s) => ({ ok: 0, warning: 1, critical: 2, unknown: 3 })[s]),
    );
  });

  test("values keep their JSON types: numbers, booleans, null; with units, thresholds and bounds", () => {
    const { h } = single(report([result("x", {
      measurements: [
        measurement({
          label: "x.a",
          column: "a",
          value: 1.5,
          unit: "%",
          warning: "90:",
          critical: "80:",
          min: 0,
          max: 100,
        }),
        measurement({ label: "x.b", column: "b", value: true }),
        measurement({ label: "x.!TOTAL.c", column: "c", title: "!TOTAL", value: null, unit: "B" }),
      ],
    })]));
    expect(h.checks[0].values).toEqual([
      {
        label: "x.a",
        column: "a",
        value: 1.5,
        unit: "%",
        status: "ok",
        warning: "90:",
        critical: "80:",
        min: 0,
        max: 100,
        context: null,
      },
      {
        label: "x.b",
        column: "b",
        value: true,
        unit: "",
        status: "ok",
        warning: null,
        critical: null,
        min: null,
        max: null,
        context: null,
      },
      {
        label: "x.!TOTAL.c",
        row: "!TOTAL",
        column: "c",
        value: null,
        unit: "B",
        status: "ok",
        warning: null,
        critical: null,
        min: null,
        max: null,
        context: null,
      },
    ]);
  });

  test("a failed check carries its error and no values; a passing one has error null", () => {
    const { h } = single(
      report([result("a", { status: "unknown", message: "denied", error: "denied", measurements: [] }), result("b")]),
    );
    expect(h.checks[0]).toEqual({
      name: "a",
      description: "the a check",
      status: "unknown",
      exit_code: 3,
      message: "denied",
      error: "denied",
      values: [],
    });
    expect(h.checks[1].error).toBeNull();
  });

  test("an unreached server has null server versions, not missing keys", () => {
    const { h } = single(
      report([result("alive", { status: "critical" })], { serverVersion: undefined, serverVersionNum: undefined }),
    );
    expect(h.server_version).toBeNull();
    expect(h.server_version_num).toBeNull();
  });

  test("the output is one JSON document ending with a newline", () => {
    const text = formatJson(fleet([host("db1", report([result("a")]))]), "1");
    expect(text.endsWith("}\n")).toBe(true);
    expect(JSON.parse(text)).toMatchObject({ schema: "posemo.check/2", hosts: [{ name: "db1" }] });
  });

  test("several hosts: one entry each with name and group, in fleet order; the fleet's state is the worst host's", () => {
    const doc = JSON.parse(formatJson(twoHosts(), "1"));
    expect(doc.hosts.map((h: { name: string; group: string; status: string }) => [h.name, h.group, h.status])).toEqual([
      ["db1.example.org", "prod", "warning"],
      ["db2.example.org", "prod", "critical"],
    ]);
    expect(doc).toMatchObject({
      status: "critical",
      exit_code: 2,
      host_count: { ok: 0, warning: 1, critical: 1, unknown: 0 },
    });
  });
});
