/**
 * `posemo checks test`: a custom check tried for real, leaving nothing behind. In one transaction
 * that is always rolled back, throwaway roles and a throwaway schema get the check installed exactly
 * as install would (SECURITY DEFINER, pinned search_path, the declared grants), then each check runs
 * as the throwaway monitoring role. A PostgreSQL error names the SQL file and line it points at.
 * @module
 */
import { randomBytes } from "node:crypto";
import type { CheckDefinition } from "../catalogue/definition.ts";
import { variantFor } from "../catalogue/definition.ts";
import { callSql } from "../check/call-sql.ts";
import type { Row, Session } from "../db/session.ts";
import { inspectCustom } from "./custom-inspect.ts";
import { customProblems, customSteps, declaredPrivileges } from "./custom-plan.ts";
import { inspectInstallation } from "./inspect.ts";
import { planInstall, type Step } from "./plan.ts";
import { quoteIdent } from "../db/quote.ts";
import { type InstallNames } from "./quote.ts";
import { unqualifiedHint } from "./unqualified-hint.ts";

/** What one check gave: its rows, or the error (already placed at its file and line). */
export type TrialAnswer = { readonly check: CheckDefinition; readonly rows: readonly Row[] } | {
  readonly check: CheckDefinition;
  readonly error: string;
};

/** The outcome of a trial: per check its answer, or why nothing could run. */
export interface TrialOutcome {
  readonly major: number;
  readonly answers: readonly TrialAnswer[];
  readonly problems: readonly string[];
}

/** Where each check's SQL files are (the folder), to name them in errors. */
export type FolderOf = (check: CheckDefinition) => string;

class Rollback extends Error {}

function throwawayNames(database: string): InstallNames {
  const schema = `posemo_test_${randomBytes(4).toString("hex")}`;
  return { schema, owner: `${schema}_owner`, monitoring: `${schema}_monitor`, database };
}

/** The pgNN.sql line a server error position points at, when it points into a function body. */
export function bodyLine(sql: string, position: number | undefined): number | undefined {
  const start = sql.indexOf("$posemo$\n");
  if (position === undefined || start < 0 || position - 1 < start + 9) return undefined;
  return sql.slice(start + 9, position - 1).split("\n").length;
}

function serverPosition(error: unknown): number | undefined {
  const positions = error as { position?: string; internal_position?: string };
  const at = Number(positions.position ?? positions.internal_position);
  return Number.isFinite(at) && at > 0 ? at : undefined;
}

/** `dir/pg12.sql:3: syntax error at or near "FORM"`. */
export function placeError(
  error: unknown,
  check: CheckDefinition,
  major: number,
  folder: FolderOf,
  sql?: string,
): string {
  const message = String((error as Error)?.message ?? error).split("\n")[0];
  const file = `${folder(check)}/pg${variantFor(check, major)?.minMajor ?? "NN"}.sql`;
  const line = sql === undefined ? undefined : bodyLine(sql, serverPosition(error));
  return `${file}${line ? `:${line}` : ""}: ${message}${unqualifiedHint(error)}`;
}

async function installSteps(
  tx: Pick<Session, "script">,
  steps: readonly Step[],
  checks: readonly CheckDefinition[],
  major: number,
  folder: FolderOf,
): Promise<string | undefined> {
  for (const step of steps) {
    try {
      await tx.script(step.sql);
    } catch (error) {
      const check = checks.find((c) => c.name === step.check);
      return check ? placeError(error, check, major, folder, step.sql) : String((error as Error)?.message ?? error);
    }
  }
  return undefined;
}

async function runEach(
  tx: Pick<Session, "query">,
  checks: readonly CheckDefinition[],
  names: InstallNames,
  major: number,
  folder: FolderOf,
): Promise<TrialAnswer[]> {
  await tx.query(`SET LOCAL ROLE ${quoteIdent(names.monitoring)}`);
  const answers: TrialAnswer[] = [];
  for (const check of checks) {
    await tx.query("SAVEPOINT posemo_trial");
    try {
      answers.push({ check, rows: await tx.query(callSql(names.schema, check)) });
      await tx.query("RELEASE SAVEPOINT posemo_trial");
    } catch (error) {
      await tx.query("ROLLBACK TO SAVEPOINT posemo_trial");
      answers.push({
        check,
        error: `${placeError(error, check, major, folder)} (while running as the monitoring role)`,
      });
    }
  }
  return answers;
}

/** Installs `checks` into throwaway roles and schema, runs them as the monitoring role, rolls everything back. */
export async function trialRun(
  session: Session,
  database: string,
  version: string,
  checks: readonly CheckDefinition[],
  folder: FolderOf,
): Promise<TrialOutcome> {
  const names = throwawayNames(database);
  const state = await inspectInstallation(session, names);
  const runnable = checks.filter((c) => variantFor(c, state.major));
  const custom = await inspectCustom(session, state, names, declaredPrivileges(runnable));
  const planned = planInstall(runnable, state, { names, version });
  if (!planned.ok) return { major: state.major, answers: [], problems: planned.problems };
  const input = { checks: runnable, changed: runnable.map((c) => c.name), custom, names };
  const problems = customProblems(input);
  if (problems.length > 0) return { major: state.major, answers: [], problems };
  let outcome: TrialOutcome = { major: state.major, answers: [], problems: [] };
  await session.transaction(async (tx) => {
    const failed = await installSteps(
      tx,
      [...planned.plan.steps, ...customSteps(input)],
      runnable,
      state.major,
      folder,
    );
    outcome = failed
      ? { ...outcome, problems: [failed] }
      : { ...outcome, answers: await runEach(tx, runnable, names, state.major, folder) };
    throw new Rollback();
  }).catch((error) => {
    if (!(error instanceof Rollback)) throw error;
  });
  return outcome;
}
