/** `posemo check`: flag specification; the body is loaded on demand. @module */
import { buildCommand } from "@stricli/core";
import type { CliContext } from "../context.ts";
import { connectionAliases, connectionFlagSpecs, type ConnectionFlags } from "../connection-flags.ts";
import { parseDurationMs, parseNameList } from "../parsers.ts";

/** Flags of `posemo check`. */
export interface CheckFlags extends ConnectionFlags {
  readonly check: readonly string[];
  readonly format: "nagios" | "json";
  readonly warning?: string;
  readonly critical?: string;
  readonly timeout: number;
  readonly list: boolean;
  readonly schema: string;
}

export const checkCommand = buildCommand<CheckFlags, [], CliContext>({
  loader: () => import("./check.impl.ts"),
  parameters: {
    flags: {
      ...connectionFlagSpecs,
      check: { kind: "parsed", parse: parseNameList, default: "all", placeholder: "name,...|all", brief: "Checks to run" },
      format: { kind: "enum", values: ["nagios", "json"], default: "nagios", brief: "Output format" },
      warning: { kind: "parsed", parse: String, optional: true, placeholder: "range", brief: "Warning range (Nagios syntax: 10, 10:, ~:10, 10:20, @10:20); one check only" },
      critical: { kind: "parsed", parse: String, optional: true, placeholder: "range", brief: "Critical range (Nagios syntax); one check only" },
      timeout: { kind: "parsed", parse: parseDurationMs, default: "10", placeholder: "seconds", brief: "Statement timeout for each check" },
      list: { kind: "boolean", default: false, brief: "List the catalogue and exit" },
      schema: { kind: "parsed", parse: String, default: "posemo", placeholder: "name", brief: "Schema that holds the posemo functions" },
    },
    aliases: { ...connectionAliases, w: "warning", c: "critical", t: "timeout" },
  },
  docs: { brief: "Run checks as the monitoring role and exit with the Nagios status" },
});
