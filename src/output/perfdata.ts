/**
 * Nagios performance data, strictly as the plugin guidelines define it:
 * `'label'=value[UOM];[warn];[crit];[min];[max]`, UOM one of none, s, ms, us, %, B, KB, MB, TB, c.
 * @module
 */
import type { Measurement } from "../check/result.ts";
import { printableNoBackslash, visibleEscape } from "../safe-text.ts";

/**
 * Labels are always quoted (names hold spaces). Inside, `=` (which the guidelines forbid in a label),
 * `'` (the guidelines' doubled `''` is not read by Monitoring::Plugin::Performance nor by PNP-style
 * `'?([^'=]+)'?=` parsers), `|` (where Nagios cuts plugin output from perfdata), a backslash and
 * control characters become visible `\xNN` escapes. So a name from the server can never split the
 * line, and two names never share a label: `a'b`, `a=b`, `a|b` and `a_b` are four graphs.
 */
export function perfLabel(label: string): string {
  return `'${printableNoBackslash(label).replace(/['=|]/g, visibleEscape)}'`;
}

/** A number without exponent notation and without needless digits; `U` for no value. */
export function perfNumber(value: number | boolean | null): string {
  if (value === null) return "U";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (Number.isInteger(value)) return BigInt(Math.trunc(value)).toString();
  return String(Number(value.toFixed(6))).replace(/e.*$/, "");
}

function bound(value: number | undefined): string {
  return value === undefined ? "" : perfNumber(value);
}

/** One perfdata item. Counters keep the `c` UOM; no-value measurements are `U` without a UOM. */
export function perfItem(m: Measurement): string {
  const uom = m.value === null ? "" : m.unit;
  const fields = [
    `${perfLabel(m.label)}=${perfNumber(m.value)}${uom}`,
    m.warning ?? "",
    m.critical ?? "",
    bound(m.min),
    bound(m.max),
  ];
  while (fields.length > 1 && fields[fields.length - 1] === "") fields.pop();
  return fields.join(";");
}
