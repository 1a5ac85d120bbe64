/** `posemo check`: flag specification; the body is loaded on demand. @module */
import { buildCommand } from "@stricli/core";
import type { CliContext } from "../context.ts";
import { connectionAliases, connectionFlagSpecs, type ConnectionFlags } from "../connection-flags.ts";
import { parseConcurrency, parseDurationMs, parseNameList } from "../parsers.ts";
import type { FormatName } from "../../output/formats.ts";

/**
 * The formats, listed here rather than imported so `--help` does not load every formatter; the type
 * check below fails when formats.ts gains a format this list lacks.
 */
const FORMATS = ["nagios", "json", "text", "checkmk", "prometheus", "zabbix", "zabbix-discovery"] as const satisfies readonly FormatName[];
const allFormatsListed: [Exclude<FormatName, (typeof FORMATS)[number]>] extends [never] ? true : never = true;
void allFormatsListed;

/** Flags of `posemo check`. */
export interface CheckFlags extends ConnectionFlags {
  readonly check: readonly string[];
  readonly format: FormatName;
  readonly warning?: string;
  readonly critical?: string;
  /** Statement timeout; unset: the configuration file's, else 10 s. */
  readonly timeout?: number;
  readonly list: boolean;
  /** unset: the configuration file's, else `posemo`. */
  readonly schema?: string;
  readonly config?: string;
  readonly hostName?: readonly string[];
  readonly group?: readonly string[];
  readonly concurrency?: number;
  readonly output?: string;
}

export const checkCommand = buildCommand<CheckFlags, [], CliContext>({
  loader: () => import("./check.impl.ts"),
  parameters: {
    flags: {
      ...connectionFlagSpecs,
      check: { kind: "parsed", parse: parseNameList, default: "all", placeholder: "name,...|all", brief: "Checks to run (all: those the configuration leaves enabled)" },
      format: { kind: "enum", values: FORMATS, default: "nagios", brief: "Output format" },
      warning: { kind: "parsed", parse: String, optional: true, placeholder: "range", brief: "Warning range (Nagios syntax: 10, 10:, ~:10, 10:20, @10:20); one check only" },
      critical: { kind: "parsed", parse: String, optional: true, placeholder: "range", brief: "Critical range (Nagios syntax); one check only" },
      timeout: { kind: "parsed", parse: parseDurationMs, optional: true, placeholder: "seconds", brief: "Statement timeout for each check [config timeout, 10s]" },
      list: { kind: "boolean", default: false, brief: "List the catalogue and exit" },
      schema: { kind: "parsed", parse: String, optional: true, placeholder: "name", brief: "Schema that holds the posemo functions [config schema, posemo]" },
      config: { kind: "parsed", parse: String, optional: true, placeholder: "file", brief: "Configuration file [./posemo.yaml, ~/.config/posemo/posemo.yaml, /etc/posemo/posemo.yaml]" },
      hostName: { kind: "parsed", parse: parseNameList, optional: true, placeholder: "name,...", brief: "Check only these configured hosts" },
      group: { kind: "parsed", parse: parseNameList, optional: true, placeholder: "group,...", brief: "Check only the hosts of these configured groups" },
      concurrency: { kind: "parsed", parse: parseConcurrency, optional: true, placeholder: "n", brief: "Hosts checked at once [config concurrency, 8]" },
      output: { kind: "parsed", parse: String, optional: true, placeholder: "file", brief: "Write the output to this file atomically instead of standard output" },
    },
    aliases: { ...connectionAliases, w: "warning", c: "critical", t: "timeout" },
  },
  docs: { brief: "Run checks as the monitoring role and exit with the Nagios status" },
});
