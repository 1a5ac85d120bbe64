/**
 * Parses and validates a posemo configuration file (YAML): connection defaults, hosts and host groups,
 * per-check settings at every level. Pure: text, file name and catalogue in, a `PosemoConfig` out, or a
 * ConfigError naming the file, the line and the offending value. The schema is documented in the
 * README ("Configuration"); YAML keys are snake_case, the mapping to camelCase happens here only.
 * @module
 */
import { dirname, resolve } from "node:path";
import { isScalar, LineCounter, type Node, parseDocument } from "yaml";
import type { CheckDefinition } from "../catalogue/definition.ts";
import { identifierProblem } from "../db/quote.ts";
import { parseDurationMs } from "./duration.ts";
import { type FileConnection } from "./connection.ts";
import { type SslMode, SSLMODES } from "../db/settings.ts";
import { type CheckSettings, parseChecks } from "./parse-checks.ts";
import {
  entries,
  type Entry,
  items,
  type NodeReader,
  nodeReader,
  shown,
  text,
  textOrNumber,
  wholeNumber,
} from "../yaml-reader.ts";
import { ConfigError } from "./config-error.ts";

/** Connection and run settings that any level (defaults, group, host) may set; unset means "inherit". */
export interface LevelSettings extends FileConnection {
  /** Absolute path (relative paths in the file are taken from the file's directory). */
  readonly passwordFile?: string;
  /** statement_timeout and lock_timeout of every check. */
  readonly timeoutMs?: number;
  readonly schema?: string;
  readonly checks: Readonly<Record<string, CheckSettings>>;
}

/** One configured host. */
export interface HostEntry extends LevelSettings {
  /** Unique display name (defaults to `host`). */
  readonly name: string;
}

/** A named group of hosts sharing settings. */
export interface GroupEntry extends LevelSettings {
  readonly name: string;
  readonly hosts: readonly HostEntry[];
}

/** A validated configuration file. */
export interface PosemoConfig {
  readonly file: string;
  /** Hosts checked at once. */
  readonly concurrency?: number;
  readonly defaults: LevelSettings;
  /** Hosts outside any group. */
  readonly hosts: readonly HostEntry[];
  readonly groups: readonly GroupEntry[];
  /** `install`'s custom check directories (`--checks-dir`), relative ones from the file's directory. */
  readonly checksDirs?: readonly string[];
}

