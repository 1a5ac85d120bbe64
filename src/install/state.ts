/**
 * What the installer found in the database before planning: the facts `plan` decides from. Reading
 * them is `inspect.ts`; a fresh state (for `--dry-run --server-version N`) is `freshState`.
 * @module
 */
import type { SequenceFacts } from "./sequence-grants.ts";

/** A role's relevant attributes. */
export interface RoleFacts {
  readonly login: boolean;
  readonly superuser: boolean;
  /** The powerful attributes it holds, by keyword: SUPERUSER, CREATEROLE, CREATEDB, BYPASSRLS, REPLICATION. */
  readonly attributes: readonly string[];
  readonly inPgMonitor: boolean;
  /** Holds pg_use_reserved_connections with INHERIT (PostgreSQL 16+; always false before). */
  readonly usesReservedConnections?: boolean;
  /** Roles it is a direct member of. */
  readonly memberOf: readonly string[];
  /** Non-superuser roles that are members of this role (they could act as it). */
  readonly members: readonly string[];
}

/** An object in posemo's schema that neither the owner role nor a superuser owns. */
export interface ForeignObject {
  readonly kind: string;
  readonly name: string;
  readonly owner: string;
}

/** An enabled event trigger whose code a non-superuser controls. */
export interface UntrustedEventTrigger {
  readonly name: string;
  readonly function: string;
  /** The non-superuser who owns the trigger or its function. */
  readonly owner: string;
}

/** The schema, if it exists. */
export interface SchemaFacts {
  readonly owner: string;
  /** The owner is the owner role or a superuser. */
  readonly ownerTrusted: boolean;
  /** Objects in it owned by anyone else. */
  readonly foreign: readonly ForeignObject[];
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
  /** Event triggers that would run a non-superuser's code during the install's DDL. */
  readonly untrustedEventTriggers: readonly UntrustedEventTrigger[];
  /** Who may read which sequences (for the `sequences` check); unknown offline. */
  readonly sequences?: SequenceFacts;
}

/** The state of a cluster where nothing of posemo exists yet. */
export function freshState(major: number, database: string): InstallState {
  return { major, isSuperuser: true, database, roles: {}, monitoringCanConnect: false, untrustedEventTriggers: [] };
}
