/**
 * What the installer found in the database before planning: the facts `plan` decides from. Reading
 * them is `inspect.ts`; a fresh state (for `--dry-run --server-version N`) is `freshState`.
 * @module
 */

/** A role's relevant attributes. */
export interface RoleFacts {
  readonly login: boolean;
  readonly superuser: boolean;
  /** CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS. */
  readonly powers: boolean;
  readonly inPgMonitor: boolean;
  /** Holds pg_use_reserved_connections with INHERIT (PostgreSQL 16+; always false before). */
  readonly usesReservedConnections?: boolean;
  /** Non-superuser roles that are members of this role (they could act as it). */
  readonly members: readonly string[];
}

/** The schema, if it exists. */
export interface SchemaFacts {
  readonly owner: string;
  /** Roles other than the owner (or PUBLIC) that hold CREATE on it. */
  readonly creators: readonly string[];
  /** Functions in it, by name. */
  readonly functions: readonly string[];
  /** Functions in it not owned by the owner role, executable by PUBLIC, or not by the monitoring role. */
  readonly misprivileged: readonly string[];
  /** The monitoring role has USAGE on it. */
  readonly monitoringHasUsage: boolean;
}

/** One installed check as recorded in `posemo_checks`. */
export interface RecordedCheck {
  readonly name: string;
  readonly hash: string;
  readonly signature: string;
}

/** The inventory a previous install left, if any. */
export interface Recorded {
  readonly settings: Readonly<Record<string, string>>;
  readonly checks: readonly RecordedCheck[];
}

/** Everything `planInstall` and `planUninstall` need to know about the target. */
export interface InstallState {
  readonly major: number;
  readonly isSuperuser: boolean;
  readonly database: string;
  readonly roles: Readonly<Record<string, RoleFacts | undefined>>;
  readonly schema?: SchemaFacts;
  readonly recorded?: Recorded;
  /** The monitoring role already has CONNECT on the database. */
  readonly monitoringCanConnect: boolean;
}

/** The state of a cluster where nothing of posemo exists yet. */
export function freshState(major: number, database: string): InstallState {
  return { major, isSuperuser: true, database, roles: {}, monitoringCanConnect: false };
}
