import { describe, expect, test } from "bun:test";
import { quoteIdent, quoteLiteral, sqlComment } from "../../src/db/quote.ts";

describe("quoteIdent()", () => {
  test("always quotes, doubling inner double quotes", () => {
    expect(quoteIdent("posemo")).toBe('"posemo"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('x"; DROP ROLE postgres; --')).toBe('"x""; DROP ROLE postgres; --"');
    expect(quoteIdent("Mixed Case")).toBe('"Mixed Case"');
  });

  test("accepts 63 bytes and refuses 64, counting UTF-8 bytes", () => {
    expect(quoteIdent("a".repeat(63))).toBe(`"${"a".repeat(63)}"`);
    expect(() => quoteIdent("a".repeat(64))).toThrow(RangeError);
    expect(() => quoteIdent("é".repeat(32))).toThrow(
      `Cannot use "${"é".repeat(32)}" as an identifier: it is 64 bytes long, PostgreSQL allows at most 63`,
    );
    expect(quoteIdent("é".repeat(31))).toBe(`"${"é".repeat(31)}"`);
  });

  test("refuses empty names and NUL, naming the problem", () => {
    expect(() => quoteIdent("")).toThrow('Cannot use "" as an identifier: it is empty');
    expect(() => quoteIdent("a\0b")).toThrow('Cannot use "a\0b" as an identifier: it contains NUL');
  });
});

describe("quoteLiteral()", () => {
  test("doubles single quotes and leaves backslashes alone (standard_conforming_strings)", () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral("a\\b")).toBe("'a\\b'");
    expect(quoteLiteral("")).toBe("''");
  });

  test("refuses NUL", () => {
    expect(() => quoteLiteral("a\0")).toThrow("Cannot quote a string containing NUL");
  });
});

describe("names holding control characters", () => {
  test("an identifier or literal with one is written as a Unicode-escape string: no raw control character", () => {
    expect(quoteIdent('t\nDROP "x"\u001b[2J\\')).toBe('U&"t\\000aDROP ""x""\\001b[2J\\\\"');
    expect(quoteLiteral("it's\r\n\u2028")).toBe("U&'it''s\\000d\\000a\\2028'");
  });

  test("sqlComment keeps the text on the comment's line", () => {
    expect(sqlComment("plan for db\nALTER ROLE t SUPERUSER;")).toBe("-- plan for db\\x0aALTER ROLE t SUPERUSER;");
  });
});
