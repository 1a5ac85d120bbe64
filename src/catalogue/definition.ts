/**
 * What a check is: metadata from `checks/<name>/check.yaml` plus the SQL bodies per PostgreSQL
 * major version. Checks are data; the installer turns each into one SECURITY DEFINER function.
 * @module
 */

import type { DeclaredPrivilege } from "./privileges.ts";

/** SQL types a check column may have; each maps to a typed JSON value. */
export type ColumnType = "boolean" | "integer" | "bigint" | "real" | "double precision" | "numeric" | "text";

/** Units a value may carry; they map onto Nagios UOMs (`B`, `s`, `ms`, `%`, `c`). */
export type Unit = "" | "s" | "ms" | "%" | "B" | "c";

/** One column the check function returns. */
export interface ColumnDefinition {
  readonly name: string;
  readonly type: ColumnType;
  /** Overrides the check's unit for this column. */
  readonly unit?: Unit;
}

/** An argument of the check function, with the default the `check` command relies on. */
export interface ArgumentDefinition {
  readonly name: string;
  readonly type: "text" | "integer" | "interval";
  readonly default: string;
  /** How a text value is checked before it is passed: a size (`10MB`, passed in bytes) or a regular expression. */
  readonly format?: "size" | "regex";
  /** What the argument does, for the docs. */
  readonly description?: string;
}

/** A warning and a critical Nagios range, either optional. */
export interface RangePair {
  readonly warning?: string;
  readonly critical?: string;
}

/** Default thresholds as Nagios ranges, and which value columns they judge. */
export interface ThresholdDefinition extends RangePair {
  readonly columns: readonly string[];
  /**
   * Defaults of further columns, each in that column's own unit (a size beside a percentage): a value
   * alerts when any of its judged columns does. A configuration file or `-w`/`-c` overrides them.
   */
  readonly perColumn?: Readonly<Record<string, RangePair>>;
  /** Why these defaults: what a DBA on call should be woken for, against the peers' defaults (docs/checks.md). */
  readonly why?: string;
}

/** SQL for the versions from `minMajor` on, up to the next variant's `minMajor`. */
export interface SqlVariant {
  readonly minMajor: number;
  /** Body of the generated function (one or more statements; the last one's rows are returned). */
  readonly body: string;
  /** Statements run before the function is created (e.g. a table the check writes to); re-runnable. */
  readonly setup?: string;
  /** Statements that remove what `setup` created, run when the check is removed or uninstalled. */
  readonly teardown?: string;
  /** Stable fingerprint of everything installed for this variant; install records it, check compares it. */
  readonly hash: string;
}

/** A check of the catalogue. */
export interface CheckDefinition {
  /** snake_case folder name: also the SQL function name, JSON key and perfdata label. */
  readonly name: string;
  readonly description: string;
  readonly columns: readonly ColumnDefinition[];
  /** Multi-row checks name the column that titles each row (e.g. `database`); `!TOTAL` comes first. */
  readonly titleColumn?: string;
  readonly unit: Unit;
  readonly thresholds?: ThresholdDefinition;
  readonly arguments: readonly ArgumentDefinition[];
  readonly min?: number;
  readonly max?: number;
  /** Monotonic counters: graph the rate, not the value. */
  readonly counter: boolean;
  /** VOLATILE function that writes (only `writeable`): run alone, after the others, with its own deadline. */
  readonly writes: boolean;
  /**
   * Judges counters by their change since the previous run of the same caller, keeping that sample in
   * an unlogged table of posemo's schema (its setup.sql): a VOLATILE function, run with the others
   * (writes to an unlogged table never wait for synchronous standbys).
   */
  readonly rates?: boolean;
  /** Where the check makes sense; elsewhere it reports what it sees rather than failing. */
  readonly role: "any" | "primary" | "standby";
  /**
   * `cluster`: one function in the posemo database sees the whole cluster (pg_stat_* views).
   * `database`: the data lives inside each database (sequences, bloat, vacuum); the function is
   * installed in every database and `check` calls it over one connection per database, then merges
   * the rows, each titled by its database, behind a `!TOTAL` row.
   */
  readonly scope: "cluster" | "database";
  /**
   * `sql` (default) or `plpgsql`, for a body that must decide at run time (e.g. whether an extension
   * exists) and so cannot name the objects it reads statically; it must `RETURN QUERY` its rows.
   */
  readonly language: "sql" | "plpgsql";
  /** What the check needs beyond pg_monitor, in words (an extension, a setting); shown by --list and the docs. */
  readonly needs?: string;
  /** What the owner role needs beyond pg_monitor (application tables): granted by install, revoked with the check. */
  readonly privileges?: readonly DeclaredPrivilege[];
  /** A check from a `--checks-dir` folder, not from the binary. */
  readonly custom?: boolean;
  /** A custom check that takes a built-in check's name on purpose (`replaces_builtin: true`). */
  readonly replacesBuiltin?: boolean;
  readonly variants: readonly SqlVariant[];
}

/** The variant for a server major version, or undefined when the check has none for it. */
export function variantFor(check: CheckDefinition, major: number): SqlVariant | undefined {
  let chosen: SqlVariant | undefined;
  for (const variant of check.variants) {
    if (variant.minMajor <= major && (!chosen || variant.minMajor > chosen.minMajor)) chosen = variant;
  }
  return chosen;
}

/** Columns that carry values (all but the row title, the `unknown_reason` escape hatch and the `not_judged` note). */
export function valueColumns(check: CheckDefinition): readonly ColumnDefinition[] {
  return check.columns.filter((c) =>
    c.name !== check.titleColumn && c.name !== UNKNOWN_REASON && c.name !== NOT_JUDGED
  );
}

/**
 * A check may return a text column of this name: what it left out on purpose (tables under
 * min_size, tables never analyzed). It does not change the status; the message carries it, so an OK
 * says what it did not judge.
 */
export const NOT_JUDGED = "not_judged";

/**
 * A check may return a text column of this name: when it is not null the check is UNKNOWN with that
 * reason. It is how SQL says "I cannot see what I need" instead of returning a silent OK.
 */
export const UNKNOWN_REASON = "unknown_reason";

/** Supported PostgreSQL majors. */
export const SUPPORTED_MAJORS = [12, 13, 14, 15, 16, 17, 18] as const;
