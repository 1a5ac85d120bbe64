/**
 * A structural check of a Zabbix 6.0 template export, following the import validator's rules for the
 * parts posemo uses (Zabbix's C60XmlValidator): known keys only, required keys present, enumerations
 * from their allowed names, UUIDs of 32 lowercase hex digits and unique, dependent items and rules
 * naming an existing master, trigger expressions referring to their own item of this template.
 * Returns the problems found (empty when the template is valid).
 * @module
 */
type Node = Record<string, unknown>;

const ITEM_TYPES = [
  "ZABBIX_PASSIVE",
  "TRAP",
  "SIMPLE",
  "INTERNAL",
  "ZABBIX_ACTIVE",
  "EXTERNAL",
  "ODBC",
  "IPMI",
  "SSH",
  "TELNET",
  "CALCULATED",
  "JMX",
  "SNMP_TRAP",
  "DEPENDENT",
  "HTTP_AGENT",
  "SNMP_AGENT",
  "SCRIPT",
];
const VALUE_TYPES = ["FLOAT", "CHAR", "LOG", "UNSIGNED", "TEXT"];
const PRIORITIES = ["NOT_CLASSIFIED", "INFO", "WARNING", "AVERAGE", "HIGH", "DISASTER"];
const STEP_TYPES = [
  "MULTIPLIER",
  "RTRIM",
  "LTRIM",
  "TRIM",
  "REGEX",
  "BOOL_TO_DECIMAL",
  "OCTAL_TO_DECIMAL",
  "HEX_TO_DECIMAL",
  "SIMPLE_CHANGE",
  "CHANGE_PER_SECOND",
  "XMLPATH",
  "JSONPATH",
  "IN_RANGE",
  "MATCHES_REGEX",
  "NOT_MATCHES_REGEX",
  "CHECK_JSON_ERROR",
  "CHECK_XML_ERROR",
  "CHECK_REGEX_ERROR",
  "CHECK_NOT_SUPPORTED",
  "DISCARD_UNCHANGED",
  "DISCARD_UNCHANGED_HEARTBEAT",
  "JAVASCRIPT",
  "PROMETHEUS_PATTERN",
  "PROMETHEUS_TO_JSON",
  "CSV_TO_JSON",
  "STR_REPLACE",
  "XML_TO_JSON",
];

const ITEM_KEYS = [
  "uuid",
  "name",
  "type",
  "key",
  "delay",
  "history",
  "trends",
  "status",
  "value_type",
  "units",
  "description",
  "valuemap",
  "preprocessing",
  "master_item",
  "tags",
  "triggers",
];
const PROTOTYPE_EXTRA_KEYS = ["trigger_prototypes", "discover"];
const RULE_KEYS = [
  "uuid",
  "name",
  "type",
  "key",
  "delay",
  "status",
  "filter",
  "lifetime",
  "description",
  "item_prototypes",
  "master_item",
  "preprocessing",
];
const TRIGGER_KEYS = ["uuid", "expression", "name", "priority", "description", "opdata", "status", "tags"];
const TEMPLATE_KEYS = [
  "uuid",
  "template",
  "name",
  "description",
  "groups",
  "items",
  "discovery_rules",
  "tags",
  "macros",
  "valuemaps",
];

class Checker {
  readonly problems: string[] = [];
  readonly uuids = new Set<string>();

  expect(ok: boolean, problem: string): void {
    if (!ok) this.problems.push(problem);
  }

  keys(node: Node, allowed: readonly string[], required: readonly string[], where: string): void {
    for (const key of Object.keys(node)) this.expect(allowed.includes(key), `${where}: unknown key "${key}"`);
    for (const key of required) this.expect(node[key] !== undefined && node[key] !== "", `${where}: missing "${key}"`);
  }

  uuid(node: Node, where: string): void {
    const uuid = String(node.uuid);
    this.expect(/^[0-9a-f]{32}$/.test(uuid), `${where}: uuid "${uuid}" is not 32 lowercase hex digits`);
    this.expect(!this.uuids.has(uuid), `${where}: uuid "${uuid}" is used twice`);
    this.uuids.add(uuid);
  }

  oneOf(value: unknown, allowed: readonly string[], where: string): void {
    this.expect(
      value === undefined || allowed.includes(String(value)),
      `${where}: "${String(value)}" is not one of ${allowed.join(", ")}`,
    );
  }

  strings(node: Node, where: string): void {
    for (const [key, value] of Object.entries(node)) {
      if (value !== null && typeof value === "object") continue;
      this.expect(
        typeof value === "string",
        `${where}.${key}: scalars must be strings in an export (got ${typeof value})`,
      );
    }
  }
}

function list(value: unknown): Node[] {
  return Array.isArray(value) ? (value as Node[]) : [];
}

