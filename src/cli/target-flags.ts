/**
 * The flags that say which hosts and checks to run, shared by `check` and `serve-metrics` (which
 * runs the same checks on each scrape): the connection flags plus check selection, timeout, schema,
 * configuration file and host selection.
 * @module
 */
import { connectionAliases, connectionFlagSpecs } from "./connection-flags.ts";
import { parseDurationMs } from "../config/duration.ts";
import { parseConcurrency, parseIdentifier, parseNameList } from "./parsers.ts";

export const targetFlagSpecs = {
  ...connectionFlagSpecs,
  check: {
    kind: "parsed",
    parse: parseNameList,
    default: "all",
    placeholder: "name,...|all",
    brief: "Checks to run (all: those the configuration leaves enabled)",
  },
  timeout: {
    kind: "parsed",
    parse: parseDurationMs,
    optional: true,
    placeholder: "seconds",
    brief: "Statement timeout for each check [config timeout, 10s]",
  },
  schema: {
    kind: "parsed",
    parse: parseIdentifier,
    optional: true,
    placeholder: "name",
    brief: "Schema that holds the posemo functions [config schema, posemo]",
  },
  config: {
    kind: "parsed",
    parse: String,
    optional: true,
    placeholder: "file",
    brief: "Configuration file [./posemo.yaml, ~/.config/posemo/posemo.yaml, /etc/posemo/posemo.yaml]",
  },
  hostName: {
    kind: "parsed",
    parse: parseNameList,
    optional: true,
    placeholder: "name,...",
    brief: "Check only these configured hosts",
  },
  group: {
    kind: "parsed",
    parse: parseNameList,
    optional: true,
    placeholder: "group,...",
    brief: "Check only the hosts of these configured groups",
  },
  concurrency: {
    kind: "parsed",
    parse: parseConcurrency,
    optional: true,
    placeholder: "n",
    brief: "Hosts checked at once [config concurrency, 8]",
  },
  arg: {
    kind: "parsed",
    parse: String,
    variadic: true,
    optional: true,
    placeholder: "[check.]name=value",
    brief: "Set a check argument, e.g. --arg min_size=10MB or --arg table_bloat.top_n=20 (repeatable)",
  },
} as const;

export const targetAliases = { ...connectionAliases, t: "timeout" } as const;
