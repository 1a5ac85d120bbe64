/** What a run of checks on one host is told: which checks, thresholds, arguments, deadline. @module */
import type { CheckDefinition } from "../catalogue/definition.ts";
import type { Thresholds } from "../catalogue/cell-thresholds.ts";
import type { CallArguments } from "./call-sql.ts";

/** What to run and how. */
export interface RunOptions {
  readonly schema: string;
  readonly checks: readonly CheckDefinition[];
  /** `--check all`: run what is installed, skip what is not. */
  readonly all: boolean;
  readonly timeoutMs: number;
  readonly version: string;
  /** Thresholds per check name (defaults or -w/-c). */
  readonly thresholds: (check: CheckDefinition) => Thresholds;
  /** Argument values per check (configuration `arguments:`, `--arg`); unset ones keep the function's defaults. */
  readonly arguments?: (check: CheckDefinition) => CallArguments;
  /**
   * `--check all`, or a run naming checks the binary does not know: the run also asks for the custom
   * checks installed on the server (in the same session, pipelined with the inventory) and runs with
   * the options this returns for them.
   */
  readonly learn?: (custom: readonly CheckDefinition[]) => RunOptions;
}
