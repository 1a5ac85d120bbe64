/**
 * `check --list`: the catalogue as a table for people, one line per check. The version and
 * threshold phrases are shared with the generated docs/checks.md (scripts/gen-docs.ts).
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import { SUPPORTED_MAJORS } from "../catalogue/definition.ts";

const NEWEST = SUPPORTED_MAJORS[SUPPORTED_MAJORS.length - 1];

/** The PostgreSQL majors a check runs on: from its first SQL variant to the newest supported (`12-18`). */
export function versionRange(check: CheckDefinition): string {
  return `${Math.min(...check.variants.map((v) => v.minMajor))}-${NEWEST}`;
}

/** The unit the default thresholds are in: the judged columns' unit, else the check's. */
export function thresholdUnit(check: CheckDefinition): string {
  const judged = check.columns.find((c) => check.thresholds?.columns.includes(c.name));
  return judged?.unit ?? check.unit;
}

/** Default thresholds as `w=RANGE c=RANGE unit`, or `-` when the check has none. */
export function thresholdText(check: CheckDefinition): string {
  const t = check.thresholds;
  if (!t || (!t.warning && !t.critical && !t.perColumn)) return "-";
  const unit = thresholdUnit(check);
  const own = t.warning || t.critical ? [`w=${t.warning ?? "-"} c=${t.critical ?? "-"}${unit ? ` ${unit}` : ""}`] : [];
  return [...own, ...perColumnTexts(check)].join("; ");
}

/** `ready_files w=10 c=100`: the per-column defaults, each in its column's unit. */
export function perColumnTexts(check: CheckDefinition): string[] {
  return Object.entries(check.thresholds?.perColumn ?? {}).map(([name, pair]) => {
    const unit = check.columns.find((c) => c.name === name)?.unit ?? check.unit;
    const levels = [pair.warning ? `w=${pair.warning}` : "", pair.critical ? `c=${pair.critical}` : ""].filter(Boolean)
      .join(" ");
    return `${name} ${levels}${unit && unit !== "c" ? ` ${unit}` : ""}`;
  });
}

const SUMMARY_MAX = 100;

/** The description's first sentence, cut at a word to about 100 characters, for a one-line summary. */
export function summary(check: CheckDefinition): string {
  const text = check.description.replace(/\s+/g, " ").trim();
  const end = text.search(/(?<!\be\.g|\bi\.e)\.(\s|$)/);
  const sentence = end < 0 ? text : text.slice(0, end + 1);
  if (sentence.length <= SUMMARY_MAX) return sentence;
  return `${sentence.slice(0, sentence.lastIndexOf(" ", SUMMARY_MAX))} ...`;
}

function line(check: CheckDefinition, width: { name: number; thresholds: number }): string {
  const needs = check.needs ? ` [needs: ${check.needs.replace(/\s+/g, " ").trim()}]` : "";
  const name = check.custom ? `${check.name}*` : check.name;
  return `${name.padEnd(width.name)}  PG ${versionRange(check).padEnd(6)} ${check.scope.padEnd(9)} ${
    thresholdText(check).padEnd(width.thresholds)
  } ${summary(check)}${needs}`;
}

/** One line per check: name, PostgreSQL versions, scope, default thresholds, summary and needs. */
export function formatList(checks: readonly CheckDefinition[]): string {
  const width = {
    name: Math.max(4, ...checks.map((c) => c.name.length + (c.custom ? 1 : 0))),
    thresholds: Math.max(18, ...checks.map((c) => thresholdText(c).length)),
  };
  const header = `${"NAME".padEnd(width.name)}  ${"VERSIONS".padEnd(9)} ${"SCOPE".padEnd(9)} ${
    "DEFAULT THRESHOLDS".padEnd(width.thresholds)
  } SUMMARY [NEEDS beyond pg_monitor]`;
  const footer = checks.some((c) => c.custom)
    ? ["* a custom check, installed on the server with install --checks-dir"]
    : [];
  return [header, ...checks.map((c) => line(c, width)), ...footer].join("\n") + "\n";
}
