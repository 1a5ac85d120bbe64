import { describe, expect, test } from "bun:test";
import { formatCheckmk } from "../../src/output/checkmk.ts";
import { formatFleet, FORMATS, isFormatName } from "../../src/output/formats.ts";
import { formatJson } from "../../src/output/json.ts";
import { formatNagiosFleet } from "../../src/output/nagios.ts";
import { formatPrometheus } from "../../src/output/prometheus.ts";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { formatText } from "../../src/output/text.ts";
import { formatZabbix, formatZabbixDiscovery } from "../../src/output/zabbix.ts";
import { twoHosts } from "./fleet-fixtures.ts";

describe("formatFleet()", () => {
  const fleet = twoHosts();
  const options = { posemoVersion: "9.9.9" };

  test("dispatches each name to its formatter with the options it needs", () => {
    expect(formatFleet("nagios", fleet, options)).toBe(formatNagiosFleet(fleet));
    expect(formatFleet("json", fleet, options)).toBe(formatJson(fleet, "9.9.9"));
    expect(formatFleet("text", fleet, { ...options, color: true })).toBe(formatText(fleet, { color: true }));
    expect(formatFleet("checkmk", fleet, { ...options, checkmk: { perRow: false } })).toBe(
      formatCheckmk(fleet, { perRow: false }),
    );
    expect(formatFleet("prometheus", fleet, options)).toBe(formatPrometheus(fleet, { catalogue }));
    expect(formatFleet("zabbix", fleet, { ...options, zabbix: { host: "x" } })).toBe(
      formatZabbix(fleet, { host: "x" }),
    );
    expect(formatFleet("zabbix-discovery", fleet, options)).toBe(formatZabbixDiscovery(fleet));
  });

  test("every format ends its output with a newline", () => {
    for (const format of FORMATS) expect(formatFleet(format, fleet, options).endsWith("\n")).toBe(true);
  });

  test("isFormatName() knows exactly the listed formats", () => {
    expect(FORMATS.every(isFormatName)).toBe(true);
    expect(isFormatName("xml")).toBe(false);
  });
});
