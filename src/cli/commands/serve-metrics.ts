/** `posemo serve-metrics`: flag specification; the body is loaded on demand. @module */
import { buildCommand } from "@stricli/core";
import type { CliContext } from "../context.ts";
import type { TargetFlags } from "../../check/targets.ts";
import { targetAliases, targetFlagSpecs } from "../target-flags.ts";
import { parseDurationMs } from "../../config/duration.ts";
import { parseListenAddress } from "../serve-logs-parsers.ts";

/** Flags of `posemo serve-metrics`. */
export interface ServeMetricsFlags extends TargetFlags {
  readonly listen: { readonly hostname: string; readonly port: number };
  readonly minInterval: number;
}

/** `posemo serve-metrics`: Prometheus metrics over HTTP, checks run at most every --min-interval. */
export const serveMetricsCommand = buildCommand<ServeMetricsFlags, [], CliContext>({
  loader: () => import("./serve-metrics.impl.ts"),
  parameters: {
    flags: {
      ...targetFlagSpecs,
      listen: {
        kind: "parsed",
        parse: parseListenAddress,
        placeholder: "host:port",
        brief: "Serve /metrics and /healthz here (port 0: any; the URL is printed on stdout)",
      },
      minInterval: {
        kind: "parsed",
        parse: parseDurationMs,
        default: "10s",
        placeholder: "duration",
        brief: "Run the checks at most this often; scrapes in between get the last result",
      },
    },
    aliases: targetAliases,
  },
  docs: { brief: "Serve the checks as Prometheus metrics, running them at most every --min-interval" },
});