function checkTrigger(c: Checker, trigger: Node, template: string, key: string, where: string): void {
  c.keys(trigger, TRIGGER_KEYS, ["uuid", "expression", "name"], where);
  c.uuid(trigger, where);
  c.strings(trigger, where);
  c.oneOf(trigger.priority, PRIORITIES, `${where}.priority`);
  c.expect(
    String(trigger.expression).includes(`(/${template}/${key}`),
    `${where}: expression does not refer to /${template}/${key}`,
  );
}

function checkItem(c: Checker, item: Node, template: string, masters: ReadonlySet<string>, where: string): void {
  c.keys(item, [...ITEM_KEYS, ...PROTOTYPE_EXTRA_KEYS], ["uuid", "name", "key"], where);
  c.uuid(item, where);
  c.strings(item, where);
  c.oneOf(item.type, ITEM_TYPES, `${where}.type`);
  c.oneOf(item.value_type, VALUE_TYPES, `${where}.value_type`);
  for (const [i, step] of list(item.preprocessing).entries()) {
    c.oneOf(step.type, STEP_TYPES, `${where}.preprocessing[${i}].type`);
    c.expect(Array.isArray(step.parameters), `${where}.preprocessing[${i}]: parameters must be a list`);
  }
  if (item.type === "DEPENDENT") {
    c.expect(
      masters.has(String((item.master_item as Node | undefined)?.key)),
      `${where}: master item is not an item of the template`,
    );
  }
  for (const [i, trigger] of list(item.triggers).entries()) {
    checkTrigger(c, trigger, template, String(item.key), `${where}.triggers[${i}]`);
  }
}

function checkRule(c: Checker, rule: Node, template: string, masters: ReadonlySet<string>, where: string): void {
  c.keys(rule, RULE_KEYS, ["uuid", "name", "key"], where);
  c.uuid(rule, where);
  c.strings(rule, where);
  c.oneOf(rule.type, ITEM_TYPES, `${where}.type`);
  if (rule.type === "DEPENDENT") {
    c.expect(
      masters.has(String((rule.master_item as Node | undefined)?.key)),
      `${where}: master item is not an item of the template`,
    );
  }
  for (const [i, condition] of list((rule.filter as Node | undefined)?.conditions).entries()) {
    c.expect(
      /^\{#[A-Z0-9_.]+\}$/.test(String(condition.macro)),
      `${where}.filter.conditions[${i}]: "${String(condition.macro)}" is not an LLD macro`,
    );
    c.expect(typeof condition.formulaid === "string", `${where}.filter.conditions[${i}]: missing formulaid`);
  }
  for (const [i, prototype] of list(rule.item_prototypes).entries()) {
    const at = `${where}.item_prototypes[${i}]`;
    const { trigger_prototypes: _ignored, ...fields } = prototype;
    checkItem(c, fields, template, masters, at);
    c.expect(/\{#[A-Z0-9_.]+\}/.test(String(prototype.key)), `${at}: a prototype key must contain an LLD macro`);
  }
}

/** Validates a parsed template export; returns its problems, one line each. */
export function zabbixTemplateProblems(doc: unknown): string[] {
  const c = new Checker();
  const root = (doc as Node | undefined)?.zabbix_export as Node | undefined;
  if (!root) return ["no zabbix_export at the top"];
  c.expect(root.version === "6.0", `version "${String(root.version)}" is not "6.0"`);
  const groups = list(root.groups);
  for (const [i, group] of groups.entries()) c.uuid(group, `groups[${i}]`);
  for (const [t, template] of list(root.templates).entries()) {
    const where = `templates[${t}]`;
    c.keys(template, TEMPLATE_KEYS, ["uuid", "template", "groups"], where);
    c.uuid(template, where);
    for (const group of list(template.groups)) {
      c.expect(groups.some((g) => g.name === group.name), `${where}: group "${String(group.name)}" is not exported`);
    }
    const items = list(template.items);
    const masters = new Set(items.map((i) => String(i.key)));
    const keys = [...masters, ...list(template.discovery_rules).map((r) => String(r.key))];
    c.expect(new Set(keys).size === keys.length, `${where}: item and discovery rule keys are not unique`);
    for (const [i, item] of items.entries()) {
      checkItem(c, item, String(template.template), masters, `${where}.items[${i}]`);
    }
    for (const [i, rule] of list(template.discovery_rules).entries()) {
      checkRule(c, rule, String(template.template), masters, `${where}.discovery_rules[${i}]`);
    }
    const maps = list(template.valuemaps).map((v) => String(v.name));
    for (const item of items) {
      if (item.valuemap) {
        c.expect(
          maps.includes(String((item.valuemap as Node).name)),
          `${where}: value map "${String((item.valuemap as Node).name)}" is not defined`,
        );
      }
    }
  }
  return c.problems;
}
