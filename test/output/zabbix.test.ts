import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { formatZabbix, formatZabbixDiscovery, itemKey, senderField, valueKey } from "../../src/output/zabbix.ts";
import { renderZabbixTemplate, stableUuid, zabbixTemplate } from "../../src/output/zabbix-template.ts";
import { fleet, host, singleHost, twoHosts } from "./fleet-fixtures.ts";
import { measurement, report, result } from "./report-fixtures.ts";
import { zabbixTemplateProblems } from "./zabbix-template-schema.ts";

/** Splits one zabbix_sender input line the way zabbix_sender does: fields by blanks, "..." with \" and \\. */
export function parseSenderLine(line: string): string[] {
  const fields: string[] = [];
  const field = /\s*(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))/y;
  let match: RegExpExecArray | null;
  while (field.lastIndex < line.length && (match = field.exec(line))) {
    fields.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : match[2]!);
  }
  if (field.lastIndex !== line.length) throw new Error(`not a zabbix_sender line: ${line}`);
  return fields;
}

function senderValues(text: string): Map<string, string> {
  return new Map(
    text.trimEnd().split("\n").map((line) => {
      const [hostName, key, value, ...extra] = parseSenderLine(line);
      if (extra.length > 0 || value === undefined) throw new Error(`expected <host> <key> <value>: ${line}`);
      return [`${hostName} ${key}`, value] as const;
    }),
  );
}

describe("formatZabbixDiscovery()", () => {
  test("a plain JSON array of {#HOST}, {#CHECK}, {#ROW}, one per row of each multi-row check", () => {
    const rows = JSON.parse(formatZabbixDiscovery(twoHosts())) as Record<string, string>[];
    expect(Array.isArray(rows)).toBe(true);
    for (const row of rows) expect(Object.keys(row).sort()).toEqual(["{#CHECK}", "{#HOST}", "{#ROW}"]);
    expect(rows.filter((r) => r["{#CHECK}"] === "cache_hit_ratio").map((r) => r["{#ROW}"])).toEqual([
      "!TOTAL",
      "app",
      'idle "db"',
    ]);
    expect(rows.filter((r) => r["{#CHECK}"] === "transactions")).toHaveLength(2);
    expect(rows.every((r) => r["{#HOST}"] === "db1.example.org")).toBe(true);
  });
});

describe("formatZabbix()", () => {
  test("one host: lines start with - (zabbix_sender takes -s), discovery and posemo.up first", () => {
    const text = formatZabbix(singleHost());
    const lines = text.trimEnd().split("\n").map(parseSenderLine);
    expect(lines.every((l) => l[0] === "-")).toBe(true);
    expect(lines[0]![1]).toBe("posemo.discovery");
    expect(JSON.parse(lines[0]![2]!)).toEqual(JSON.parse(formatZabbixDiscovery(singleHost())));
    expect(lines[1]).toEqual(["-", "posemo.up", "1"]);
  });

  test("status 0-3 and the message per check, one value per measurement, none for no value", () => {
    const values = senderValues(formatZabbix(twoHosts()));
    expect(values.get('db1.example.org posemo.status["cache_hit_ratio"]')).toBe("1");
    expect(values.get('db1.example.org posemo.message["cache_hit_ratio"]')).toBe(
      "app cache_hit_ratio 71.2% (warning at < 80%)",
    );
    expect(values.get('db1.example.org posemo.value["cache_hit_ratio","app","cache_hit_ratio"]')).toBe("71.2");
    expect(values.get('db1.example.org posemo.value["alive","","alive"]')).toBe("1");
    expect(values.get('db1.example.org posemo.value["checkpoint_time","","write_time"]')).toBe("1500");
    expect([...values.keys()].some((k) => k.includes("idle"))).toBe(false);
    expect(values.get("db2.example.org posemo.up")).toBe("0");
    expect(values.get('db2.example.org posemo.status["alive"]')).toBe("2");
    expect(values.get('db1.example.org posemo.status["backup_age"]')).toBe("3");
  });

  test("quotes, backslashes and blanks in names survive the sender's quoting; in keys, backslashes and control characters become \\xNN", () => {
    const odd = result("db_size", {
      message: 'x "y"\nz',
      measurements: [measurement({ label: "x", column: "size", title: 'a "b" \\c\nd\\', value: 5, unit: "B" })],
    });
    const values = senderValues(formatZabbix(fleet([host("h 1", report([odd])), host("h2", report([]))])));
    expect(values.get(`h 1 ${valueKey("db_size", 'a "b" \\x5cc\\x0ad\\x5c', "size")}`)).toBe("5");
    expect(values.get('h 1 posemo.message["db_size"]')).toBe('x "y" z');
  });

  test("the host option names every line", () => {
    expect(formatZabbix(singleHost(), { host: "pg-prod" }).split("\n")[0]!.startsWith("pg-prod posemo.discovery "))
      .toBe(true);
  });
});

