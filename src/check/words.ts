/**
 * The one line a person paged at 3 a.m. reads: what alerts, in plain words (`critical at > 300 s`,
 * not `critical range 300`), the worst row first and each column once (`also app, shop` instead of
 * the same percentage per database), with the row's counts and who is involved; for an OK check the
 * row closest to its threshold, not the first one. Pure.
 * @module
 */
import { parseRange } from "../catalogue/range.ts";
import { isSummaryTitle, type Measurement } from "./result.ts";

/** Formats a value with its unit for messages: `12.5%`, `3 s`, `1048576 B`, `true`. */
export function showValue(m: Pick<Measurement, "value" | "unit">): string {
  if (m.value === null) return "no value";
  if (typeof m.value === "boolean") return String(m.value);
  const n = Number.isInteger(m.value)
    ? String(m.value)
    : Math.abs(m.value) >= 1
    ? String(Number(m.value.toFixed(3)))
    : String(Number(m.value.toPrecision(3)));
  if (m.unit === "" || m.unit === "c") return n;
  return m.unit === "%" ? `${n}%` : `${n} ${m.unit}`;
}

function number(n: number, unit: Measurement["unit"]): string {
  return showValue({ value: n, unit });
}

/** A Nagios range as the condition that alerts: `> 90%`, `< 80%`, `outside 1..5`, `between 1 and 5`. */
export function rangeWords(text: string, unit: Measurement["unit"]): string {
  const range = parseRange(text);
  if (typeof range === "string") return text;
  if (range.inside) return `between ${number(range.start, unit)} and ${number(range.end, unit)}`;
  const lowOpen = range.start === -Infinity || range.start === 0;
  if (range.end === Infinity) return `< ${number(range.start, unit)}`;
  if (lowOpen) return `> ${number(range.end, unit)}`;
  return `outside ${number(range.start, unit)}..${number(range.end, unit)}`;
}

/**
 * A range `300` alerts outside 0..300 and reads `> 300`; a value below 0 (clocks that disagree, a
 * custom check's delta) alerts on the other side, and the words must say so.
 */
function belowStart(text: string, m: Measurement): string | undefined {
  const range = parseRange(text);
  if (typeof range === "string" || range.inside || typeof m.value !== "number" || m.value >= range.start) {
    return undefined;
  }
  if (!rangeWords(text, m.unit).startsWith(">")) return undefined;
  return `< ${number(range.start, m.unit)}`;
}

/** `critical at > 300 s`, or undefined for an OK value. */
export function alertWords(m: Measurement): string | undefined {
  const range = m.status === "critical" ? m.critical : m.status === "warning" ? m.warning : undefined;
  if (range === undefined) return undefined;
  const words = belowStart(range, m) ?? rangeWords(range, m.unit);
  return /^[<>]/.test(words) ? `${m.status} at ${words}` : `${m.status} when ${words}`;
}

/** True when lower values are worse for this measurement's ranges (`80:`). */
function lowerIsWorse(m: Measurement): boolean {
  const range = m.critical ?? m.warning;
  const parsed = range === undefined ? undefined : parseRange(range);
  return parsed !== undefined && typeof parsed !== "string" && !parsed.inside && parsed.end === Infinity;
}

function severity(m: Measurement): number {
  if (typeof m.value !== "number") return -Infinity;
  return lowerIsWorse(m) ? -m.value : m.value;
}

/** The worst of some measurements of one column: the summary row if it is among them, else the highest (lowest for `N:`). */
function lead(group: readonly Measurement[]): Measurement {
  const summary = group.find((m) => isSummaryTitle(m.title));
  if (summary) return summary;
  return group.reduce((a, b) => (severity(b) > severity(a) ? b : a));
}

/** Same-row values worth reading beside an alert: unjudged plain counts (raw ages, sessions, values left) and who. */
function besides(m: Measurement, all: readonly Measurement[]): string[] {
  const counts = all.filter((x) =>
    x.title === m.title && x !== m && x.unit === "" && x.value !== null && x.warning === undefined &&
    x.critical === undefined
  );
  const who = Object.entries(m.context ?? {}).map(([k, v]) => `${k}: ${v}`);
  return [...counts.slice(0, 3).map((x) => `${x.column} ${showValue(x)}`), ...who];
}

function names(titles: readonly string[], max = 4): string {
  const shown = titles.slice(0, max).join(", ");
  return titles.length > max ? `${shown} and ${titles.length - max} more` : shown;
}

function describeGroup(group: readonly Measurement[], all: readonly Measurement[]): string {
  const m = lead(group);
  const where = m.title === undefined ? "" : `${m.title} `;
  const detail = [alertWords(m)!, ...besides(m, all)].join("; ");
  const others = group.filter((x) => x !== m && x.title !== undefined).map((x) => x.title!);
  return `${where}${m.column} ${showValue(m)} (${detail})${others.length > 0 ? `, also ${names(others)}` : ""}`;
}

/** What alerts, critical first, one phrase per column and state. */
export function alertMessage(alerting: readonly Measurement[], all: readonly Measurement[]): string {
  const groups = new Map<string, Measurement[]>();
  for (const m of [...alerting].sort((a, b) => (a.status === b.status ? 0 : a.status === "critical" ? -1 : 1))) {
    const key = `${m.status}\u0000${m.column}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const phrases = [...groups.values()].map((g) => describeGroup(g, all));
  return phrases.slice(0, 5).join(", ") + (phrases.length > 5 ? `, and ${phrases.length - 5} more` : "");
}

/** The row an OK message shows: the one closest to its threshold, else the summary row, else the first. */
function shownTitle(measurements: readonly Measurement[]): string | undefined {
  const judged = measurements.filter((m) =>
    (m.warning !== undefined || m.critical !== undefined) && typeof m.value === "number"
  );
  if (judged.length > 0) return judged.reduce((a, b) => (severity(b) > severity(a) ? b : a)).title;
  return (measurements.find((m) => isSummaryTitle(m.title)) ?? measurements[0])?.title;
}

/** An OK check: its values, and for several rows the worst row's with the row count. */
export function okMessage(measurements: readonly Measurement[], rowCount: number, titled: boolean): string {
  if (!titled) return measurements.map((m) => `${m.column} ${showValue(m)}`).join(", ");
  const title = shownTitle(measurements);
  const row = measurements.filter((m) => m.title === title);
  const judged = row.some((m) => m.warning !== undefined || m.critical !== undefined);
  return `${title}: ${row.map((m) => `${m.column} ${showValue(m)}`).join(", ")} (${
    judged && rowCount > 1 ? `worst of ${rowCount} rows` : `${rowCount} rows`
  })`;
}
