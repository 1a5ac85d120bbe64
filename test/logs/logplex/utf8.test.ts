import { describe, expect, test } from "bun:test";
import { splitUtf8, surelyFits, utf8Length } from "../../../src/logs/logplex/utf8.ts";

const encoded = (text: string) => new TextEncoder().encode(text);

describe("utf8Length()", () => {
  test("counts what TextEncoder writes, lone surrogates included", () => {
    for (const text of ["", "abc", "é", "日本語", "😀", "a😀b", "\uD800", "x\uDC00y", "\uD800\uD800"]) {
      expect(utf8Length(text)).toBe(encoded(text).length);
    }
  });
});

describe("surelyFits()", () => {
  test("answers from the length when it can and counts otherwise", () => {
    expect(surelyFits("abc", 9)).toBe(true);
    expect(surelyFits("日本", 6)).toBe(true);
    expect(surelyFits("日本", 5)).toBe(false);
    expect(surelyFits("abcdef", 6)).toBe(true);
  });
});

describe("splitUtf8()", () => {
  test("returns the text whole when it fits", () => {
    expect(splitUtf8("hello", 5)).toEqual(["hello"]);
    expect(splitUtf8("", 5)).toEqual([""]);
  });

  test("cuts between characters only, each piece within the limit", () => {
    const text = "a日😀é".repeat(50);
    for (let max = 4; max <= 40; max++) {
      const pieces = splitUtf8(text, max);
      expect(pieces.join("")).toBe(text);
      for (const piece of pieces) {
        expect(encoded(piece).length).toBeLessThanOrEqual(max);
        expect(new TextDecoder("utf-8", { fatal: true }).decode(encoded(piece))).toBe(piece);
      }
    }
  });

  test("rejects a limit that cannot hold a 4-byte character", () => {
    expect(() => splitUtf8("x", 3)).toThrow("Cannot split text into 3-byte pieces: a character may need 4");
  });
});
