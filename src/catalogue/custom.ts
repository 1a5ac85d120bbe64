/**
 * A DBA's own checks: folders like `checks/<name>/` in one or more `--checks-dir` directories, loaded
 * by the same loader as the built-in catalogue. Names must be unique across the directories, and a
 * custom check may take a built-in check's name only when it says so (`replaces_builtin: true`).
 * @module
 */
import { basename, dirname, join } from "node:path";
import type { CheckDefinition } from "./definition.ts";
import { loadCatalogue, loadCheckFolder } from "./load.ts";
import { CatalogueError } from "./parse.ts";

function refuseClash(
  check: CheckDefinition,
  dir: string,
  seen: Map<string, string>,
  builtIn: readonly CheckDefinition[],
): void {
  const file = join(dir, check.name, "check.yaml");
  const earlier = seen.get(check.name);
  if (earlier) {
    throw new CatalogueError(`check "${check.name}" is also defined in ${earlier}: a check name must be unique`, file);
  }
  const shadows = builtIn.some((b) => b.name === check.name);
  if (shadows && !check.replacesBuiltin) {
    throw new CatalogueError(
      `"${check.name}" is a built-in check: rename the folder, or add replaces_builtin: true to replace the built-in one`,
      file,
    );
  }
  if (!shadows && check.replacesBuiltin) {
    throw new CatalogueError(`replaces_builtin: true, but there is no built-in check "${check.name}"`, file);
  }
}

/** Loads the custom checks of every directory, in order; throws CatalogueError (file:line) on the first problem. */
export function loadCustomChecks(dirs: readonly string[], builtIn: readonly CheckDefinition[]): CheckDefinition[] {
  const seen = new Map<string, string>();
  const checks: CheckDefinition[] = [];
  for (const dir of dirs) {
    for (const check of loadCatalogue(dir, true)) {
      refuseClash(check, dir, seen, builtIn);
      seen.set(check.name, join(dir, check.name));
      checks.push(check);
    }
  }
  return checks;
}

/** The built-in catalogue with the custom checks added (a replacing check takes its built-in's place). */
export function withCustomChecks(
  builtIn: readonly CheckDefinition[],
  custom: readonly CheckDefinition[],
): CheckDefinition[] {
  const names = new Set(custom.map((c) => c.name));
  return [...builtIn.filter((b) => !names.has(b.name)), ...custom].sort((
    a,
    b,
  ) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One custom check's folder (`checks test dir/name`), under the same rules. */
export function loadCustomFolder(folder: string, builtIn: readonly CheckDefinition[]): CheckDefinition {
  const check = loadCheckFolder(folder, basename(folder), true);
  refuseClash(check, dirname(folder), new Map(), builtIn);
  return check;
}
