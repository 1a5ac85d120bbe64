/**
 * The write probe. The original timed the INSERT but committed afterwards with no timeout, so a lost
 * synchronous standby hung it forever (B2), and its thresholds never fired (B1). Here the statement
 * runs in autocommit, so the measured time includes the COMMIT and its wait for synchronous standbys;
 * if no answer comes within the critical threshold the client cancels it and reports CRITICAL.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import { classifyError } from "../db/errors.ts";
import type { Session } from "../db/session.ts";
import { quoteIdent } from "../db/quote.ts";
import { evaluateCheck, failedCheck } from "./evaluate.ts";
import type { Thresholds } from "../catalogue/cell-thresholds.ts";
import type { CheckResult } from "./result.ts";

const DEFAULT_DEADLINE_MS = 5000;

/** The deadline: the upper bound of the critical range (e.g. `5` → 5 s), capped by the run timeout. */
export function writeDeadlineMs(thresholds: Thresholds, timeoutMs: number): number {
  const end = thresholds.critical && !thresholds.critical.inside ? thresholds.critical.end : undefined;
  const ms = end !== undefined && Number.isFinite(end) && end > 0 ? end * 1000 : DEFAULT_DEADLINE_MS;
  return Math.min(ms, timeoutMs);
}

/** Runs the probe and judges the client-measured time. */
export async function runWriteable(
  session: Session,
  check: CheckDefinition,
  options: { schema: string; timeoutMs: number; thresholds: (c: CheckDefinition) => Thresholds },
): Promise<CheckResult> {
  const thresholds = options.thresholds(check);
  const deadline = writeDeadlineMs(thresholds, options.timeoutMs);
  const t0 = performance.now();
  const outcome = await session.queryWithDeadline(
    `SELECT * FROM ${quoteIdent(options.schema)}.${quoteIdent(check.name)}()`,
    deadline,
  );
  const seconds = (performance.now() - t0) / 1000;
  if (outcome.cancelled) {
    return failedCheck(
      check,
      `the write did not commit within ${
        deadline / 1000
      } s (a lock on the probe table, or synchronous standbys not answering?)`,
      "critical",
    );
  }
  if (outcome.error) {
    const failure = classifyError(outcome.error);
    if (failure.sqlstate === "25006") {
      return failedCheck(
        check,
        `the server refuses writes: ${failure.message} (default_transaction_read_only is on)`,
        "critical",
      );
    }
    return failedCheck(
      check,
      `cannot write: ${failure.message}`,
      failure.sqlstate === "55P03" ? "critical" : "unknown",
    );
  }
  return evaluateCheck(check, [{ write_time: seconds }], thresholds);
}
