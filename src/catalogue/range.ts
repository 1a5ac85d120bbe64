/**
 * Nagios threshold ranges, as the plugin guidelines define them:
 * `10` alerts outside 0..10, `10:` below 10, `~:10` above 10, `10:20` outside 10..20,
 * `@10:20` inside 10..20 (inclusive).
 * @module
 */

/** A parsed range: alert when the value is outside [start, end], or inside it when `inside`. */
export interface Range {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly inside: boolean;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function bound(text: string, fallback: number): number | undefined {
  if (text === "") return fallback;
  if (text === "~") return -Infinity;
  return NUMBER.test(text) ? Number(text) : undefined;
}

/** A range's text taken apart: `@` (inside), whether it has a colon, and the two bound texts. */
export interface RangeParts {
  readonly inside: boolean;
  readonly body: string;
  readonly hasColon: boolean;
  readonly startText: string;
  readonly endText: string;
}

/** Splits `[@][start:]end` without judging the bounds (plain numbers here, numbers with units in config). */
export function splitRange(text: string): RangeParts {
  const trimmed = text.trim();
  const inside = trimmed.startsWith("@");
  const body = inside ? trimmed.slice(1) : trimmed;
  const colon = body.indexOf(":");
  return {
    inside,
    body,
    hasColon: colon >= 0,
    startText: colon < 0 ? "" : body.slice(0, colon),
    endText: colon < 0 ? body : body.slice(colon + 1),
  };
}

/** Parses a range; returns a one-line message naming the bad value instead of throwing. */
export function parseRange(text: string): Range | string {
  const { inside, body, hasColon, startText, endText } = splitRange(text);
  const trimmed = text.trim();
  const start = bound(startText, 0);
  const end = endText === "" && hasColon ? Infinity : NUMBER.test(endText) ? Number(endText) : undefined;
  if (body === "" || start === undefined || end === undefined) {
    return `Cannot use "${text}" as a range: expected N, N:, ~:N, N:M or @N:M`;
  }
  if (start > end) return `Cannot use "${text}" as a range: start ${start} is greater than end ${end}`;
  return { text: trimmed, start, end, inside };
}

/** True when the value should raise an alert for this range. */
export function alerts(range: Range, value: number): boolean {
  const within = value >= range.start && value <= range.end;
  return range.inside ? within : !within;
}
