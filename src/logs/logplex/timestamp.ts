/**
 * Syslog timestamps (RFC 3339) for logplex messages: the receive time, or the record's own LogTime when
 * its zone can be read without guessing. PostgreSQL prints LogTime with a zone *abbreviation*
 * (`UTC`, `CEST`, `+03`): numeric ones and UTC are exact, named ones are ambiguous (CST is three zones).
 * @module
 */

/** Zone abbreviations that mean UTC. */
const UTC_NAMES = new Set(["UTC", "GMT", "UCT", "UT", "Z", "Zulu", "Universal"]);
const LOG_TIME = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))? (\S{1,16})$/;
/** A zone abbreviation as tzdata writes them: letters, or a sign and digits (handled apart). */
const ZONE_NAME = /^[A-Za-z]{1,10}$/;
const NUMERIC_ZONE = /^([+-])(\d\d)(\d\d)?$/;

let cachedSecond = Number.NaN;
let cachedSecondText = "";

/**
 * `2026-11-21T04:23:21Z`: UTC at second precision, as Go's `time.RFC3339` printed the original
 * collector's receive time (the legacy format). Cached per second: a burst formats it once.
 */
export function rfc3339Seconds(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedSecondText = `${new Date(second * 1000).toISOString().slice(0, 19)}Z`;
  }
  return cachedSecondText;
}

/** `2026-11-21T04:23:21.792000+00:00`: UTC with microseconds, as log-shuttle prints it. */
export function rfc3339Micros(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 23)}000+00:00`;
}

/** What a LogTime says: its RFC 3339 form, `"named-zone"` (well formed, ambiguous zone) or `"invalid"`. */
export type LogTimeReading = string | "named-zone" | "invalid";

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Reads LogTime (`2026-11-21 04:23:21.792 UTC`, a zone abbreviation or numeric offset) strictly:
 * every digit where a digit belongs, month, day, hour, minute, second and offset in range. A frame
 * written by a local user can say anything, and one bad TIMESTAMP makes logplex refuse its batch.
 */
export function readLogTime(logTime: string): LogTimeReading {
  if (logTime !== lastLogTime) {
    lastLogTime = logTime;
    lastReading = readUncached(logTime);
  }
  return lastReading;
}

/** The last reading: the forwarder (to count) and the formatter (to print) read each LogTime once. */
let lastLogTime = "";
let lastReading: LogTimeReading = "invalid";

function readUncached(logTime: string): LogTimeReading {
  if (logTime.length === 27 && logTime.endsWith(" UTC") && usualShape(logTime)) {
    return `${logTime.slice(0, 10)}T${logTime.slice(11, 23)}000+00:00`;
  }
  const parts = LOG_TIME.exec(logTime);
  if (parts === null) return "invalid";
  const [, date, time, fraction, zone] = parts as unknown as [string, string, string, string | undefined, string];
  if (!dateInRange(date) || !timeInRange(time)) return "invalid";
  const offset = zoneOffset(zone);
  if (offset === "invalid" || offset === "named-zone") return offset;
  return `${date}T${time}.${(fraction ?? "").padEnd(6, "0")}${offset}`;
}

/**
 * LogTime as RFC 3339 with microseconds and the same wall clock (`2026-11-21T04:23:21.792000+00:00`),
 * or null when the zone is a name other than UTC or the LogTime is not well formed.
 */
export function logTimeToRfc3339(logTime: string): string | null {
  const reading = readLogTime(logTime);
  return reading === "invalid" || reading === "named-zone" ? null : reading;
}

/** `YYYY-MM-DD HH:MM:SS.mmm` with every digit a digit and every field in range, from char codes (the usual shape, once per record). */
function usualShape(t: string): boolean {
  if (t[4] !== "-" || t[7] !== "-" || t[10] !== " " || t[13] !== ":" || t[16] !== ":" || t[19] !== ".") return false;
  let digits = 0;
  const two = (at: number) => {
    const tens = t.charCodeAt(at) - 48;
    const ones = t.charCodeAt(at + 1) - 48;
    if (tens < 0 || tens > 9 || ones < 0 || ones > 9) digits = -1;
    return tens * 10 + ones;
  };
  const year = two(0) * 100 + two(2);
  const month = two(5);
  const day = two(8);
  const ok = two(11) <= 23 && two(14) <= 59 && two(17) <= 60 && two(20) >= 0 && t.charCodeAt(22) >= 48 &&
    t.charCodeAt(22) <= 57;
  return ok && digits === 0 && month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1]! &&
    (month !== 2 || day < 29 || leapYear(year));
}

function dateInRange(date: string): boolean {
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  return month >= 1 && month <= 12 && day >= 1 && day <= DAYS_IN_MONTH[month - 1]! &&
    (month !== 2 || day < 29 || leapYear(Number(date.slice(0, 4))));
}

function leapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function timeInRange(time: string): boolean {
  return Number(time.slice(0, 2)) <= 23 && Number(time.slice(3, 5)) <= 59 && Number(time.slice(6, 8)) <= 60;
}

/** `+03` → `+03:00`, `-0330` → `-03:30`, UTC names → `+00:00`, other names → `"named-zone"`. */
function zoneOffset(zone: string): string | "named-zone" | "invalid" {
  if (UTC_NAMES.has(zone)) return "+00:00";
  const numeric = NUMERIC_ZONE.exec(zone);
  if (numeric === null) return ZONE_NAME.test(zone) ? "named-zone" : "invalid";
  if (Number(numeric[2]) > 23 || Number(numeric[3] ?? 0) > 59) return "invalid";
  return `${numeric[1]}${numeric[2]}:${numeric[3] ?? "00"}`;
}
