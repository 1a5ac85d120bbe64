/**
 * Classifies what went wrong talking to PostgreSQL, so `check` can say the right thing. A server
 * that is not there, refuses service (all slots taken, shutting down, starting up) or drops the
 * connection is down for its users: CRITICAL for alive. A refused login, a missing database or a
 * missing privilege is the monitoring set-up's problem: UNKNOWN, naming the fix. Messages read as
 * libpq's do (`no server running on socket ...`), never as the socket layer's (`connect ENOENT`).
 * @module
 */

/** Why a session failed. */
export type FailureKind =
  | "unreachable"
  | "timeout"
  | "lost"
  | "refused"
  | "role-limit"
  | "auth"
  | "privilege"
  | "missing-database"
  | "missing-function"
  | "cancelled"
  | "locked"
  | "server";

/** A classified failure with a one-line message (never containing a password). */
export interface Failure {
  readonly kind: FailureKind;
  readonly message: string;
  readonly sqlstate?: string;
}

const LOST_CODES = new Set(["ECONNRESET", "EPIPE", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED"]);

const SQLSTATE_KINDS: Record<string, FailureKind> = {
  "28P01": "auth",
  "28000": "auth",
  "42501": "privilege",
  "3D000": "missing-database",
  "42883": "missing-function",
  "3F000": "missing-function",
  "57014": "cancelled",
  "55P03": "locked",
  "57P01": "lost",
  "57P02": "lost",
  "57P03": "refused",
};

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}

/** Where a socket-level error was trying to go, as libpq words it. */
function target(e: { address?: string; port?: number; hostname?: string }): string {
  if (e.address?.includes("/.s.PGSQL.")) return `on socket "${e.address}"`;
  if (e.address !== undefined) return `at "${e.address}"${e.port !== undefined ? `, port ${e.port}` : ""}`;
  return e.hostname !== undefined ? `at "${e.hostname}"` : "";
}

function socketFailure(code: string, e: { address?: string; port?: number; hostname?: string }): Failure | undefined {
  const where = target(e);
  switch (code) {
    case "ENOENT":
      return { kind: "unreachable", message: `no server running ${where} (the socket file does not exist)` };
    case "ECONNREFUSED":
      return { kind: "unreachable", message: `no server accepting connections ${where} (connection refused)` };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return {
        kind: "unreachable",
        message: `could not translate host name ${where.replace(/^at /, "")} to an address`,
      };
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return { kind: "unreachable", message: `no route to the server ${where}` };
    case "CONNECT_TIMEOUT":
    case "ETIMEDOUT":
      return { kind: "timeout", message: "connection timed out" };
  }
  if (LOST_CODES.has(code)) return { kind: "lost", message: "server closed the connection unexpectedly" };
  return undefined;
}

/**
 * 53xxx (no slot, no memory, no disk), 57P03 (starting up, shutting down, in recovery) and 08xxx
 * refuse service; 57P01/57P02 end a session that was in (terminated, shut down, another backend
 * crashed). A role's own CONNECTION LIMIT is the monitoring set-up's.
 */
function sqlstateKind(code: string, message: string): FailureKind {
  if (code === "53300" && message.startsWith("too many connections for role")) return "role-limit";
  if (code.startsWith("53") || code.startsWith("08")) return "refused";
  return SQLSTATE_KINDS[code] ?? "server";
}

/**
 * 42804 (a function's rows not of the declared shape, as a custom check's plpgsql body can return)
 * says which column and types only in its DETAIL; that detail names types, never data, so it is kept.
 */
function shapeMessage(message: string, error: unknown): string {
  const e = error as { code?: string; detail?: string };
  return e.code === "42804" && e.detail ? `${message}: ${firstLine(e.detail)}` : message;
}

/** Turns a thrown value from postgres.js or the socket layer into a Failure. */
export function classifyError(error: unknown): Failure {
  const e = error as { code?: string; message?: string; address?: string; port?: number; hostname?: string };
  const code = e?.code ?? "";
  const message = firstLine(e?.message ?? String(error));
  const socket = socketFailure(code, e ?? {});
  if (socket) return socket;
  if (/^[0-9A-Z]{5}$/.test(code)) {
    return {
      kind: sqlstateKind(code, shapeMessage(message, error)),
      message: shapeMessage(message, error),
      sqlstate: code,
    };
  }
  return { kind: "server", message };
}

/** True for failures that mean the server is down for its users: not there, refusing service, or gone mid-run. */
export function meansServerDown(failure: Failure): boolean {
  return failure.kind === "unreachable" || failure.kind === "timeout" || failure.kind === "lost" ||
    failure.kind === "refused";
}
