/**
 * The installer's sessions: each one first gives every setting a database owner could have changed
 * back to its default, and turns a failure to connect or a server error into one line naming the
 * database.
 * @module
 */
import type { ConnectionSettings } from "../db/settings.ts";
import { describeConnection } from "../config/connection.ts";
import { classifyError } from "../db/errors.ts";
import { openSession, type Session } from "../db/session.ts";
import { UserError } from "../errors.ts";
import { printable } from "../safe-text.ts";

type Purpose = "target" | "maintenance";

const MISSING_DATABASE_HINT: Record<Purpose, string> = {
  target: " (pass --create-database to create it)",
  maintenance: " (-d names the maintenance database used to create the target; omit it to use postgres)",
};

function connectionFailure(error: unknown, settings: ConnectionSettings, purpose: Purpose): UserError {
  const failure = classifyError(error);
  const hint = failure.kind === "missing-database" ? MISSING_DATABASE_HINT[purpose] : "";
  return new UserError(
    `Cannot connect to ${describeConnection(settings)}: ${printable(failure.message)}${hint}`,
    "failed",
  );
}

/**
 * The session's first statement. The startup packet pinned the settings that matter (see
 * src/db/session.ts); this returns every other user-settable one that `ALTER DATABASE ... SET` or
 * `ALTER ROLE ALL IN DATABASE ... SET` (both open to a database owner) gave this session to its
 * built-in default, so no setting the installer did not think of is left to a tenant. Settings only
 * a superuser can give (log_statement, pgaudit's) and the superuser's own role settings stay: they
 * are the trusted administrator's, and an audit trail must see the install's DDL too.
 */
const RESET_TENANT_SETTINGS =
  `SELECT pg_catalog.count(pg_catalog.set_config(s.name, coalesce(s.boot_val, ''), false)) AS reset
  FROM pg_catalog.pg_settings AS s
 WHERE s.source OPERATOR(pg_catalog.=) 'database' AND s.context OPERATOR(pg_catalog.=) 'user'`;

export async function withSession<T>(
  settings: ConnectionSettings,
  body: (s: Session) => Promise<T>,
  purpose: Purpose = "maintenance",
): Promise<T> {
  const session = openSession(settings, { lockTimeoutMs: 10_000 });
  try {
    await session.query(RESET_TENANT_SETTINGS).catch((error) => {
      throw connectionFailure(error, settings, purpose);
    });
    return await body(session).catch((error: unknown) => {
      throw serverFailure(settings.database, error);
    });
  } finally {
    await session.close();
  }
}

/**
 * `database "name"` in a message, on one line whatever the name holds: a database's owner may be
 * able to rename it (with CREATEDB), and a newline in the name would forge the next output line.
 */
export function databaseLabel(name: string): string {
  return `database "${printable(name)}"`;
}

/** A server error (not a refusal posemo worded) as one line naming the database: it is no bug of posemo's. */
export function serverFailure(database: string, error: unknown): unknown {
  if (error instanceof UserError) return error;
  return new UserError(`${databaseLabel(database)}: ${printable(classifyError(error).message)}`, "failed");
}
