import { describe, expect, test } from "bun:test";
import { fillTemplate } from "../../src/install/quote.ts";

const names = { schema: "my schema", owner: 'o"wner', monitoring: "mon", database: "it's db" };

describe("fillTemplate()", () => {
  test("fills identifiers quoted and *_literal placeholders as literals", () => {
    expect(fillTemplate("GRANT USAGE ON SCHEMA {{schema}} TO {{owner}}; -- {{database_literal}}", names)).toBe(
      `GRANT USAGE ON SCHEMA "my schema" TO "o""wner"; -- 'it''s db'`,
    );
  });

  test("extra values are inserted as given", () => {
    expect(fillTemplate("{{schema}}.{{table}}", names, { table: '"t"' })).toBe('"my schema"."t"');
  });

  test("an unknown placeholder is an error naming it, not an empty string", () => {
    expect(() => fillTemplate("SELECT {{shema}}", names)).toThrow(
      'Cannot fill template: unknown placeholder "{{shema}}"',
    );
    expect(() => fillTemplate("SELECT {{nope_literal}}", names)).toThrow("{{nope_literal}}");
  });
});
