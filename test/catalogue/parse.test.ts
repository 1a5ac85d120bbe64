/**
 * parseCheckYaml() refuses a bad check.yaml with one exact message: `file:line: what is wrong`, naming
 * the offending key or value, as the configuration file's reader does (test/config/parse.test.ts).
 */
import { describe, expect, test } from "bun:test";
import { CatalogueError, parseCheckYaml } from "../../src/catalogue/parse.ts";

const FILE = "checks/example/check.yaml";
const VALID = ["description: An example", "columns:", "  - { name: example, type: integer }"];

/** The message parseCheckYaml throws for `lines`, or "accepted". */
function refusal(lines: readonly string[], custom = false, name = "example"): string {
  try {
    parseCheckYaml(name, lines.join("\n") + "\n", FILE, custom);
    return "accepted";
  } catch (error) {
    if (!(error instanceof CatalogueError)) throw error;
    return error.message;
  }
}

describe("parseCheckYaml() accepts", () => {
  test("the smallest check: a description and one column, the rest defaulted", () => {
    expect(parseCheckYaml("example", VALID.join("\n"), FILE)).toMatchObject({
      name: "example",
      description: "An example",
      columns: [{ name: "example", type: "integer" }],
      unit: "",
      role: "any",
      scope: "cluster",
      language: "sql",
    });
  });
});

describe("parseCheckYaml() refuses, naming file, line and value", () => {
  test.each([
    [
      "an unknown top-level key",
      [...VALID, "warnig: 5"],
      `${FILE}:4: unknown key "warnig" in check.yaml (allowed: description, columns, title_column, unit, thresholds, arguments, min, max, counter, writes, rates, role, scope, needs, language)`,
    ],
    [
      "a column that is not a mapping",
      ["description: x", "columns:", "  - example"],
      `${FILE}:3: a column must be a mapping: got "example"`,
    ],
    [
      "an unknown column key",
      ["description: x", "columns:", "  - { name: example, type: integer, colour: red }"],
      `${FILE}:3: unknown key "colour" in a column (allowed: name, type, unit)`,
    ],
    [
      "a column type PostgreSQL posemo does not map",
      ["description: x", "columns:", "  - { name: example, type: money }"],
      `${FILE}:3: column type "money" is not one of: "boolean", "integer", "bigint", "real", "double precision", "numeric", "text"`,
    ],
    [
      "a column name that is not snake_case",
      ["description: x", "columns:", "  - { name: Example, type: integer }"],
      `${FILE}:3: column name "Example" must be snake_case of at most 63 characters (/^[a-z][a-z0-9_]{0,62}$/)`,
    ],
    ["no column", ["description: x", "columns: []"], `${FILE}:1: a check needs at least one column`],
    [
      "a description that is not a string",
      ["description: 5", "columns:", "  - { name: example, type: integer }"],
      `${FILE}:1: "description" must be a string: got 5`,
    ],
    [
      "a counter that is not a boolean",
      [...VALID, "counter: yes please"],
      `${FILE}:4: "counter" must be true or false: got yes please`,
    ],
    [
      "a role that does not exist",
      [...VALID, "role: replica"],
      `${FILE}:4: role "replica" is not one of: "any", "primary", "standby"`,
    ],
    [
      "a title_column that is no column",
      [...VALID, "title_column: database"],
      `${FILE}:1: title_column "database" is not a column`,
    ],
    [
      "a custom-only key in a built-in check",
      [...VALID, "replaces_builtin: true"],
      `${FILE}:4: unknown key "replaces_builtin" in check.yaml (allowed: description, columns, title_column, unit, thresholds, arguments, min, max, counter, writes, rates, role, scope, needs, language)`,
    ],
  ])("%s", (_what, lines, message) => {
    expect(refusal(lines)).toBe(message);
  });

  test("a folder name that is no identifier, before reading the file", () => {
    expect(refusal(VALID, false, "Bad-Name")).toBe(
      `${FILE}: check folder name "Bad-Name" must match /^[a-z][a-z0-9_]{0,62}$/`,
    );
  });
});
