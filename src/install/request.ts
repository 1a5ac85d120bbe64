/**
 * What the install command is asked to do and where its output goes: the input of the flow in
 * install.ts and of the per-database planning in database-plan.ts.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import type { InstallNames } from "./quote.ts";

/** What the install command was asked to do. */
export interface InstallRequest {
  readonly names: InstallNames;
  readonly version: string;
  readonly only?: readonly string[];
  readonly monitoringVerifier?: string;
  readonly createDatabase: boolean;
  readonly dryRun: boolean;
  readonly uninstall: boolean;
  readonly dropRoles: boolean;
  /** The checks to install: the built-in catalogue with the `--checks-dir` checks added. */
  readonly catalogue: readonly CheckDefinition[];
}

/** Where output goes: `print` to standard output, `warn` one line to standard error. */
export interface InstallOutput {
  print(text: string): void;
  warn(line: string): void;
}
