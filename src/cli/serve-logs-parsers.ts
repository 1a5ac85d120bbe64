/**
 * Flag value parsers of serve-logs (sizes, file modes, listen addresses). Each throws one line naming
 * the bad value; stricli prefixes it with the flag.
 * @module
 */
import { MAX_RECORD_BYTES, MIN_RECORD_BYTES } from "../logs/servedb/serve.ts";

const sizeUnits: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** The largest size accepted, 1 TiB: beyond any buffer this machine could hold, and far below 2^53. */
export const MAX_BYTE_SIZE = 1024 ** 4;

/** A byte count from 1 to 1 TiB: `102400`, `100KiB`, `8MiB`, `1GB` (k, M, G alone are binary). */
export function parseByteSize(input: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(input.trim());
  const unit = sizeUnits[(match?.[2] ?? "").toLowerCase()];
  if (!match || unit === undefined) {
    throw new SyntaxError(
      `Cannot use "${input}" as a size: expected a number of bytes with an optional unit KiB, MiB, GiB, kB, MB or GB`,
    );
  }
  const bytes = Math.round(Number(match[1]) * unit);
  if (bytes < 1) throw new RangeError(`Cannot use "${input}" as a size: it must be at least 1 byte`);
  if (bytes > MAX_BYTE_SIZE) throw new RangeError(`Cannot use "${input}" as a size: it must be at most 1TiB`);
  return bytes;
}

/** The per-record byte cap: a size from 1 KiB to 1 MiB (the largest frame). */
export function parseRecordCap(input: string): number {
  const bytes = parseByteSize(input);
  if (bytes < MIN_RECORD_BYTES || bytes > MAX_RECORD_BYTES) {
    throw new RangeError(`Cannot use "${input}" as a record cap: expected a size from 1KiB to 1MiB`);
  }
  return bytes;
}

/** An octal file mode such as `0666`, `666` or `0o660`. */
export function parseFileMode(input: string): number {
  const match = /^(?:0o?)?([0-7]{3})$/.exec(input.trim());
  if (!match) throw new SyntaxError(`Cannot use "${input}" as a file mode: expected three octal digits such as 0666`);
  return parseInt(match[1]!, 8);
}

/** A listen address `host:port` (`127.0.0.1:9187`, `[::1]:9187`); port 0 picks a free one. */
export function parseListenAddress(input: string): { hostname: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(input.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new SyntaxError(`Cannot use "${input}" as a listen address: expected host:port such as 127.0.0.1:9187`);
  }
  return { hostname: (match[1] ?? match[2])!, port };
}

/** A whole number from `min` to `max`. */
export function wholeNumberIn(min: number, max: number): (input: string) => number {
  return (input) => {
    const n = Number(input);
    if (!/^\d+$/.test(input.trim()) || n < min || n > max) {
      throw new RangeError(`Cannot use "${input}": expected a whole number from ${min} to ${max}`);
    }
    return n;
  };
}
