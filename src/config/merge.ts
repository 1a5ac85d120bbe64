/**
 * Inheritance: every host gets `defaults`, then its group's settings, then its own, merged key by key
 * with the more specific level winning. Check blocks are merged too, down to each range of each
 * column and row: a group that sets only `warning` for a check keeps the inherited `critical` and
 * `enabled` (the original replaced the whole block, B15).
 * @module
 */
import type { Ranges, RowRanges } from "../catalogue/cell-thresholds.ts";
import type { CheckSettings } from "./parse-checks.ts";
import type { LevelSettings, PosemoConfig } from "./parse.ts";

/** One host to check, with everything it inherits. */
export interface ConfiguredHost {
  readonly name: string;
  readonly group?: string;
  readonly settings: LevelSettings;
}

type Merge<T> = (base: T, over: T) => T;

function mergeRecords<T>(
  base: Readonly<Record<string, T>> | undefined,
  over: Readonly<Record<string, T>> | undefined,
  merge: Merge<T>,
): Record<string, T> | undefined {
  if (!base || !over) return base ?? over;
  const out: Record<string, T> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = key in base ? merge(base[key]!, value) : value;
  return out;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function mergeRanges(base: Ranges, over: Ranges): Ranges {
  return defined({ warning: over.warning ?? base.warning, critical: over.critical ?? base.critical });
}

function mergeRow(base: RowRanges, over: RowRanges): RowRanges {
  return defined({ ...mergeRanges(base, over), columns: mergeRecords(base.columns, over.columns, mergeRanges) });
}

/** Merges two levels' settings for one check; `over` wins key by key. */
export function mergeCheck(base: CheckSettings, over: CheckSettings): CheckSettings {
  return defined({
    enabled: over.enabled ?? base.enabled,
    ...mergeRanges(base, over),
    columns: mergeRecords(base.columns, over.columns, mergeRanges),
    rows: mergeRecords(base.rows, over.rows, mergeRow),
    arguments: base.arguments || over.arguments ? { ...base.arguments, ...over.arguments } : undefined,
  });
}

/** Merges two levels; `over` wins for every key it sets, check blocks are merged deeply. */
export function mergeLevels(base: LevelSettings, over: LevelSettings): LevelSettings {
  const { checks: baseChecks, ...baseRest } = base;
  const { checks: overChecks, ...overRest } = over;
  return { ...baseRest, ...defined(overRest), checks: mergeRecords(baseChecks, overChecks, mergeCheck) ?? {} };
}

function levelOf<T extends LevelSettings>(entry: T): LevelSettings {
  const { name: _name, hosts: _hosts, ...level } = entry as T & { name?: string; hosts?: unknown };
  return level;
}

/** Every configured host, ungrouped ones first, then each group's in file order. */
export function configuredHosts(config: PosemoConfig): ConfiguredHost[] {
  const ungrouped = config.hosts.map((h) => ({ name: h.name, settings: mergeLevels(config.defaults, levelOf(h)) }));
  const grouped = config.groups.flatMap((g) => {
    const groupLevel = mergeLevels(config.defaults, levelOf(g));
    return g.hosts.map((h) => ({ name: h.name, group: g.name, settings: mergeLevels(groupLevel, levelOf(h)) }));
  });
  return [...ungrouped, ...grouped];
}
