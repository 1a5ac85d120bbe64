/**
 * docs/checks.md is generated from checks/ (scripts/gen-docs.ts): it must be fresh, and it must
 * document every check with what an operator needs to know.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import type { CheckDefinition } from "../../src/catalogue/definition.ts";
import { loadCatalogue } from "../../src/catalogue/load.ts";
import { renderChecksDoc, variantSpans } from "../../scripts/docs/render-checks.ts";

const root = resolve(import.meta.dir, "../..");

function section(doc: string, name: string): string {
  const start = doc.indexOf(`\n## ${name}\n`);
  if (start < 0) throw new Error(`no section for ${name}`);
  const end = doc.indexOf("\n## ", start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

const base: CheckDefinition = {
  name: "demo_check",
  description: "Demo. Second sentence.",
  unit: "s",
  arguments: [],
  counter: false,
  writes: false,
  role: "any",
  scope: "cluster",
  language: "sql",
  columns: [{ name: "lag", type: "double precision" }, { name: "size", type: "bigint", unit: "B" }, {
    name: "unknown_reason",
    type: "text",
  }],
  thresholds: { columns: ["lag"], warning: "60", critical: "300" },
  variants: [{ minMajor: 12, body: "SELECT 1", hash: "a" }, { minMajor: 15, body: "SELECT 2", hash: "b" }, {
    minMajor: 17,
    body: "SELECT 3",
    hash: "c",
  }],
};

describe("docs/checks.md", () => {
  // In process: what `scripts/gen-docs.ts --check` compares (CI's smoke step runs the script itself).
  test("is fresh (what scripts/gen-docs.ts writes)", () => {
    const committed = readFileSync(join(root, "docs/checks.md"), "utf8");
    const fresh = committed === renderChecksDoc(loadCatalogue(join(root, "checks")));
    expect(fresh ? "fresh" : "stale: run npm run gen").toBe("fresh");
  });

  test.each(catalogue.map((c) => [c.name, c]))(
    "documents %s: description, scope, versions, thresholds, needs, every column",
    (name, check) => {
      const text = section(readFileSync(join(root, "docs/checks.md"), "utf8"), name);
      expect(text).toContain(check.description.replace(/\s+/g, " ").trim());
      expect(text).toContain(`| Scope | ${check.scope} |`);
      expect(text).toMatch(/\| PostgreSQL \| \d+-18/);
      expect(text).toContain("| Default thresholds | ");
      expect(text).toContain("| Needs | ");
      for (const column of check.columns) expect(text).toContain(`| \`${column.name}\` | ${column.type} |`);
    },
  );
});

describe("renderChecksDoc()", () => {
  test("names each SQL variant's majors, the judged column and the units", () => {
    const text = renderChecksDoc([base]);
    expect(variantSpans(base)).toBe("12-14, 15-16, 17-18");
    expect(text).toContain("| PostgreSQL | 12-18; SQL variants for 12-14, 15-16, 17-18 |");
    expect(text).toContain("| Default thresholds | warning `60`, critical `300` on `lag` (seconds) |");
    expect(text).toContain("| `size` | bigint | `B` bytes |");
    expect(text).toContain("| `unknown_reason` | text |  | set: the check is UNKNOWN with this reason |");
  });

  test("says when a check starts later than PostgreSQL 12, what it needs, and its summary row", () => {
    const later: CheckDefinition = {
      ...base,
      needs: "the pg_stat_statements extension",
      titleColumn: "slot",
      scope: "database",
      columns: [{ name: "slot", type: "text" }, ...base.columns],
      variants: [{ minMajor: 16, body: "SELECT '!MAX'::text", hash: "d" }],
    };
    const text = renderChecksDoc([later]);
    expect(text).toContain("| PostgreSQL | 16-18 (not available before 16) |");
    expect(text).toContain("| Needs | the pg_stat_statements extension |");
    expect(text).toContain("| Rows | one row per `slot`, in each database, `!MAX` first |");
  });

  test("escapes a | in a table cell", () => {
    const text = renderChecksDoc([{ ...base, arguments: [{ name: "re", type: "text", default: "a|b" }] }]);
    expect(text).toContain("| Arguments | `re` text = `a\\|b` |");
  });
});
