import { describe, expect, test } from "bun:test";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { familyName, formatPrometheus, metricIdentifier, sampleValue } from "../../src/output/prometheus.ts";
import { escapeLabelValue } from "../../src/safe-text.ts";
import { fleet, host, singleHost, twoHosts } from "./fleet-fixtures.ts";
import { measurement, report, result } from "./report-fixtures.ts";
import { parseExposition as parse } from "./exposition-syntax.ts";

describe("formatPrometheus()", () => {
  test("values in base units with unit suffixes: % as a 0-1 ratio, ms as seconds, counters as _total counters", () => {
    const { samples, types } = parse(formatPrometheus(singleHost(), { catalogue }));
    expect(samples.get('posemo_cache_hit_ratio{host="db1.example.org",database="app"}')).toBe("0.712");
    expect(samples.get('posemo_connection_limit_ratio{host="db1.example.org"}')).toBe("0.0625");
    expect(samples.get('posemo_connection_limit_connections{host="db1.example.org"}')).toBe("6");
    expect(samples.get('posemo_checkpoint_time_write_time_seconds_total{host="db1.example.org"}')).toBe("1.5");
    expect(types.get("posemo_checkpoint_time_write_time_seconds_total")).toBe("counter");
    expect(types.get("posemo_transactions_xact_commit_total")).toBe("counter");
    expect(types.get("posemo_cache_hit_ratio")).toBe("gauge");
    expect(samples.get('posemo_alive{host="db1.example.org"}')).toBe("1");
  });

  test("a status gauge per check (0-3) and posemo_up per host, also for a host that could not be reached", () => {
    const { samples } = parse(formatPrometheus(twoHosts(), { catalogue }));
    expect(samples.get('posemo_check_status{host="db1.example.org",check="cache_hit_ratio"}')).toBe("1");
    expect(samples.get('posemo_check_status{host="db1.example.org",check="backup_age"}')).toBe("3");
    expect(samples.get('posemo_check_status{host="db2.example.org",check="alive"}')).toBe("2");
    expect(samples.get('posemo_up{host="db1.example.org"}')).toBe("1");
    expect(samples.get('posemo_up{host="db2.example.org"}')).toBe("0");
    expect(samples.get('posemo_run_timestamp_seconds{host="db1.example.org"}')).toBe("1714564800");
  });

  test("each family appears once with HELP and TYPE, its samples of all hosts together", () => {
    const text = formatPrometheus(twoHosts(), { catalogue });
    parse(text);
    expect(text.match(/^# TYPE posemo_check_status gauge$/gm)).toHaveLength(1);
    expect(text).toContain(
      "# HELP posemo_cache_hit_ratio cache_hit_ratio (ratio 0-1): Share of block requests served from shared buffers per database.\n",
    );
  });

  test("no value is no sample (not 0, not NaN)", () => {
    const { samples } = parse(formatPrometheus(singleHost(), { catalogue }));
    expect([...samples.keys()].filter((k) => k.includes('idle \\"db\\"'))).toEqual([]);
  });

  test("label values are escaped: double quote and newline by the format, a backslash as a visible \\x5c", () => {
    const odd = result("db_size", {
      measurements: [measurement({ label: "x", column: "size", title: 'a\\b"c\nd', value: 5, unit: "B" })],
    });
    const text = formatPrometheus(fleet([host('h"1', report([odd]))]), { catalogue });
    expect(text).toContain('posemo_db_size_size_bytes{host="h\\"1",database="a\\\\x5cb\\"c\\nd"} 5\n');
    parse(text);
  });

  test("without the catalogue, unit c alone marks counters and rows are labelled row", () => {
    const text = formatPrometheus(
      fleet([
        host(
          "h",
          report([
            result("custom", { measurements: [measurement({ column: "hits", title: "x", value: 2, unit: "c" })] }),
          ]),
        ),
      ]),
    );
    expect(text).toContain('# TYPE posemo_custom_hits_total counter\nposemo_custom_hits_total{host="h",row="x"} 2\n');
  });

  test("booleans are unitless 0/1 gauges even when their check has a unit", () => {
    const archiver = result("archiver", {
      measurements: [
        measurement({ column: "archiving", value: true, unit: "s" }),
        measurement({ column: "archived", value: 12, unit: "c" }),
      ],
    });
    const { samples, types } = parse(formatPrometheus(fleet([host("h", report([archiver]))]), { catalogue }));
    expect(samples.get('posemo_archiver_archiving{host="h"}')).toBe("1");
    expect(types.get("posemo_archiver_archived_total")).toBe("counter");
  });

  test("a gauge never ends in a counter's _total: a total column becomes _total_current", () => {
    const locks = result("locks", { measurements: [measurement({ column: "total", value: 7, unit: "" })] });
    const { samples, types } = parse(formatPrometheus(fleet([host("h", report([locks]))]), { catalogue }));
    expect(samples.get('posemo_locks_total_current{host="h"}')).toBe("7");
    expect(types.get("posemo_locks_total_current")).toBe("gauge");
  });

  test("an empty fleet renders nothing", () => {
    expect(formatPrometheus(fleet([]))).toBe("");
  });
});

describe("prometheus helpers", () => {
  test("familyName() leaves out a column named like the check and never doubles a unit suffix", () => {
    expect(familyName("cache_hit_ratio", { column: "cache_hit_ratio", unit: "%" }, false)).toBe(
      "posemo_cache_hit_ratio",
    );
    expect(familyName("standby_lag", { column: "lag_seconds", unit: "s" }, false)).toBe(
      "posemo_standby_lag_lag_seconds",
    );
    expect(familyName("db_size", { column: "size", unit: "B" }, false)).toBe("posemo_db_size_size_bytes");
    expect(familyName("checkpoints", { column: "timed", unit: "c" }, true)).toBe("posemo_checkpoints_timed_total");
    expect(familyName("x", { column: "total", unit: "c" }, true)).toBe("posemo_x_total");
    expect(familyName("x", { column: "count", unit: "" }, false)).toBe("posemo_x_count_current");
  });

  test("metricIdentifier(), escapeLabelValue() and sampleValue()", () => {
    expect(metricIdentifier("9 lives-x")).toBe("_9_lives_x");
    expect(escapeLabelValue('a\\"\n')).toBe('a\\\\x5c\\"\\n');
    expect(sampleValue(true)).toBe("1");
    expect(sampleValue(71.2, 0.01)).toBe("0.712");
    expect(sampleValue(12345678901234)).toBe("12345678901234");
  });
});
