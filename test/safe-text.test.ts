import { describe, expect, test } from "bun:test";
import { escapeLabelValue, printable, printableNoBackslash } from "../src/safe-text.ts";

describe("escapeLabelValue()", () => {
  test("the exposition format's escapes for a double quote and a line feed; the value is otherwise kept", () => {
    expect(escapeLabelValue('db "one"\ntwo dätenbänk ✓')).toBe('db \\"one\\"\\ntwo dätenbänk ✓');
  });

  test("a control character, a lone surrogate and a backslash become visible escapes, themselves escaped", () => {
    expect(escapeLabelValue("a\rb\u0000c\u001b[31m\u0085\u2028\ud800x\udc00z\\")).toBe(
      "a\\\\x0db\\\\x00c\\\\x1b[31m\\\\x85\\\\u2028\\\\ud800x\\\\udc00z\\\\x5c",
    );
    expect(escapeLabelValue("pair \ud83d\ude00")).toBe("pair \ud83d\ude00");
  });

  test("two different names never become one label value", () => {
    const names = ["t\u001b", "t\\x1b", "t\\\\x1b", "t\n", "t\\n", "t\\x0a", "t\r", "t\ud800", "t\ufffd", 't"', "t\\"];
    expect(new Set(names.map(escapeLabelValue)).size).toBe(names.length);
  });
});

describe("printable() and printableNoBackslash()", () => {
  test("control characters become \\xNN; only printableNoBackslash escapes the backslash", () => {
    expect(printable("a\nb\\c")).toBe("a\\x0ab\\c");
    expect(printableNoBackslash("a\nb\\c")).toBe("a\\x0ab\\x5cc");
  });
});
