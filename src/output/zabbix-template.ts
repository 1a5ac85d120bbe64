/**
 * The Zabbix template for `--format zabbix`, generated from the catalogue (Zabbix 6.0 YAML export
 * format, which Zabbix 6.0 to 7.x import). Every item is a trapper fed by zabbix_sender:
 * `posemo.up`, `posemo.discovery` (master of one dependent discovery rule per multi-row check,
 * filtered by `{#CHECK}`), per check `posemo.status["check"]` with WARNING/HIGH/AVERAGE triggers for
 * 1/2/3 and `posemo.message["check"]`, and per value column `posemo.value["check","row","column"]`
 * (a prototype per row for multi-row checks). Units follow the catalogue: ms become seconds by a
 * multiplier, counters become rates per second. UUIDs are derived from the keys, so regenerating
 * yields the same file. Pure.
 * @module
 */
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { type CheckDefinition, type ColumnDefinition, type Unit, valueColumns } from "../catalogue/definition.ts";
import { itemKey, valueKey } from "./zabbix.ts";

/** The template's technical name, also used in trigger expressions. */
export const ZABBIX_TEMPLATE_NAME = "PostgreSQL by posemo";

/** Zabbix's own uuid for the "Templates/Databases" group, so the import joins the existing group. */
const DATABASES_GROUP = { uuid: "748ad4d098d447d492bb935c907f652f", name: "Templates/Databases" };

type Node = Record<string, unknown>;

/** A UUIDv4-shaped id (32 lowercase hex digits) derived from a stable seed. */
export function stableUuid(seed: string): string {
  const hex = createHash("sha256").update(`posemo:${seed}`).digest("hex").slice(0, 32).split("");
  hex[12] = "4";
  hex[16] = "89ab"[parseInt(hex[16]!, 16) % 4]!;
  return hex.join("");
}

function expression(fn: string, key: string, rest = ""): string {
  return `${fn}(/${ZABBIX_TEMPLATE_NAME}/${key}${rest})`;
}

function tags(check?: string): Node[] {
  return [{ tag: "component", value: "posemo" }, ...(check ? [{ tag: "check", value: check }] : [])];
}

function trigger(key: string, condition: string, name: string, priority: string, description: string): Node {
  return {
    uuid: stableUuid(`trigger:${key}${condition}`),
    expression: `${expression("last", key)}${condition}`,
    name,
    priority,
    description,
  };
}

function statusItem(check: CheckDefinition): Node {
  const key = itemKey("posemo.status", check.name);
  const see = `posemo's message: item ${itemKey("posemo.message", check.name)}.`;
  return {
    uuid: stableUuid(key),
    name: `posemo ${check.name}: status`,
    type: "TRAP",
    key,
    delay: "0",
    history: "31d",
    description: check.description,
    valuemap: { name: "posemo status" },
    tags: tags(check.name),
    triggers: [
      trigger(key, "=1", `posemo ${check.name} is WARNING on {HOST.NAME}`, "WARNING", see),
      trigger(key, "=2", `posemo ${check.name} is CRITICAL on {HOST.NAME}`, "HIGH", see),
      trigger(
        key,
        "=3",
        `posemo ${check.name} is UNKNOWN on {HOST.NAME}`,
        "AVERAGE",
        `The check could not run or could not see what it needs. ${see}`,
      ),
    ],
  };
}

function messageItem(check: CheckDefinition): Node {
  const key = itemKey("posemo.message", check.name);
  return {
    uuid: stableUuid(key),
    name: `posemo ${check.name}: message`,
    type: "TRAP",
    key,
    delay: "0",
    history: "31d",
    trends: "0",
    value_type: "TEXT",
    tags: tags(check.name),
  };
}

const ZABBIX_UNITS: Readonly<Record<Unit, string>> = { "": "", c: "", "%": "%", ms: "s", s: "s", B: "B" };

/** Cumulative columns, graphed as rates: unit `c`, or any non-boolean column of a counting check. */
function isCumulative(check: CheckDefinition, column: ColumnDefinition): boolean {
  return (column.unit ?? check.unit) === "c" || (check.counter && column.type !== "boolean");
}

/** Value type, units and preprocessing of one value column; booleans are 0/1 without a unit. */
function valueShape(check: CheckDefinition, column: ColumnDefinition): Node {
  if (column.type === "boolean") return { value_type: "UNSIGNED" };
  const unit = column.unit ?? check.unit;
  const rate = isCumulative(check, column);
  const steps: Node[] = [];
  if (unit === "ms") steps.push({ type: "MULTIPLIER", parameters: ["0.001"] });
  if (rate) steps.push({ type: "CHANGE_PER_SECOND", parameters: [""] });
  const units = ZABBIX_UNITS[unit] + (rate && unit !== "ms" && unit !== "s" ? "/s" : "");
  return { value_type: "FLOAT", ...(units ? { units } : {}), ...(steps.length > 0 ? { preprocessing: steps } : {}) };
}

