/**
 * One log record as pg_logfebe sends it in an `L` frame: the 23 fields in wire order, with the
 * meaning of the csvlog columns of the same names (PostgreSQL manual, "Using CSV-Format Log Output"). The decoder produces it, the formats read it.
 * @module
 */

/**
 * A decoded `L` frame. Nullable strings are pg_logfebe's `P`/`N`-prefixed fields: `null` for `N`, which
 * is not the same as `""` (an unset application_name arrives as `P` with an empty string).
 *
 * `seqNum` and `txid` travel as 64-bit integers but are numbers here: SeqNum counts the records of one
 * process and Txid is a 32-bit xid without epoch, so both stay far below 2^53. A value above 2^53 would
 * be rounded to the nearest representable number, not rejected.
 */
export interface LogRecord {
  /** Time the hook ran, `YYYY-MM-DD HH:MM:SS.mmm ZONE` in log_timezone (ZONE is an abbreviation). */
  readonly logTime: string;
  readonly userName: string | null;
  readonly databaseName: string | null;
  /** Process id of the backend or auxiliary process. */
  readonly pid: number;
  /** `host:port`, `[local]` for unix-socket clients, null for postmaster and auxiliary processes. */
  readonly clientAddr: string | null;
  /** `%lx.%x` of process start time and pid, e.g. `6b011cb9.5b38`. */
  readonly sessionId: string;
  /** Per-process record counter starting at 1; a gap means PostgreSQL failed to deliver records. */
  readonly seqNum: number;
  /** Command tag shown in ps (`SELECT`, `idle`, `authentication`...). */
  readonly psDisplay: string | null;
  /** Process start, `YYYY-MM-DD HH:MM:SS ZONE`. */
  readonly sessionStart: string;
  /** Virtual transaction id `backend/lxid`, null until one exists. */
  readonly vxid: string | null;
  /** Top transaction id, 0 when none was assigned. */
  readonly txid: number;
  /** elog level number; its meaning depends on the PostgreSQL major version (see `elevel.ts`). */
  readonly eLevel: number;
  readonly sqlState: string | null;
  readonly errMessage: string | null;
  readonly errDetail: string | null;
  readonly errHint: string | null;
  readonly internalQuery: string | null;
  /** Position in `internalQuery`, −1 when there is none. */
  readonly internalQueryPos: number;
  readonly errContext: string | null;
  /** The statement, when log_min_error_statement lets it through. */
  readonly userQuery: string | null;
  /** Cursor position in `userQuery`: 0 means no position, −1 no statement. */
  readonly userQueryPos: number;
  /** `function, file:line`, only with log_error_verbosity = verbose. */
  readonly fileErrPos: string | null;
  readonly applicationName: string | null;
}

/** Names of the 23 fields in wire order (for error messages and tests). */
export const LOG_RECORD_FIELDS = [
  "logTime",
  "userName",
  "databaseName",
  "pid",
  "clientAddr",
  "sessionId",
  "seqNum",
  "psDisplay",
  "sessionStart",
  "vxid",
  "txid",
  "eLevel",
  "sqlState",
  "errMessage",
  "errDetail",
  "errHint",
  "internalQuery",
  "internalQueryPos",
  "errContext",
  "userQuery",
  "userQueryPos",
  "fileErrPos",
  "applicationName",
] as const satisfies readonly (keyof LogRecord)[];
