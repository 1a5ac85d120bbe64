import { expect, test } from "bun:test";
import { parseByteSize, parseFileMode, parseListenAddress, wholeNumberIn } from "../../src/cli/serve-logs-parsers.ts";

test("parseByteSize() reads bytes with binary and decimal units", () => {
  expect(["102400", "100KiB", "100k", "8MiB", "1GB", "1.5 KiB"].map(parseByteSize)).toEqual([
    102400,
    102400,
    102400,
    8388608,
    1e9,
    1536,
  ]);
  expect(() => parseByteSize("lots")).toThrow(`Cannot use "lots" as a size`);
  expect(() => parseByteSize("0")).toThrow("at least 1 byte");
});

test("parseFileMode() reads three octal digits", () => {
  expect(["0666", "666", "0o660"].map(parseFileMode)).toEqual([0o666, 0o666, 0o660]);
  expect(() => parseFileMode("999")).toThrow(`Cannot use "999" as a file mode`);
});

test("parseListenAddress() reads host:port, IPv6 in brackets, port 0", () => {
  expect(parseListenAddress("127.0.0.1:9187")).toEqual({ hostname: "127.0.0.1", port: 9187 });
  expect(parseListenAddress("[::1]:0")).toEqual({ hostname: "::1", port: 0 });
  expect(() => parseListenAddress("localhost")).toThrow(`Cannot use "localhost" as a listen address`);
  expect(() => parseListenAddress("h:70000")).toThrow("listen address");
});

test("wholeNumberIn() bounds a whole number", () => {
  expect(wholeNumberIn(1, 10)("4")).toBe(4);
  expect(() => wholeNumberIn(1, 10)("0")).toThrow("expected a whole number from 1 to 10");
  expect(() => wholeNumberIn(1, 10)("2.5")).toThrow();
});
