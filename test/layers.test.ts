/**
 * The source tree's layers import downward only: an area may import from the areas below it, never
 * from one above it or beside it. Reading the tree top-down is then reading the program top-down:
 * cli → metrics, fake-logplexd → check's users (install, output, logs) → check → config → catalogue →
 * db, http → errors.ts, version.ts, safe-text.ts.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../src");

/** Each area of src/ and its layer, bottom (0) to top. */
const LAYER: Readonly<Record<string, number>> = {
  "errors.ts": 0,
  "version.ts": 0,
  "yaml-reader.ts": 0,
  "safe-text.ts": 0,
  db: 1,
  http: 1,
  catalogue: 2,
  config: 3,
  check: 4,
  install: 5,
  output: 5,
  logs: 5,
  metrics: 6,
  "fake-logplexd": 6,
  cli: 7,
};

const IMPORT = /(?:import|export)\s[^"']*?from\s+["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The area of a file under src/: its first path segment. */
function areaOf(file: string): string {
  return relative(SRC, file).split("/")[0]!;
}

/** Every import of `file` that goes up or sideways, as `from -> to`. */
function upwardImports(file: string, text: string): string[] {
  const from = areaOf(file);
  return [...text.matchAll(IMPORT)]
    .map((match) => resolve(dirname(file), (match[1] ?? match[2])!))
    .filter((target) => target.startsWith(SRC + "/"))
    .filter((target) => areaOf(target) !== from && !(LAYER[areaOf(target)]! < LAYER[from]!))
    .map((target) => `${relative(SRC, file)} -> ${relative(SRC, target)}`);
}

describe("src/ layers", () => {
  test("every area of src/ has a layer", () => {
    const areas = readdirSync(SRC);
    expect(areas.filter((area) => LAYER[area] === undefined)).toEqual([]);
  });

  test("no module imports from its own layer's neighbours or from above", () => {
    const violations = sourceFiles(SRC).flatMap((file) => upwardImports(file, readFileSync(file, "utf8")));
    expect(violations).toEqual([]);
  });

  test("the check itself sees an upward import", () => {
    const file = join(SRC, "config/example.ts");
    expect(upwardImports(file, 'import { UserError } from "../cli/user-error.ts";\nimport { x } from "./y.ts";'))
      .toEqual([
        "config/example.ts -> cli/user-error.ts",
      ]);
  });
});