const SETTING_KEYS = [
  "host",
  "port",
  "user",
  "dbname",
  "sslmode",
  "connect_timeout",
  "password_file",
  "timeout",
  "schema",
  "checks",
];
const HOST_KEYS = ["name", ...SETTING_KEYS];
const GROUP_KEYS = [...SETTING_KEYS, "hosts"];
const TOP_KEYS = ["concurrency", "defaults", "hosts", "groups", "checks_dirs"];
const PASSWORD_KEYS = ["password", "passwd", "pass"];
const NAME = /^[^\s'"=|,\\]+$/;

interface Context {
  readonly reader: NodeReader;
  readonly catalogue: readonly CheckDefinition[];
  readonly unknown?: string[];
  /** Host names seen so far, with their line: names label perfdata, JSON and piggyback sections. */
  readonly names: Map<string, number | undefined>;
}

function duration(node: Node | null, where: string, reader: NodeReader): number {
  const value = textOrNumber(node, where, reader);
  try {
    return parseDurationMs(value);
  } catch (error) {
    return reader.fail((error as Error).message.replace(" as a duration:", ` as a duration for ${where}:`), node);
  }
}

function identifier(node: Node | null, where: string, reader: NodeReader): string {
  const value = text(node, where, reader);
  const problem = identifierProblem(value);
  if (problem !== undefined) reader.fail(`Cannot use "${value}" as ${where}: ${problem}`, node);
  return value;
}

function sslmode(node: Node | null, where: string, reader: NodeReader): SslMode {
  const value = text(node, where, reader);
  if (!(SSLMODES as readonly string[]).includes(value)) {
    reader.fail(`Cannot use sslmode "${value}" for ${where}: expected one of ${SSLMODES.join(", ")}`, node);
  }
  return value as SslMode;
}

function refusePasswords(found: readonly Entry[], where: string, reader: NodeReader): void {
  const password = found.find((entry) => PASSWORD_KEYS.includes(entry.key));
  if (password) {
    reader.fail(
      `Refusing key "${password.key}" in ${where}: plain passwords are not accepted; use password_file, PGPASSWORD or ~/.pgpass`,
      password.keyNode,
    );
  }
}

function setting(entry: Entry, where: string, context: Context): Partial<Record<keyof LevelSettings, unknown>> {
  const at = `${where}.${entry.key}`;
  const reader = context.reader;
  switch (entry.key) {
    case "port":
      return { port: wholeNumber(entry.value, at, 1, 65535, reader) };
    case "sslmode":
      return { sslmode: sslmode(entry.value, at, reader) };
    case "connect_timeout":
      return { connectTimeoutMs: duration(entry.value, at, reader) };
    case "timeout":
      return { timeoutMs: duration(entry.value, at, reader) };
    case "password_file":
      return { passwordFile: resolve(dirname(reader.file), text(entry.value, at, reader)) };
    case "checks":
      return { checks: parseChecks(entry.value, at, context.catalogue, reader, context.unknown) };
    case "schema":
      return { schema: identifier(entry.value, at, reader) };
    case "host":
    case "user":
    case "dbname":
      return { [entry.key]: text(entry.value, at, reader) };
    default:
      return {};
  }
}

function settings(node: Node | null, where: string, allowed: readonly string[], context: Context): LevelSettings {
  const found = entries(node, where, context.reader);
  refusePasswords(found, where, context.reader);
  entries(node, where, context.reader, allowed);
  return Object.assign({ checks: {} }, ...found.map((entry) => setting(entry, where, context))) as LevelSettings;
}

function checkedName(node: Node | null, value: string, what: string, reader: NodeReader): string {
  if (!NAME.test(value)) {
    reader.fail(
      `Cannot use ${what} name ${shown(node)}: names may not contain spaces, quotes, =, |, comma or backslash`,
      node,
    );
  }
  return value;
}

function hostEntry(node: Node, where: string, context: Context): HostEntry {
  if (isScalar(node)) {
    const host = text(node, where, context.reader);
    return { name: uniqueName(node, host, context), host, checks: {} };
  }
  const own = settings(node, where, HOST_KEYS, context);
  const nameNode = entries(node, where, context.reader).find((entry) => entry.key === "name")?.value ?? null;
  const name = nameNode ? text(nameNode, `${where}.name`, context.reader) : own.host;
  if (name === undefined) context.reader.fail(`${where} needs a name or a host`, node);
  return { ...own, name: uniqueName(nameNode ?? node, name, context) };
}

function uniqueName(node: Node, name: string, context: Context): string {
  checkedName(node, name, "host", context.reader);
  if (context.names.has(name)) {
    context.reader.fail(
      `host name "${name}" is used twice (first at line ${context.names.get(name)}): give each host a unique name`,
      node,
    );
  }
  context.names.set(name, context.reader.line(node));
  return name;
}

function hostList(node: Node | null, where: string, context: Context): HostEntry[] {
  return items(node, where, context.reader).map((item, i) => hostEntry(item, `${where}[${i}]`, context));
}

function group(entry: Entry, context: Context): GroupEntry {
  const where = `groups.${entry.key}`;
  const own = settings(entry.value, where, GROUP_KEYS, context);
  const hostsNode = entries(entry.value, where, context.reader).find((h) => h.key === "hosts")?.value ?? null;
  return {
    ...own,
    name: checkedName(entry.keyNode, entry.key, "group", context.reader),
    hosts: hostsNode ? hostList(hostsNode, `${where}.hosts`, context) : [],
  };
}

function yamlProblem(message: string): string {
  const first = message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  return /reserved character|Nested mappings|Implicit map keys|within flow collections/.test(first)
    ? `${first} (quote ranges such as "80:" or "@10:20")`
    : first;
}

/**
 * Parses the text of a configuration file; throws ConfigError naming the file, line and value. With
 * `unknown`, checks the catalogue does not know are collected there instead of refused.
 */
export function parseConfig(
  source: string,
  file: string,
  catalogue: readonly CheckDefinition[],
  unknown?: string[],
): PosemoConfig {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) throw new ConfigError(yamlProblem(first.message), file, lines.linePos(first.pos[0]).line);
  const reader = nodeReader(file, lines, ConfigError);
  const context: Context = { reader, catalogue, names: new Map(), ...(unknown ? { unknown } : {}) };
  const root = doc.contents as Node | null;
  if (root === null) return { file, defaults: { checks: {} }, hosts: [], groups: [] };
  const top = entries(root, "the configuration", reader, TOP_KEYS);
  const at = (key: string) => top.find((entry) => entry.key === key)?.value ?? null;
  const config: PosemoConfig = {
    file,
    ...(at("concurrency") ? { concurrency: wholeNumber(at("concurrency"), "concurrency", 1, 1000, reader) } : {}),
    defaults: at("defaults") ? settings(at("defaults"), "defaults", SETTING_KEYS, context) : { checks: {} },
    hosts: at("hosts") ? hostList(at("hosts"), "hosts", context) : [],
    groups: at("groups") ? entries(at("groups"), "groups", reader).map((entry) => group(entry, context)) : [],
    ...(at("checks_dirs")
      ? {
        checksDirs: items(at("checks_dirs"), "checks_dirs", reader).map((n) =>
          resolve(dirname(file), text(n, "checks_dirs", reader))
        ),
      }
      : {}),
  };
  return config;
}
