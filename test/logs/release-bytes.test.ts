import { describe, expect, test } from "bun:test";
import { releaseBytes } from "../../src/logs/release-bytes.ts";

describe("releaseBytes()", () => {
  test("frees an array that is its whole buffer: it is empty afterwards", () => {
    const bytes = new Uint8Array(1024).fill(7);
    releaseBytes(bytes);
    expect(bytes.byteLength).toBe(0);
    expect(bytes.buffer.byteLength).toBe(0);
  });

  test("frees a socket's Buffer chunk the same way", () => {
    const chunk = Buffer.alloc(4096, 1);
    if (chunk.byteOffset !== 0 || chunk.buffer.byteLength !== 4096) return; // pooled by this runtime: left alone
    releaseBytes(chunk);
    expect(chunk.byteLength).toBe(0);
  });

  test("releasing twice is harmless", () => {
    const bytes = new Uint8Array(16);
    releaseBytes(bytes);
    expect(() => releaseBytes(bytes)).not.toThrow();
  });

  test("leaves a view into a larger buffer alone, and the rest of it intact", () => {
    const whole = new Uint8Array(64).fill(5);
    const part = whole.subarray(8, 16);
    releaseBytes(part);
    expect(part.byteLength).toBe(8);
    expect(whole.every((b) => b === 5)).toBe(true);
  });

  test("leaves a shared buffer alone", () => {
    const shared = new Uint8Array(new SharedArrayBuffer(32)).fill(3);
    releaseBytes(shared);
    expect(shared.byteLength).toBe(32);
  });
});
