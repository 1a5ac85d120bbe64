/**
 * Every output format by name, for `posemo check --format` and `posemo serve-metrics`: a fleet in,
 * the text to print out. A single-host run is a fleet of one. Pure.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import { catalogue as builtInCatalogue } from "../catalogue/catalogue.generated.ts";
import type { FleetReport } from "../check/result.ts";
import { type CheckmkOptions, formatCheckmk } from "./checkmk.ts";
import { formatJson } from "./json.ts";
import { formatNagiosFleet } from "./nagios.ts";
import { formatPrometheus } from "./prometheus.ts";
import { formatText } from "./text.ts";
import { formatZabbix, formatZabbixDiscovery, type ZabbixOptions } from "./zabbix.ts";

/** The format names, in the order `--help` lists them. */
export const FORMATS = ["nagios", "json", "text", "checkmk", "prometheus", "zabbix", "zabbix-discovery"] as const;

/** One of FORMATS. */
export type FormatName = (typeof FORMATS)[number];

/** What some formats need beyond the fleet. */
export interface FormatOptions {
  /** posemo's version, written into the JSON document. */
  readonly posemoVersion: string;
  /** text: ANSI colours (decide with `colorWanted`). @default false */
  readonly color?: boolean;
  /** checkmk: services per row or per check, piggyback, service prefix. */
  readonly checkmk?: CheckmkOptions;
  /** zabbix: the host name of every sender line. */
  readonly zabbix?: ZabbixOptions;
  /** prometheus, checkmk: check definitions (counters, row labels, database rows). @default the built-in catalogue */
  readonly catalogue?: readonly CheckDefinition[];
}

/** True when `name` is a known format. */
export function isFormatName(name: string): name is FormatName {
  return (FORMATS as readonly string[]).includes(name);
}

/** Renders a fleet in the named format (the text ends with a newline, or is empty). */
export function formatFleet(format: FormatName, fleet: FleetReport, options: FormatOptions): string {
  switch (format) {
    case "nagios":
      return formatNagiosFleet(fleet);
    case "json":
      return formatJson(fleet, options.posemoVersion);
    case "text":
      return formatText(fleet, { color: options.color ?? false });
    case "checkmk":
      return formatCheckmk(fleet, { catalogue: options.catalogue ?? builtInCatalogue, ...options.checkmk });
    case "prometheus":
      return formatPrometheus(fleet, { catalogue: options.catalogue ?? builtInCatalogue });
    case "zabbix":
      return formatZabbix(fleet, options.zabbix);
    case "zabbix-discovery":
      return formatZabbixDiscovery(fleet);
  }
}
