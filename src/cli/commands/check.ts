/** `posemo check`: flag specification; the body is loaded on demand. @module */
import { buildCommand } from "@stricli/core";
import type { CliContext } from "../context.ts";
import type { TargetFlags } from "../../check/targets.ts";
import { targetAliases, targetFlagSpecs } from "../target-flags.ts";
import type { FormatName } from "../../output/formats.ts";

/**
 * The formats, listed here rather than imported so `--help` does not load every formatter; the type
 * check below fails when formats.ts gains a format this list lacks.
 */
const FORMATS = [
  "nagios",
  "json",
  "text",
  "checkmk",
  "prometheus",
  "zabbix",
  "zabbix-discovery",
] as const satisfies readonly FormatName[];
const allFormatsListed: [Exclude<FormatName, (typeof FORMATS)[number]>] extends [never] ? true : never = true;
void allFormatsListed;

/** Flags of `posemo check`. */
export interface CheckFlags extends TargetFlags {
  readonly format: FormatName;
  readonly warning?: string;
  readonly critical?: string;
  readonly column?: string;
  readonly list: boolean;
  readonly output?: string;
}

export const checkCommand = buildCommand<CheckFlags, [], CliContext>({
  loader: () => import("./check.impl.ts"),
  parameters: {
    flags: {
      ...targetFlagSpecs,
      format: { kind: "enum", values: FORMATS, default: "nagios", brief: "Output format" },
      warning: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "range",
        brief: "Warning range (Nagios syntax: 10, 10:, ~:10, 10:20, @10:20); one check only",
      },
      critical: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "range",
        brief: "Critical range (Nagios syntax); one check only",
      },
      column: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "name",
        brief: "Column -w/-c judge [the check's judged column]",
      },
      list: { kind: "boolean", default: false, brief: "List the catalogue and exit" },
      output: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "file",
        brief: "Write the output to this file atomically instead of standard output",
      },
    },
    aliases: { ...targetAliases, w: "warning", c: "critical" },
  },
  docs: { brief: "Run checks as the monitoring role and exit with the Nagios status" },
});
