/**
 * The Nagios plugin guidelines' performance data grammar, as regular expressions the output tests
 * hold every item to: `'label'=value[UOM];[warn];[crit];[min];[max]`.
 * @module
 */
const NUMBER = String.raw`-?\d+(?:\.\d+)?`;
const RANGE = String.raw`@?(?:(?:~|${NUMBER})?:)?(?:${NUMBER})?`;
const UOM = "(?:s|ms|us|%|B|KB|MB|TB|c)";

/** One perfdata item, strictly (no exponent notation, a known UOM, U only without UOM). */
export const PERF_ITEM = new RegExp(
  `^'[^'=]+'=(?:${NUMBER}${UOM}?|U)(?:;(?:${RANGE})(?:;(?:${RANGE})(?:;(?:${NUMBER})?(?:;(?:${NUMBER})?)?)?)?)?$`,
);

/** Splits a perfdata string (items separated by single spaces; labels are quoted and may hold spaces). */
export function perfItems(perfdata: string): string[] {
  const items = perfdata.match(/'[^']*'=\S*/g) ?? [];
  if (items.join(" ") !== perfdata) {
    throw new Error(`perfdata is not a space-separated list of 'label'=value items: ${perfdata}`);
  }
  return items;
}
