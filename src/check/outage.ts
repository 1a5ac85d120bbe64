/**
 * What the checks say when the server is down for its users: refusing connections, gone during the
 * run, silent past the watchdog, or stalled on its first query (frozen, or a system catalog locked).
 * alive turns CRITICAL with the reason; the other checks are not run.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import { classifyError, type Failure, meansServerDown } from "../db/errors.ts";
import { checkSessionOptions, type Row, type Session } from "../db/session.ts";
import { failedCheck } from "./evaluate.ts";
import { explainInventoryError } from "./inventory.ts";
import type { CheckResult } from "./result.ts";
import type { Settled } from "./settled.ts";

/** What alive says when the server is down for its users: refusing service is not the same as absent. */
function downReason(failure: Failure): string {
  if (failure.kind === "refused") return `the server refuses connections: ${failure.message}`;
  if (failure.kind === "lost") return `connection lost: ${failure.message}`;
  return `cannot connect: ${failure.message}`;
}

/** Whether a system catalog (oid below 16384) is held in ACCESS EXCLUSIVE mode by another session. */
const CATALOG_LOCKED_SQL = `SELECT pg_catalog.count(*) > 0 AS locked FROM pg_catalog.pg_locks AS l
 WHERE l.locktype OPERATOR(pg_catalog.=) 'relation' AND l.granted AND l.mode OPERATOR(pg_catalog.=) 'AccessExclusiveLock'
   AND l.relation OPERATOR(pg_catalog.<) 16384::pg_catalog.oid`;

/**
 * The login succeeded but posemo's first query, the smallest it sends, got no answer within the
 * timeout. A frozen server, or a system catalog locked by another session (a question about the
 * locks then stalls too, or finds it), stalls the applications' new queries the same way: the
 * server is down for its users, as when it freezes after the login. Only posemo's own tables
 * locked (a posemo install running) is no outage.
 */
export async function firstQueryStalled(
  failure: Failure,
  session: Session,
  settle: (p: Promise<Row[]>) => Promise<Settled>,
  timeoutMs: number,
): Promise<string | undefined> {
  if (failure.kind === "cancelled") {
    return `the server accepted the login but gave no answer to its first query within ${
      timeoutMs / 1000
    } s: ${failure.message}`;
  }
  if (failure.kind !== "locked") return undefined;
  const probe = await settle(session.query(CATALOG_LOCKED_SQL));
  if ("rows" in probe && probe.rows[0]?.locked !== true) return undefined;
  const waited = checkSessionOptions(timeoutMs).lockTimeoutMs! / 1000;
  return `the server accepted the login but its first query waited ${waited} s for a lock on a system catalog another session holds: ${failure.message}`;
}

export function connectFailed(
  checks: readonly CheckDefinition[],
  schema: string,
  error: unknown,
  stalled?: string,
): CheckResult[] {
  const failure = classifyError(error);
  const down = stalled !== undefined || meansServerDown(failure);
  const reason = stalled ?? (down ? downReason(failure) : explainInventoryError(failure, schema));
  return checks.map((
    c,
  ) => (c.name === "alive" && down
    ? failedCheck(c, reason, "critical")
    : failedCheck(c, down ? `not run: ${reason}` : reason))
  );
}

/**
 * A server that went away after the login (crashed, shut down, the session terminated) is down even
 * if alive's own answer came first: alive turns CRITICAL with the reason the other checks saw.
 */
export function serverLostDuringRun(results: CheckResult[], settled: readonly Settled[]): CheckResult[] {
  const lost = settled.map((s) => ("error" in s ? classifyError(s.error) : undefined)).find((f) =>
    f !== undefined && meansServerDown(f)
  );
  if (!lost) return results;
  const reason = `the server went away during the run: ${lost.message}`;
  return results.map((r) => (r.name === "alive" ? failedCheck(r, reason, "critical") : r));
}

/** What every check says when the watchdog fired: alive CRITICAL, the rest not run. */
export function stoppedAnswering(
  checks: readonly CheckDefinition[],
  ms: number,
): { results: CheckResult[]; inventory?: undefined } {
  const reason = `the server stopped answering: no answer within ${ms / 1000} s`;
  return {
    results: checks.map((
      c,
    ) => (c.name === "alive" ? failedCheck(c, reason, "critical") : failedCheck(c, reason))),
  };
}
