/**
 * Zabbix: low-level discovery JSON (`zabbix-discovery`) and zabbix_sender input (`zabbix`), both
 * matching the template in docs/integrations/zabbix/ (generated from the catalogue by
 * scripts/gen-zabbix-template.ts).
 *
 * Discovery is the plain JSON array Zabbix documents since 4.2 (no `{"data": …}` wrapper), one object
 * per row of a multi-row check: `{"{#HOST}", "{#CHECK}", "{#ROW}"}`. The sender input holds, per host,
 * that discovery (item `posemo.discovery`, the master of the template's per-check discovery rules),
 * `posemo.up`, `posemo.status["check"]` (0-3), `posemo.message["check"]` and one
 * `posemo.value["check","row","column"]` per value (row "" for single-row checks), in the check's own
 * unit (the template's preprocessing turns ms into seconds and counters into rates). Pure.
 * @module
 */
import { type FleetReport, type HostReport, type Measurement, STATUS_CODES } from "../check/result.ts";
import { printable, printableNoBackslash } from "../safe-text.ts";

/** How hosts are named in sender lines. */
export interface ZabbixOptions {
  /**
   * Host name for every line; default: `-` for a fleet of one (zabbix_sender then takes `-s` or the
   * agent configuration's Hostname), each host's configured name otherwise.
   */
  readonly host?: string;
}

/** One low-level discovery row. */
export interface DiscoveryRow {
  readonly "{#HOST}": string;
  readonly "{#CHECK}": string;
  readonly "{#ROW}": string;
}

/** An item key parameter, always quoted, `"` escaped as Zabbix item keys require. */
export function keyParameter(value: string): string {
  return `"${value.replace(/"/g, '\\"')}"`;
}

/** `name["p1","p2",...]`. */
export function itemKey(name: string, ...parameters: readonly string[]): string {
  return parameters.length === 0 ? name : `${name}[${parameters.map(keyParameter).join(",")}]`;
}

/** The key of one value: `posemo.value["check","row","column"]`. */
export function valueKey(check: string, row: string, column: string): string {
  return itemKey("posemo.value", check, row, column);
}

/**
 * A row title as it goes into item keys (and so into {#ROW}, which the template puts in keys):
 * control characters and backslashes as `\xNN`, so a key is one line and never ends in the `\` that
 * would escape its closing quote. Injective: two rows never share a key.
 */
export function keyRow(title: string): string {
  return printableNoBackslash(title);
}

/** Discovery rows of one host: each titled row of each check, once. */
export function discoveryRows(host: HostReport): DiscoveryRow[] {
  const rows: DiscoveryRow[] = [];
  for (const result of host.report.results) {
    const titles = new Set(result.measurements.flatMap((m) => (m.title === undefined ? [] : [keyRow(m.title)])));
    for (const title of titles) rows.push({ "{#HOST}": host.name, "{#CHECK}": result.name, "{#ROW}": title });
  }
  return rows;
}

/** Renders the discovery rows of every host as one LLD JSON array (ends with a newline). */
export function formatZabbixDiscovery(fleet: FleetReport): string {
  return JSON.stringify(fleet.hosts.flatMap(discoveryRows)) + "\n";
}

/** A zabbix_sender input field: bare when it can be, else quoted with `"` and `\` escaped. */
export function senderField(value: string): string {
  return value !== "" && /^[^\s"\\]+$/.test(value) ? value : `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function senderValue(m: Measurement): string | undefined {
  if (m.value === null) return undefined;
  return typeof m.value === "boolean" ? (m.value ? "1" : "0") : String(m.value);
}

function hostLines(host: HostReport, name: string): string[] {
  const line = (key: string, value: string) => `${senderField(name)} ${senderField(key)} ${senderField(value)}`;
  const lines = [
    line("posemo.discovery", JSON.stringify(discoveryRows(host))),
    line("posemo.up", host.report.serverVersion !== undefined ? "1" : "0"),
  ];
  for (const result of host.report.results) {
    lines.push(line(itemKey("posemo.status", result.name), String(STATUS_CODES[result.status])));
    lines.push(line(itemKey("posemo.message", result.name), printable(result.message.replace(/\r?\n/g, " "))));
    for (const m of result.measurements) {
      const value = senderValue(m);
      if (value !== undefined) lines.push(line(valueKey(result.name, keyRow(m.title ?? ""), m.column), value));
    }
  }
  return lines;
}

/** Renders a fleet as zabbix_sender input (`zabbix_sender -z SERVER -i FILE`), ending with a newline. */
export function formatZabbix(fleet: FleetReport, options: ZabbixOptions = {}): string {
  const single = fleet.hosts.length === 1;
  const lines = fleet.hosts.flatMap((host) => hostLines(host, options.host ?? (single ? "-" : host.name)));
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}
