/** `posemo checks new` and `posemo checks test`: writing a custom check. The bodies load on demand. @module */
import { buildCommand, buildRouteMap } from "@stricli/core";
import type { CliContext } from "../context.ts";
import type { ConnectionFlags } from "../../config/connection.ts";
import { connectionAliases, connectionFlagSpecs } from "../connection-flags.ts";

/** Flags of `posemo checks new`. */
export interface ChecksNewFlags {
  readonly dir: string;
}

/** Flags of `posemo checks test`. */
export type ChecksTestFlags = ConnectionFlags;

const newCommand = buildCommand<ChecksNewFlags, [string], CliContext>({
  loader: () => import("./checks-new.impl.ts"),
  parameters: {
    flags: {
      dir: {
        kind: "parsed",
        parse: String,
        default: ".",
        placeholder: "dir",
        brief: "Directory to create the check's folder in",
      },
    },
    positional: {
      kind: "tuple",
      parameters: [{
        brief: "Check name (snake_case: the folder, function and perfdata name)",
        parse: String,
        placeholder: "name",
      }],
    },
  },
  docs: { brief: "Create a folder with a commented check.yaml and a pg12.sql to start a custom check from" },
});

const testCommand = buildCommand<ChecksTestFlags, [string], CliContext>({
  loader: () => import("./checks-test.impl.ts"),
  parameters: {
    flags: { ...connectionFlagSpecs },
    aliases: connectionAliases,
    positional: {
      kind: "tuple",
      parameters: [{
        brief: "A checks directory (one folder per check) or one check's folder",
        parse: String,
        placeholder: "dir",
      }],
    },
  },
  docs: {
    brief:
      "Install custom checks into throwaway roles and schema, run them as the monitoring role, print every format, roll back (as a superuser)",
  },
});

export const checksCommand = buildRouteMap({
  routes: { new: newCommand, test: testCommand },
  docs: { brief: "Write your own checks" },
});
