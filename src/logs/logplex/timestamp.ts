/**
 * Syslog timestamps (RFC 3339) for logplex messages: the receive time, or the record's own LogTime when
 * its zone can be read without guessing. PostgreSQL prints LogTime with a zone *abbreviation*
 * (`UTC`, `CEST`, `+03`): numeric ones and UTC are exact, named ones are ambiguous (CST is three zones).
 * @module
 */

/** Zone abbreviations that mean UTC. */
const UTC_NAMES = new Set(["UTC", "GMT", "UCT", "UT", "Z", "Zulu", "Universal"]);
const LOG_TIME = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))? (\S+)$/;
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

/**
 * LogTime (`2026-11-21 04:23:21.792 UTC`) as RFC 3339 with microseconds and the same wall clock
 * (`2026-11-21T04:23:21.792000+00:00`), or null when the zone is a name other than UTC.
 */
export function logTimeToRfc3339(logTime: string): string | null {
  if (logTime.length === 27 && logTime.endsWith(" UTC") && logTime[10] === " " && logTime[19] === ".") {
    return `${logTime.slice(0, 10)}T${logTime.slice(11, 23)}000+00:00`; // the usual shape, no regex
  }
  const parts = LOG_TIME.exec(logTime);
  if (parts === null) return null;
  const offset = zoneOffset(parts[4]!);
  if (offset === null) return null;
  return `${parts[1]}T${parts[2]}.${(parts[3] ?? "").padEnd(6, "0")}${offset}`;
}

/** `+03` → `+03:00`, `-0330` → `-03:30`, UTC names → `+00:00`, other names → null. */
function zoneOffset(zone: string): string | null {
  if (UTC_NAMES.has(zone)) return "+00:00";
  const numeric = NUMERIC_ZONE.exec(zone);
  if (numeric === null) return null;
  return `${numeric[1]}${numeric[2]}:${numeric[3] ?? "00"}`;
}
