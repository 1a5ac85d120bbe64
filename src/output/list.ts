/**
 * `check --list`: the catalogue as a table for people.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";

function thresholds(check: CheckDefinition): string {
  const t = check.thresholds;
  if (!t || (!t.warning && !t.critical)) return "-";
  return `w=${t.warning ?? "-"} c=${t.critical ?? "-"}`;
}

function versions(check: CheckDefinition): string {
  return `${Math.min(...check.variants.map((v) => v.minMajor))}+`;
}

/** One line per check: name, PostgreSQL versions, default thresholds, description. */
export function formatList(checks: readonly CheckDefinition[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const rows = checks.map((c) => `${c.name.padEnd(width)}  PG ${versions(c).padEnd(4)} ${thresholds(c).padEnd(16)} ${c.description}`);
  return [`${"NAME".padEnd(width)}  ${"VERSIONS".padEnd(7)} ${"THRESHOLDS".padEnd(16)} DESCRIPTION`, ...rows].join("\n") + "\n";
}
