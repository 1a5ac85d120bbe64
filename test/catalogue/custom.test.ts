/**
 * Custom check folders through the one loader: the README's "Writing a check" example and the
 * `checks new` scaffold load; declared privileges parse into name parts or are refused at their line;
 * names unique, no silent shadowing.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { loadCustomChecks } from "../../src/catalogue/custom.ts";
import { scaffoldFiles } from "../../src/catalogue/scaffold.ts";

const work = mkdtempSync(join(tmpdir(), "posemo-custom-unit-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function folder(dir: string, name: string, files: Record<string, string>): string {
  mkdirSync(join(work, dir, name), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(work, dir, name, file), text);
  return join(work, dir);
}

const readme = await Bun.file(resolve(import.meta.dir, "../../README.md")).text();
const fenced = (lang: string, first: string) =>
  new RegExp("```" + lang + "\\n" + first + "\\n([\\s\\S]*?)```").exec(readme)![1]!;

const minimal = {
  "check.yaml": "description: d\ncolumns:\n  - name: n\n    type: integer\n",
  "pg12.sql": "SELECT 1 AS n",
};

describe("custom check folders", () => {
  test("the README's orders_pending example loads with its privilege", () => {
    const dir = folder("readme", "orders_pending", {
      "check.yaml": fenced("yaml", "# /etc/posemo/checks/orders_pending/check.yaml"),
      "pg12.sql": fenced("sql", "-- /etc/posemo/checks/orders_pending/pg12.sql"),
    });
    const [check] = loadCustomChecks([dir], catalogue);
    expect(check!.privileges).toEqual([{
      privilege: "SELECT",
      kind: "table",
      schema: "public",
      table: "orders",
      ownedBy: "shop",
    }]);
    expect(check!.custom).toBe(true);
  });

  test("the checks new scaffold loads as it is", () => {
    const [check] = loadCustomChecks([folder("scaffold", "my_check", scaffoldFiles("my_check"))], catalogue);
    expect(check!.columns.map((c) => c.name)).toEqual(["value", "unknown_reason"]);
  });

  test("quoted names keep their case and quotes; anything else is refused at its line", () => {
    const yaml = (privilege: string) =>
      `description: d\ncolumns:\n  - name: n\n    type: integer\nprivileges:\n  - ${privilege}\n`;
    const [quoted] = loadCustomChecks([
      folder("quoted", "q", { "check.yaml": yaml('select: \'"Shop"."Or""ders"\''), "pg12.sql": "SELECT 1 AS n" }),
    ], catalogue);
    expect(quoted!.privileges![0]).toMatchObject({ schema: "Shop", table: 'Or"ders' });
    for (
      const bad of [
        "select: orders",
        "select: public.orders; DROP TABLE x",
        "usage: a.b",
        "select: public.t\n    owned_by: x y",
        "grant: all",
      ]
    ) {
      const dir = folder(`bad-${Math.random()}`, "b", { "check.yaml": yaml(bad), "pg12.sql": "SELECT 1 AS n" });
      expect(() => loadCustomChecks([dir], catalogue)).toThrow(/check\.yaml:(6|7): /);
    }
  });

  test("a name twice across directories, or a built-in's name, is refused; replaces_builtin must replace something", () => {
    const files = {
      "check.yaml": "description: d\ncolumns:\n  - name: n\n    type: integer\n",
      "pg12.sql": "SELECT 1 AS n",
    };
    const a = folder("dup-a", "same", files);
    const b = folder("dup-b", "same", files);
    expect(() => loadCustomChecks([a, b], catalogue)).toThrow(
      /also defined in .*dup-a\/same: a check name must be unique/,
    );
    expect(() => loadCustomChecks([folder("shadow", "alive", files)], catalogue)).toThrow(
      /"alive" is a built-in check/,
    );
    expect(
      loadCustomChecks([
        folder("replace", "alive", { ...files, "check.yaml": files["check.yaml"] + "replaces_builtin: true\n" }),
      ], catalogue)[0]!.replacesBuiltin,
    ).toBe(true);
    expect(() =>
      loadCustomChecks([
        folder("nothing", "mine", { ...files, "check.yaml": files["check.yaml"] + "replaces_builtin: true\n" }),
      ], catalogue)
    ).toThrow(/no built-in check "mine"/);
  });

  test("a symlinked check folder is loaded (skipping it would uninstall it); hidden entries are not checks", () => {
    const elsewhere = folder("elsewhere", "linked", minimal);
    const dir = folder("links", ".git", { "config": "x" });
    symlinkSync(join(elsewhere, "linked"), join(dir, "linked"));
    expect(loadCustomChecks([dir], catalogue).map((c) => c.name)).toEqual(["linked"]);
    symlinkSync(join(work, "no-such-target"), join(dir, "dangling"));
    expect(() => loadCustomChecks([dir], catalogue)).toThrow(/links\/dangling: cannot follow: ENOENT/);
  });

  test("a file that cannot be read, an empty query or a file given as the directory is one line naming it", () => {
    const unreadable = folder("eisdir", "a", { "check.yaml": minimal["check.yaml"] });
    mkdirSync(join(unreadable, "a", "pg12.sql"));
    expect(() => loadCustomChecks([unreadable], catalogue)).toThrow(/eisdir\/a\/pg12\.sql: cannot read: EISDIR$/);
    expect(() => loadCustomChecks([folder("empty", "a", { ...minimal, "pg12.sql": " \n" })], catalogue)).toThrow(
      /empty\/a\/pg12\.sql: the file is empty/,
    );
    expect(() => loadCustomChecks([join(folder("file", "a", minimal), "a", "pg12.sql")], catalogue)).toThrow(
      /pg12\.sql: not a directory$/,
    );
  });

  test("names PostgreSQL would cut at 63 bytes, repeat, or collide with posemo's own functions are refused", () => {
    const col = (name: string) => `  - name: ${name}\n    type: integer\n`;
    const arg = (name: string) => `arguments:\n  - name: ${name}\n    type: integer\n    default: '1'\n`;
    const cases: [string, string, RegExp][] = [
      [
        "long",
        `description: d\ncolumns:\n${col("c".repeat(64))}`,
        /:3: column name "c{64}" must be snake_case of at most 63/,
      ],
      ["twice", `description: d\ncolumns:\n${col("n")}${col("n")}`, /:5: "n" names two columns or arguments/],
      ["argcol", minimal["check.yaml"] + arg("n"), /:6: "n" names two columns or arguments/],
      ["quoted", minimal["check.yaml"] + arg(`'x"; y'`), /:6: argument name "x"; y" must be snake_case/],
      [
        "default",
        minimal["check.yaml"] + arg("m").replace("'1'", "abc"),
        /:8: argument "m": default "abc" is not an integer/,
      ],
      [
        "texts",
        `description: d\ncolumns:\n  - name: t\n    type: text\nthresholds:\n  columns: [t]\n  warning: '1'\n`,
        /:6: threshold column "t" is a text column/,
      ],
    ];
    for (const [dir, yaml, message] of cases) {
      expect(() => loadCustomChecks([folder(dir, "a", { ...minimal, "check.yaml": yaml })], catalogue)).toThrow(
        message,
      );
    }
    for (const name of ["posemo_inventory", "posemo_custom_definitions"]) {
      expect(() => loadCustomChecks([folder(`own-${name}`, name, minimal)], catalogue)).toThrow(
        `check folder name "${name}": names starting "posemo_" are posemo's own`,
      );
    }
  });

  test("the built-in checks carry no custom marks (their hashes stay as they were)", () => {
    expect(catalogue.every((c) => c.custom === undefined && c.privileges === undefined)).toBe(true);
  });
});
