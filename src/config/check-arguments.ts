/**
 * Values for a check function's arguments (`min_size`, `top_n`, `skip_db_re`), from a configuration
 * file's `arguments:` block or the command line's `--arg [check.]name=value`. Each value is checked
 * here, against the argument's type and format, so a mistake is one line naming it before anything
 * connects; the value passed to the function is the checked text (a size in bytes).
 * @module
 */
import type { ArgumentDefinition, CheckDefinition } from "../catalogue/definition.ts";
import { unitValue } from "./unit-range.ts";

/** Argument values of one check, by argument name, as the function receives them (text). */
export type ArgumentValues = Readonly<Record<string, string>>;

const MAX_TOP_N = 1000;

function sizeValue(text: string): string | undefined {
  const bytes = unitValue(text, "B");
  if (typeof bytes === "string" || !Number.isFinite(bytes) || bytes < 0) return undefined;
  return String(Math.round(bytes));
}

function regexValue(text: string): string | undefined {
  try {
    new RegExp(text);
    return text;
  } catch {
    return undefined;
  }
}

/** The checked value, or a one-line reason naming it. */
export function argumentValue(
  check: CheckDefinition,
  argument: ArgumentDefinition,
  text: string,
): { value: string } | { problem: string } {
  const subject = `argument ${argument.name} of ${check.name}`;
  if (argument.type === "integer") {
    if (!/^\d+$/.test(text) || Number(text) > MAX_TOP_N) {
      return { problem: `Cannot use "${text}" as ${subject}: expected a whole number from 0 to ${MAX_TOP_N}` };
    }
    return { value: String(Number(text)) };
  }
  if (argument.format === "size") {
    const bytes = sizeValue(text);
    return bytes === undefined
      ? { problem: `Cannot use "${text}" as ${subject}: expected a size such as 10MB, 1GB or 8192 (bytes)` }
      : { value: bytes };
  }
  if (argument.format === "regex") {
    const re = regexValue(text);
    return re === undefined
      ? {
        problem: `Cannot use "${text}" as ${subject}: not a valid regular expression (an empty value means no filter)`,
      }
      : { value: re };
  }
  return { value: text };
}

/** The argument of that name, or a reason naming the check's arguments. */
export function findArgument(check: CheckDefinition, name: string): ArgumentDefinition | string {
  const found = check.arguments.find((a) => a.name === name);
  if (found) return found;
  const known = check.arguments.map((a) => a.name).join(", ") || "none";
  return `Cannot set argument "${name}" of ${check.name}: it has no such argument (its arguments: ${known})`;
}

interface ArgFlag {
  readonly check?: string;
  readonly name: string;
  readonly text: string;
}

function splitFlag(flag: string): ArgFlag | string {
  const eq = flag.indexOf("=");
  if (eq <= 0) return `Cannot use --arg "${flag}": expected [check.]name=value, e.g. --arg min_size=10MB`;
  const key = flag.slice(0, eq);
  const dot = key.lastIndexOf(".");
  return dot < 0
    ? { name: key, text: flag.slice(eq + 1) }
    : { check: key.slice(0, dot), name: key.slice(dot + 1), text: flag.slice(eq + 1) };
}

function applyFlag(
  flag: ArgFlag,
  raw: string,
  checks: readonly CheckDefinition[],
  out: Map<string, Record<string, string>>,
): void {
  const targets = checks.filter((
    c,
  ) => (flag.check ? c.name === flag.check : c.arguments.some((a) => a.name === flag.name)));
  if (targets.length === 0) {
    const why = flag.check
      ? `check "${flag.check}" is not selected`
      : `no selected check has an argument "${flag.name}"`;
    throw new RangeError(`Cannot use --arg "${raw}": ${why}`);
  }
  for (const check of targets) {
    const argument = findArgument(check, flag.name);
    if (typeof argument === "string") throw new RangeError(argument);
    const checked = argumentValue(check, argument, flag.text);
    if ("problem" in checked) throw new RangeError(checked.problem);
    out.set(check.name, { ...out.get(check.name), [flag.name]: checked.value });
  }
}

/**
 * The `--arg` flags as values per check: `name=value` sets that argument of every selected check
 * that has it, `check.name=value` of that check only. Throws RangeError with a one-line reason.
 */
export function commandLineArguments(
  flags: readonly string[],
  checks: readonly CheckDefinition[],
): (check: CheckDefinition) => ArgumentValues {
  const out = new Map<string, Record<string, string>>();
  for (const raw of flags) {
    const flag = splitFlag(raw);
    if (typeof flag === "string") throw new RangeError(flag);
    applyFlag(flag, raw, checks, out);
  }
  return (check) => out.get(check.name) ?? {};
}
