/** `posemo install`: flag specification; the body is loaded on demand. @module */
import { buildCommand } from "@stricli/core";
import type { CliContext } from "../context.ts";
import type { ConnectionFlags } from "../../config/connection.ts";
import { connectionAliases, connectionFlagSpecs } from "../connection-flags.ts";
import { parseIdentifier, parseNameList, parseServerVersion } from "../parsers.ts";

/** Flags of `posemo install`. */
export interface InstallFlags extends ConnectionFlags {
  readonly schema: string;
  readonly ownerRole: string;
  readonly monitoringRole: string;
  readonly monitoringPasswordFile?: string;
  readonly database: string;
  readonly createDatabase: boolean;
  readonly checks?: readonly string[];
  readonly dryRun: boolean;
  readonly serverVersion?: number;
  readonly uninstall: boolean;
  readonly dropRoles: boolean;
  readonly checksDir?: readonly string[];
  readonly config?: string;
}

export const installCommand = buildCommand<InstallFlags, [], CliContext>({
  loader: () => import("./install.impl.ts"),
  parameters: {
    flags: {
      ...connectionFlagSpecs,
      schema: {
        kind: "parsed",
        parse: parseIdentifier,
        default: "posemo",
        placeholder: "name",
        brief: "Schema for the posemo functions",
      },
      ownerRole: {
        kind: "parsed",
        parse: parseIdentifier,
        default: "posemo_admin",
        placeholder: "role",
        brief: "NOLOGIN role that owns the functions",
      },
      monitoringRole: {
        kind: "parsed",
        parse: parseIdentifier,
        default: "posemo",
        placeholder: "role",
        brief: "LOGIN role allowed to call the functions",
      },
      monitoringPasswordFile: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "file",
        brief: "Set the monitoring role's password from this file",
      },
      database: {
        kind: "parsed",
        parse: parseIdentifier,
        default: "posemo",
        placeholder: "db",
        brief: "Database to install into",
      },
      createDatabase: { kind: "boolean", default: false, brief: "Create the database if it does not exist" },
      checks: {
        kind: "parsed",
        parse: parseNameList,
        optional: true,
        placeholder: "a,b",
        brief: "Install only these checks (default: all)",
      },
      dryRun: { kind: "boolean", default: false, brief: "Print the SQL instead of running it" },
      serverVersion: {
        kind: "parsed",
        parse: parseServerVersion,
        optional: true,
        placeholder: "major",
        brief: "With --dry-run: plan for this PostgreSQL major without connecting",
      },
      uninstall: { kind: "boolean", default: false, brief: "Remove everything posemo installed" },
      dropRoles: {
        kind: "boolean",
        default: false,
        brief: "With --uninstall: drop the owner and monitoring roles too",
      },
      config: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "file",
        brief:
          "Configuration file whose checks_dirs lists custom check directories [./posemo.yaml, ~/.config/posemo/posemo.yaml, /etc/posemo/posemo.yaml]",
      },
      checksDir: {
        kind: "parsed",
        parse: String,
        variadic: true,
        optional: true,
        placeholder: "dir",
        brief: "Also install the custom checks (one folder each, like checks/<name>/) in this directory (repeatable)",
      },
    },
    aliases: connectionAliases,
  },
  docs: { brief: "Install, upgrade or remove the monitoring functions (as a superuser)" },
});
