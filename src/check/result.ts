/**
 * The values a check run produces. A failed check is a value (status "unknown" with `error`), never
 * an exception, so one failing check cannot hide the others.
 * @module
 */
import type { Unit } from "../catalogue/definition.ts";

/** Check states, in the order of severity used to pick the worst. */
export type Status = "ok" | "warning" | "critical" | "unknown";

/** The number of each status in Nagios, Checkmk, Zabbix, Prometheus and JSON output; `check` exits with the worst. */
export const STATUS_CODES: Readonly<Record<Status, number>> = { ok: 0, warning: 1, critical: 2, unknown: 3 };

const SEVERITY: Readonly<Record<Status, number>> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

/** The worse of two statuses: critical > warning > unknown > ok (as Nagios ranks service states). */
export function worse(a: Status, b: Status): Status {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

/**
 * True for the title of a summary row (`!TOTAL`, `!MAX`): one `!` then a name. A real row named
 * like one (a database called `!TOTAL`) is given one more `!` (`!!TOTAL`, see `realTitle`), so the
 * two can never be taken for each other nor share a perfdata label, series, service or key.
 */
export function isSummaryTitle(title: string | undefined): boolean {
  return title !== undefined && /^![^!]/.test(title);
}

/** A real name as a row title: one more `!` when it starts with one. */
export function realTitle(name: string): string {
  return name.startsWith("!") ? `!${name}` : name;
}

/** One measured value with its verdict. */
export interface Measurement {
  /** Perfdata label: `check`, `check.column`, `check.title` or `check.title.column`. */
  readonly label: string;
  readonly column: string;
  /** Row title for multi-row checks (`!TOTAL`, a database name). */
  readonly title?: string;
  /** The database a row of a database-scope check belongs to (its title may also name an object). */
  readonly database?: string;
  /** null: no value (never judged). Booleans are reported as 1/0 in perfdata. */
  readonly value: number | boolean | null;
  readonly unit: Unit;
  readonly status: Status;
  readonly warning?: string;
  readonly critical?: string;
  readonly min?: number;
  readonly max?: number;
  /** The row's text columns (who holds the lock, which slot's status): what an alert needs to say who. */
  readonly context?: Readonly<Record<string, string>>;
}

/** The outcome of one check. */
export interface CheckResult {
  readonly name: string;
  readonly description: string;
  readonly status: Status;
  /** One line for people: what is wrong, or what was seen. */
  readonly message: string;
  readonly measurements: readonly Measurement[];
  /** Set when the check could not run or could not see what it needs. */
  readonly error?: string;
}

/** A whole run against one server. */
export interface RunReport {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly serverVersion?: string;
  readonly serverVersionNum?: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly results: readonly CheckResult[];
  /** Checks that exist in the catalogue but have no SQL for this server. */
  readonly skipped: readonly string[];
}

/** The worst status of a run: what the process exits with. */
export function overallStatus(results: readonly CheckResult[]): Status {
  return results.reduce<Status>((acc, r) => worse(acc, r.status), "ok");
}

/** One host's run within a multi-host invocation (`check --config`). */
export interface HostReport {
  /** Display name from the configuration (or the host itself). */
  readonly name: string;
  /** Host group from the configuration, if any. */
  readonly group?: string;
  readonly report: RunReport;
}

/** Every host of one invocation; a single-host run is a fleet of one. */
export interface FleetReport {
  readonly hosts: readonly HostReport[];
  readonly startedAt: Date;
  readonly durationMs: number;
}
