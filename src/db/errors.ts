/**
 * Classifies what went wrong talking to PostgreSQL, so `check` can say the right thing: an
 * unreachable server is CRITICAL for alive; a refused login or a missing privilege is UNKNOWN and
 * says which privilege; anything else is UNKNOWN with the server's message.
 * @module
 */

/** Why a session failed. */
export type FailureKind = "unreachable" | "timeout" | "auth" | "privilege" | "missing-database" | "missing-function" | "cancelled" | "server";

/** A classified failure with a one-line message (never containing a password). */
export interface Failure {
  readonly kind: FailureKind;
  readonly message: string;
  readonly sqlstate?: string;
}

const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOENT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNRESET", "EPIPE", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED"]);

const SQLSTATE_KINDS: Record<string, FailureKind> = {
  "28P01": "auth",
  "28000": "auth",
  "42501": "privilege",
  "3D000": "missing-database",
  "42883": "missing-function",
  "3F000": "missing-function",
  "57014": "cancelled",
};

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}

/** Turns a thrown value from postgres.js or the socket layer into a Failure. */
export function classifyError(error: unknown): Failure {
  const e = error as { code?: string; message?: string; errno?: string };
  const code = e?.code ?? "";
  const message = firstLine(e?.message ?? String(error));
  if (code === "CONNECT_TIMEOUT" || code === "ETIMEDOUT") return { kind: "timeout", message: "connection timed out" };
  if (UNREACHABLE_CODES.has(code)) return { kind: "unreachable", message };
  if (/^[0-9A-Z]{5}$/.test(code)) return { kind: SQLSTATE_KINDS[code] ?? "server", message, sqlstate: code };
  return { kind: "server", message };
}

/** True for failures that mean the server could not be reached at all. */
export function isUnreachable(failure: Failure): boolean {
  return failure.kind === "unreachable" || failure.kind === "timeout";
}