describe("zabbix keys", () => {
  test("itemKey() quotes every parameter and escapes double quotes", () => {
    expect(itemKey("posemo.up")).toBe("posemo.up");
    expect(itemKey("posemo.status", "alive")).toBe('posemo.status["alive"]');
    expect(valueKey("c", 'we"ird', "v")).toBe('posemo.value["c","we\\"ird","v"]');
  });

  test("senderField() leaves plain words bare and quotes the rest", () => {
    expect(senderField("posemo.up")).toBe("posemo.up");
    expect(senderField("")).toBe('""');
    expect(senderField('a "b" \\')).toBe('"a \\"b\\" \\\\"');
  });
});

describe("Zabbix template", () => {
  const doc = zabbixTemplate(catalogue);
  const template = (doc.zabbix_export as { templates: Record<string, unknown>[] }).templates[0]!;
  const items = template.items as {
    key: string;
    value_type?: string;
    units?: string;
    preprocessing?: { type: string }[];
  }[];
  const rules = template.discovery_rules as {
    key: string;
    item_prototypes: { key: string }[];
    filter: { conditions: { value: string }[] };
  }[];

  // Rendered and read back once: parsing 200 KB of YAML takes about a second.
  const roundTrip = parse(renderZabbixTemplate(catalogue));

  test("is a structurally valid Zabbix 6.0 export, also after a YAML round trip", () => {
    expect(zabbixTemplateProblems(doc)).toEqual([]);
    expect(zabbixTemplateProblems(roundTrip)).toEqual([]);
  });

  test("the structural check itself rejects a broken template (bad uuid, unknown key, dangling master, foreign trigger)", () => {
    const broken = structuredClone(roundTrip);
    const t = broken.zabbix_export.templates[0];
    t.items[0].uuid = "not-a-uuid";
    t.items[1].colour = "red";
    t.discovery_rules[0].master_item.key = "nope";
    t.items[1].triggers[0].expression = "last(/Other/posemo.up)=0";
    const problems = zabbixTemplateProblems(broken);
    expect(problems.some((p) => p.includes("not 32 lowercase hex"))).toBe(true);
    expect(problems.some((p) => p.includes('unknown key "colour"'))).toBe(true);
    expect(problems.some((p) => p.includes("master item is not an item"))).toBe(true);
    expect(problems.some((p) => p.includes("does not refer to"))).toBe(true);
  });

  test("the committed docs/integrations/zabbix/posemo_template.yaml is a valid export", () => {
    const committed = readFileSync(
      resolve(import.meta.dir, "../../docs/integrations/zabbix/posemo_template.yaml"),
      "utf8",
    );
    expect(zabbixTemplateProblems(parse(committed))).toEqual([]);
  });

  test("every check has a status item with triggers and a message item", () => {
    for (const check of catalogue) {
      expect(items.some((i) => i.key === `posemo.status["${check.name}"]`)).toBe(true);
      expect(items.some((i) => i.key === `posemo.message["${check.name}"]`)).toBe(true);
    }
  });

  test("every key formatZabbix() sends for a catalogue check has an item or a prototype", () => {
    const run = report(catalogue.map((c) =>
      result(c.name, {
        measurements: c.columns.filter((col) => col.type !== "text" && col.name !== c.titleColumn).map((col) =>
          measurement({
            column: col.name,
            ...(c.titleColumn || c.scope === "database" ? { title: "app" } : {}),
            value: 1,
          })
        ),
      })
    ));
    const keys = [...senderValues(formatZabbix(fleet([host("h", report([])), host("db", run)]))).keys()].filter((k) =>
      k.startsWith("db ")
    ).map((k) => k.slice(3));
    const prototypes = rules.flatMap((r) => r.item_prototypes.map((p) => p.key.replace("{#ROW}", "app")));
    for (const key of keys) expect([...items.map((i) => i.key), ...prototypes]).toContain(key);
  });

  test("ms become seconds, counters become rates, booleans are unsigned", () => {
    const write = items.find((i) => i.key === 'posemo.value["checkpoint_time","","write_time"]');
    expect(write?.units).toBe("s");
    expect(write?.preprocessing?.map((s) => s.type)).toEqual(["MULTIPLIER", "CHANGE_PER_SECOND"]);
    expect(items.find((i) => i.key === 'posemo.value["alive","","alive"]')?.value_type).toBe("UNSIGNED");
    const archiving = items.find((i) => i.key === 'posemo.value["archiver","","archiving"]');
    if (archiving) expect([archiving.value_type, archiving.units]).toEqual(["UNSIGNED", undefined]);
    const archived = items.find((i) => i.key === 'posemo.value["archiver","","archived"]');
    if (archived) expect(archived.preprocessing?.map((s) => s.type)).toEqual(["CHANGE_PER_SECOND"]);
    expect(rules.find((r) => r.key === 'posemo.discovery["cache_hit_ratio"]')?.filter.conditions[0]?.value).toBe(
      "^cache_hit_ratio$",
    );
  });

  test("stableUuid() is a deterministic UUIDv4 shape", () => {
    expect(stableUuid("x")).toBe(stableUuid("x"));
    expect(stableUuid("x")).not.toBe(stableUuid("y"));
    expect(stableUuid("x")).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
  });
});
