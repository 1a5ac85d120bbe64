/**
 * What one configured host runs and how each check is judged, from its merged check settings.
 * Precedence for a check's own ranges: `-w`/`-c` on the command line, then the configuration file,
 * then the catalogue's defaults; per-column and per-row ranges come from the file only.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import type { Thresholds } from "../catalogue/cell-thresholds.ts";
import type { CheckSettings } from "./parse-checks.ts";
import type { ArgumentValues } from "./check-arguments.ts";
import type { CellOverrides, Ranges } from "../catalogue/cell-thresholds.ts";

/** The checks one host runs and the thresholds lookup for them. */
export interface HostCheckPlan {
  readonly checks: readonly CheckDefinition[];
  /** Run what is installed and skip the rest (`--check all`), rather than report it missing. */
  readonly all: boolean;
  readonly thresholds: (check: CheckDefinition) => Thresholds;
  /** Values for the check function's arguments: the file's, then `--arg`. */
  readonly arguments: (check: CheckDefinition) => ArgumentValues;
}

/** The command line's choices that apply to every host. */
export interface CommandLineChecks {
  /** The catalogue selection of `--check` (all, or the names given). */
  readonly checks: readonly CheckDefinition[];
  readonly all: boolean;
  /** Catalogue defaults per check. */
  readonly defaults: (check: CheckDefinition) => Thresholds;
  /** Ranges from -w/-c, when given. */
  readonly flags: Thresholds;
  /** Argument values from `--arg`, per check. */
  readonly arguments?: (check: CheckDefinition) => ArgumentValues;
}

function fileThresholds(settings: CheckSettings | undefined): Thresholds {
  if (!settings) return {};
  const cells = {
    ...(settings.columns ? { columns: settings.columns } : {}),
    ...(settings.rows ? { rows: settings.rows } : {}),
  };
  return {
    ...(settings.warning ? { warning: settings.warning } : {}),
    ...(settings.critical ? { critical: settings.critical } : {}),
    ...(settings.columns || settings.rows ? { cells } : {}),
  };
}

function mergeRanges(under: Ranges | undefined, over: Ranges | undefined): Ranges {
  return { ...under, ...over };
}

/** The file's per-column ranges over the catalogue's per-column defaults, level by level. */
function mergeCells(under: CellOverrides | undefined, over: CellOverrides | undefined): CellOverrides | undefined {
  if (!under?.columns) return over;
  const names = new Set([...Object.keys(under.columns), ...Object.keys(over?.columns ?? {})]);
  const columns = Object.fromEntries([...names].map((n) => [n, mergeRanges(under.columns?.[n], over?.columns?.[n])]));
  return { ...over, columns };
}

/** Defaults, then the file, then the flags; per-column defaults survive a file that sets other cells. */
function withCells(defaults: Thresholds, file: Thresholds, flags: Thresholds): Thresholds {
  const cells = mergeCells(defaults.cells, file.cells);
  return { ...defaults, ...file, ...flags, ...(cells ? { cells } : {}) };
}

/**
 * The plan for one host. With `--check all` the host runs every check its settings leave enabled;
 * checks named on the command line run even where the file disables them (the command line wins).
 */
export function hostCheckPlan(
  commandLine: CommandLineChecks,
  settings: Readonly<Record<string, CheckSettings>>,
): HostCheckPlan {
  const checks = commandLine.all
    ? commandLine.checks.filter((c) => settings[c.name]?.enabled !== false)
    : commandLine.checks;
  return {
    checks,
    all: commandLine.all,
    thresholds: (check) =>
      withCells(commandLine.defaults(check), fileThresholds(settings[check.name]), commandLine.flags),
    arguments: (check) => ({ ...settings[check.name]?.arguments, ...commandLine.arguments?.(check) }),
  };
}