function valueItem(check: CheckDefinition, column: ColumnDefinition, row: string): Node {
  const key = valueKey(check.name, row, column.name);
  const rate = isCumulative(check, column) ? " per second" : "";
  const name = row === ""
    ? `posemo ${check.name}: ${column.name}${rate}`
    : `posemo ${check.name} ${row}: ${column.name}${rate}`;
  return {
    uuid: stableUuid(key),
    name,
    type: "TRAP",
    key,
    delay: "0",
    history: "31d",
    ...valueShape(check, column),
    tags: tags(check.name),
  };
}

function isMultiRow(check: CheckDefinition): boolean {
  return check.titleColumn !== undefined || check.scope === "database";
}

function numericColumns(check: CheckDefinition): ColumnDefinition[] {
  return valueColumns(check).filter((c) => c.type !== "text");
}

function rowDiscovery(check: CheckDefinition): Node {
  const key = itemKey("posemo.discovery", check.name);
  return {
    uuid: stableUuid(key),
    name: `posemo ${check.name}: rows`,
    type: "DEPENDENT",
    key,
    delay: "0",
    filter: { conditions: [{ macro: "{#CHECK}", value: `^${check.name}$`, formulaid: "A" }] },
    lifetime: "7d",
    description: `Rows of ${check.name} (databases, or the check's own row titles), from posemo.discovery.`,
    item_prototypes: numericColumns(check).map((c) => valueItem(check, c, "{#ROW}")),
    master_item: { key: "posemo.discovery" },
  };
}

function globalItems(): Node[] {
  return [
    {
      uuid: stableUuid("posemo.discovery"),
      name: "posemo: discovery data",
      type: "TRAP",
      key: "posemo.discovery",
      delay: "0",
      history: "0",
      trends: "0",
      value_type: "TEXT",
      description:
        "Low-level discovery rows sent by posemo check --format zabbix; master of the per-check row discovery.",
      tags: tags(),
    },
    {
      uuid: stableUuid("posemo.up"),
      name: "posemo: server accepted the login",
      type: "TRAP",
      key: "posemo.up",
      delay: "0",
      history: "31d",
      valuemap: { name: "posemo up" },
      tags: tags(),
      triggers: [
        trigger(
          "posemo.up",
          "=0",
          "posemo cannot log in to PostgreSQL on {HOST.NAME}",
          "HIGH",
          "posemo could not connect or log in; see the alive check's message.",
        ),
        {
          uuid: stableUuid("trigger:posemo.up:nodata"),
          expression: `${expression("nodata", "posemo.up", ",{$POSEMO.NODATA}")}=1`,
          name: "No posemo data from {HOST.NAME} for {$POSEMO.NODATA}",
          priority: "AVERAGE",
          description: "The cron job or timer that runs posemo check | zabbix_sender has stopped.",
        },
      ],
    },
  ];
}

const VALUEMAPS = [
  {
    uuid: stableUuid("valuemap:status"),
    name: "posemo status",
    mappings: ["OK", "WARNING", "CRITICAL", "UNKNOWN"].map((newvalue, value) => ({ value: String(value), newvalue })),
  },
  {
    uuid: stableUuid("valuemap:up"),
    name: "posemo up",
    mappings: [{ value: "0", newvalue: "Down" }, { value: "1", newvalue: "Up" }],
  },
];

/** The template as a plain object (the YAML document's content). */
export function zabbixTemplate(catalogue: readonly CheckDefinition[]): Node {
  const items = [
    ...globalItems(),
    ...catalogue.flatMap((c) => [
      statusItem(c),
      messageItem(c),
      ...(isMultiRow(c) ? [] : numericColumns(c).map((col) => valueItem(c, col, ""))),
    ]),
  ];
  const template = {
    uuid: stableUuid("template"),
    template: ZABBIX_TEMPLATE_NAME,
    name: ZABBIX_TEMPLATE_NAME,
    description:
      "posemo checks sent by zabbix_sender (posemo check --format zabbix | zabbix_sender -z SERVER -i -). Generated from the posemo catalogue by scripts/gen-zabbix-template.ts.",
    groups: [{ name: DATABASES_GROUP.name }],
    items,
    discovery_rules: catalogue.filter(isMultiRow).map(rowDiscovery),
    tags: tags(),
    macros: [{
      macro: "{$POSEMO.NODATA}",
      value: "30m",
      description: "Raise an alert when posemo sent nothing for this long.",
    }],
    valuemaps: VALUEMAPS,
  };
  return { zabbix_export: { version: "6.0", groups: [DATABASES_GROUP], templates: [template] } };
}

/** The template as YAML, ready for Data collection > Templates > Import. */
export function renderZabbixTemplate(catalogue: readonly CheckDefinition[]): string {
  return stringify(zabbixTemplate(catalogue), { lineWidth: 0 });
}
