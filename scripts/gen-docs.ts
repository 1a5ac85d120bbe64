/**
 * Writes docs/checks.md from checks/ (every check: description, scope, rows, columns with types and
 * units, default thresholds, needs, PostgreSQL versions). With `--check`, exits 1 when the file is
 * stale instead of writing it (CI and test/catalogue/docs.test.ts run it that way).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadCatalogue } from "../src/catalogue/load.ts";
import { renderChecksDoc } from "./docs/render-checks.ts";

const root = resolve(import.meta.dirname, "..");
const target = join(root, "docs/checks.md");

if (import.meta.main) {
  const text = renderChecksDoc(loadCatalogue(join(root, "checks")));
  const current = existsSync(target) ? readFileSync(target, "utf8") : "";
  if (process.argv.includes("--check")) {
    if (current !== text) {
      console.error("docs/checks.md is stale: run `bun scripts/gen-docs.ts`");
      process.exit(1);
    }
  } else if (current !== text) {
    writeFileSync(target, text);
    console.log("wrote docs/checks.md");
  }
}
