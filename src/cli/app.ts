/**
 * The command tree. Each command's body is loaded on demand so `--help` and `--version` start without
 * loading postgres.js or hono.
 * @module
 */
import { buildApplication, buildRouteMap, help, text_en, version } from "@stricli/core";
import type { CliContext } from "./context.ts";
import { describeArgumentError, describeError, exitCodeFor } from "./exit-code.ts";
import { checkCommand } from "./commands/check.ts";
import { configCheckCommand } from "./commands/config-check.ts";
import { installCommand } from "./commands/install.ts";
import { checksCommand } from "./commands/checks.ts";
import { serveLogsCommand } from "./commands/serve-logs.ts";
import { serveMetricsCommand } from "./commands/serve-metrics.ts";
import { fakeLogplexdCommand } from "./commands/fake-logplexd.ts";
import { POSEMO_VERSION_LINE } from "../version.ts";

const root = buildRouteMap({
  routes: {
    install: installCommand,
    check: checkCommand,
    checks: checksCommand,
    config: buildRouteMap({
      routes: { check: configCheckCommand },
      docs: { brief: "Work with the configuration file" },
    }),
    "serve-logs": serveLogsCommand,
    "serve-metrics": serveMetricsCommand,
    "fake-logplexd": fakeLogplexdCommand,
  },
  docs: { brief: "PostgreSQL secure monitoring and log forwarding" },
});

/**
 * The application; `-h` is help and `-V` the version, as the Nagios plugin guidelines ask. An error a
 * command throws is printed by `describeError` and exits with `exitCodeFor` (src/cli/exit-code.ts).
 */
export const app = buildApplication<CliContext>(
  root,
  {
    name: "posemo",
    scanner: { caseStyle: "allow-kebab-for-camel" },
    documentation: { caseStyle: "convert-camel-to-kebab", useAliasInUsageLine: true },
    determineExitCode: exitCodeFor,
    localization: {
      text: {
        ...text_en,
        exceptionWhileParsingArguments: (error, color) =>
          describeArgumentError(error, (other) => text_en.exceptionWhileParsingArguments(other, color)),
        exceptionWhileRunningCommand: (error, color) =>
          describeError(error, (bug) => text_en.exceptionWhileRunningCommand(bug, color)),
      },
    },
  },
  {
    help: help({
      alias: "h",
      brief: "Print help information and exit",
      formatting: { caseStyle: "convert-camel-to-kebab", useAliasInUsageLine: true, onlyRequiredInUsageLine: false },
    }),
    version: version({
      alias: "V",
      brief: "Print the version and exit",
      info: { currentVersion: POSEMO_VERSION_LINE },
    }),
  },
);
