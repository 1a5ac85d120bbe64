/**
 * Nagios ranges with units, as a configuration file may write them: `80%:`, `5m`, `@1GB:2GB`, `10k`.
 * Each bound is converted into the unit of the column it judges, so the result is an ordinary numeric
 * range whose text is valid perfdata (`5m` on a column in seconds becomes `300`). A unit of another
 * kind than the column's (`5m` for a percentage) is an error naming both.
 *
 * Units: `%` for percentages; `ms`, `s`, `m` (minutes), `h`, `d` for times; `B`, `kB`/`KB`/`KiB`,
 * `MB`/`MiB`, `GB`/`GiB`, `TB`/`TiB` for bytes (1024-based, as PostgreSQL counts); `k`, `M`, `G`
 * (thousand, million, billion) for plain numbers and counters. A bare number is in the column's unit.
 * @module
 */
import type { Unit } from "../catalogue/definition.ts";
import { type Range, splitRange } from "../catalogue/range.ts";

type Kind = "percentage" | "time" | "size" | "number";

interface Suffix {
  readonly kind: Kind;
  /** Value of 1 of this suffix in the kind's base: 1, seconds, bytes, 1. */
  readonly factor: number;
  readonly name: string;
}

const KIB = 1024;
const SUFFIXES: Readonly<Record<string, Suffix>> = {
  "%": { kind: "percentage", factor: 1, name: "percent" },
  ms: { kind: "time", factor: 0.001, name: "milliseconds" },
  s: { kind: "time", factor: 1, name: "seconds" },
  m: { kind: "time", factor: 60, name: "minutes" },
  h: { kind: "time", factor: 3600, name: "hours" },
  d: { kind: "time", factor: 86400, name: "days" },
  B: { kind: "size", factor: 1, name: "bytes" },
  kB: { kind: "size", factor: KIB, name: "kibibytes" },
  KB: { kind: "size", factor: KIB, name: "kibibytes" },
  KiB: { kind: "size", factor: KIB, name: "kibibytes" },
  MB: { kind: "size", factor: KIB ** 2, name: "mebibytes" },
  MiB: { kind: "size", factor: KIB ** 2, name: "mebibytes" },
  GB: { kind: "size", factor: KIB ** 3, name: "gibibytes" },
  GiB: { kind: "size", factor: KIB ** 3, name: "gibibytes" },
  TB: { kind: "size", factor: KIB ** 4, name: "tebibytes" },
  TiB: { kind: "size", factor: KIB ** 4, name: "tebibytes" },
  k: { kind: "number", factor: 1e3, name: "thousands" },
  M: { kind: "number", factor: 1e6, name: "millions" },
  G: { kind: "number", factor: 1e9, name: "billions" },
};

/** What a column's unit measures, and what 1 of it is in the kind's base. */
const COLUMN_UNITS: Readonly<Record<Unit, { kind: Kind; factor: number; name: string }>> = {
  "%": { kind: "percentage", factor: 1, name: "percent" },
  s: { kind: "time", factor: 1, name: "seconds" },
  ms: { kind: "time", factor: 0.001, name: "milliseconds" },
  B: { kind: "size", factor: 1, name: "bytes" },
  c: { kind: "number", factor: 1, name: "a counter" },
  "": { kind: "number", factor: 1, name: "a plain number" },
};

const BOUND = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([A-Za-z%]*)$/;

/** A number as perfdata wants it: no exponent, no float noise (0.1 * 3 is 0.3). */
function plain(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < Number.MAX_SAFE_INTEGER) return String(n);
  const text = String(Number(n.toPrecision(12)));
  return text.includes("e") ? n.toFixed(12).replace(/\.?0+$/, "") : text;
}

/** Converts one bound (`80%`, `5m`, `1.5GB`) into the column's unit; a string is the reason it cannot. */
function bound(text: string, unit: Unit): number | string {
  const match = BOUND.exec(text.trim());
  if (!match) return `"${text}" is not a number with an optional unit`;
  const suffix = match[2] ?? "";
  if (suffix === "") return Number(match[1]);
  const known = SUFFIXES[suffix];
  if (!known) return `unknown unit "${suffix}" (use %, ms, s, m, h, d, B, kB, MB, GB, TB, k, M or G)`;
  const column = COLUMN_UNITS[unit];
  if (known.kind !== column.kind) {
    return `unit "${suffix}" (${known.name}) does not fit the column's unit "${unit}" (${column.name})`;
  }
  return (Number(match[1]) * known.factor) / column.factor;
}

/** One value with an optional unit (`10MB`, `5m`) in `unit`, or the reason it cannot be. */
export function unitValue(text: string, unit: Unit): number | string {
  return bound(text, unit);
}

function render(start: number, end: number, inside: boolean, colon: boolean): string {
  const body = colon ? `${start === -Infinity ? "~" : plain(start)}:${end === Infinity ? "" : plain(end)}` : plain(end);
  return (inside ? "@" : "") + body;
}

/**
 * Parses a Nagios range whose bounds may carry units, for a column measured in `unit`. Returns the
 * range in the column's unit, or a one-line message naming the bad value and `subject` (e.g.
 * `cache_hit_ratio.cache_hit_ratio`).
 */
export function parseUnitRange(text: string, unit: Unit, subject: string): Range | string {
  const fail = (why: string) => `Cannot use "${text}" as a range for ${subject}: ${why}`;
  const { inside, body, hasColon, startText, endText } = splitRange(text);
  if (body === "" || (!hasColon && endText === "")) return fail("expected N, N:, ~:N, N:M or @N:M");
  const start = startText === "" ? 0 : startText === "~" ? -Infinity : bound(startText, unit);
  const end = endText === "" ? Infinity : bound(endText, unit);
  if (typeof start === "string") return fail(start);
  if (typeof end === "string") return fail(end);
  if (start > end) return fail(`start ${startText} is greater than end ${endText}`);
  return { text: render(start, end, inside, hasColon), start, end, inside };
}
