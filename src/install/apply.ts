/**
 * Runs a plan in one transaction, and renders it as the SQL script `--dry-run` prints.
 * @module
 */
import type { Session } from "../db/session.ts";
import type { Step } from "./plan.ts";
import { sqlComment } from "../db/quote.ts";

/** A step failed; everything before it was rolled back. */
export class StepError extends Error {
  constructor(readonly step: Step, cause: unknown) {
    super((cause as Error)?.message ?? String(cause), { cause });
    this.name = "StepError";
  }
}

/** Runs every step in one transaction: all of it happens or none of it does. */
export async function applyPlan(session: Session, steps: readonly Step[]): Promise<void> {
  if (steps.length === 0) return;
  await session.transaction(async (tx) => {
    for (const step of steps) {
      try {
        await tx.script(step.sql);
      } catch (error) {
        throw new StepError(step, error);
      }
    }
  });
}

/** The plan as a psql-runnable script (`BEGIN; ... COMMIT;`), passwords shown redacted. */
export function renderPlan(
  steps: readonly Step[],
  header: readonly string[],
  beforeTransaction: readonly string[] = [],
): string {
  const lines = [...header.map(sqlComment), ...beforeTransaction];
  if (steps.length === 0) return [...lines, "-- nothing to do"].join("\n") + "\n";
  let current: string | undefined;
  const body: string[] = [];
  for (const step of steps) {
    if (step.check !== current && step.check) body.push(`\n${sqlComment(`check ${step.check}`)}`);
    current = step.check;
    body.push(step.shown ?? step.sql);
  }
  return [...lines, "BEGIN;", ...body, "COMMIT;"].join("\n") + "\n";
}
