/** `posemo serve-metrics`: flag specification; the body is loaded on demand. @module */
import { buildCommand } from "@stricli/core";
import type { CliContext } from "../context.ts";
import { connectionAliases, connectionFlagSpecs, type ConnectionFlags } from "../connection-flags.ts";
import { parseConcurrency, parseDurationMs, parseNameList } from "../parsers.ts";
import { parseListenAddress } from "../serve-logs-parsers.ts";

/** Flags of `posemo serve-metrics`. */
export interface ServeMetricsFlags extends ConnectionFlags {
  readonly listen: { readonly hostname: string; readonly port: number };
  readonly minInterval: number;
  readonly check: readonly string[];
  /** Statement timeout; unset: the configuration file's, else 10 s. */
  readonly timeout?: number;
  readonly schema?: string;
  readonly config?: string;
  readonly hostName?: readonly string[];
  readonly group?: readonly string[];
  readonly concurrency?: number;
}

/** `posemo serve-metrics`: Prometheus metrics over HTTP, checks run at most every --min-interval. */
export const serveMetricsCommand = buildCommand<ServeMetricsFlags, [], CliContext>({
  loader: () => import("./serve-metrics.impl.ts"),
  parameters: {
    flags: {
      ...connectionFlagSpecs,
      listen: { kind: "parsed", parse: parseListenAddress, placeholder: "host:port", brief: "Serve /metrics and /healthz here (port 0: any; the URL is printed on stdout)" },
      minInterval: { kind: "parsed", parse: parseDurationMs, default: "10s", placeholder: "duration", brief: "Run the checks at most this often; scrapes in between get the last result" },
      check: { kind: "parsed", parse: parseNameList, default: "all", placeholder: "name,...|all", brief: "Checks to run (all: those the configuration leaves enabled)" },
      timeout: { kind: "parsed", parse: parseDurationMs, optional: true, placeholder: "seconds", brief: "Statement timeout for each check [config timeout, 10s]" },
      schema: { kind: "parsed", parse: String, optional: true, placeholder: "name", brief: "Schema that holds the posemo functions [config schema, posemo]" },
      config: { kind: "parsed", parse: String, optional: true, placeholder: "file", brief: "Configuration file [./posemo.yaml, ~/.config/posemo/posemo.yaml, /etc/posemo/posemo.yaml]" },
      hostName: { kind: "parsed", parse: parseNameList, optional: true, placeholder: "name,...", brief: "Check only these configured hosts" },
      group: { kind: "parsed", parse: parseNameList, optional: true, placeholder: "group,...", brief: "Check only the hosts of these configured groups" },
      concurrency: { kind: "parsed", parse: parseConcurrency, optional: true, placeholder: "n", brief: "Hosts checked at once [config concurrency, 8]" },
    },
    aliases: { ...connectionAliases, t: "timeout" },
  },
  docs: { brief: "Serve the checks as Prometheus metrics, running them at most every --min-interval" },
});
