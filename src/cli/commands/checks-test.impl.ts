/**
 * `posemo checks test DIR`: loads the custom checks like install does, tries them in a rolled-back
 * transaction (src/install/custom-trial.ts), prints the result in every output format. Exit 0 when
 * every check installed and ran, 1 when PostgreSQL refused something (each error with file:line).
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CliContext } from "../context.ts";
import { complain, say } from "../context.ts";
import { UserError } from "../../errors.ts";
import { ExitCode } from "../exit-code.ts";
import type { ChecksTestFlags } from "./checks.ts";
import { catalogue } from "../../catalogue/catalogue.generated.ts";
import { loadCustomChecks, loadCustomFolder, withCustomChecks } from "../../catalogue/custom.ts";
import type { CheckDefinition } from "../../catalogue/definition.ts";
import { CatalogueError } from "../../catalogue/parse.ts";
import { evaluateCheck, failedCheck } from "../../check/evaluate.ts";
import type { FleetReport } from "../../check/result.ts";
import { thresholdsFor } from "../../check/select.ts";
import { resolveConnection } from "../../config/connection.ts";
import { type ConnectionSettings } from "../../db/settings.ts";
import { realConnectionEnvironment } from "../../config/environment.ts";
import { type TrialOutcome, trialRun } from "../../install/custom-trial.ts";
import { withSession } from "../../install/session.ts";
import { formatFleet, FORMATS } from "../../output/formats.ts";
import { POSEMO_VERSION } from "../../version.ts";

/** The checks of DIR (a checks directory, or one check's folder) and the folder each came from. */
function load(dir: string): { checks: CheckDefinition[]; folder: (c: CheckDefinition) => string } {
  try {
    if (existsSync(join(dir, "check.yaml"))) return { checks: [loadCustomFolder(dir, catalogue)], folder: () => dir };
    return { checks: loadCustomChecks([dir], catalogue), folder: (c) => join(dir, c.name) };
  } catch (error) {
    if (error instanceof CatalogueError) throw new UserError(`Cannot load custom check: ${error.message}`, "failed");
    throw error;
  }
}

function fleetOf(
  outcome: TrialOutcome,
  settings: ConnectionSettings,
  startedAt: Date,
  durationMs: number,
): FleetReport {
  const defaults = thresholdsFor([]);
  const results = outcome.answers.map((
    a,
  ) => ("rows" in a ? evaluateCheck(a.check, a.rows, defaults(a.check)) : failedCheck(a.check, a.error)));
  const report = {
    host: settings.host,
    port: settings.port,
    database: settings.database,
    serverVersionNum: outcome.major * 10000,
    startedAt,
    durationMs,
    results,
    skipped: [],
  };
  return { hosts: [{ name: settings.host, report }], startedAt, durationMs };
}

export default async function checksTest(this: CliContext, flags: ChecksTestFlags, dir: string): Promise<void> {
  const { checks, folder } = load(dir);
  if (checks.length === 0) throw new UserError(`Cannot test "${dir}": it holds no check folder`, "failed");
  const connectionEnv = realConnectionEnvironment(this.process.env, (line) => complain(this, line));
  const settings = resolveConnection(flags, connectionEnv, { database: "postgres" });
  const startedAt = new Date();
  const t0 = performance.now();
  const outcome = await withSession(
    settings,
    (session) => trialRun(session, settings.database, POSEMO_VERSION, checks, folder),
  );
  for (const problem of outcome.problems) complain(this, `posemo: ${problem}; nothing was left behind (rolled back)`);
  if (outcome.problems.length > 0) return void (this.process.exitCode = ExitCode.failed);
  const fleet = fleetOf(outcome, settings, startedAt, performance.now() - t0);
  const known = withCustomChecks(catalogue, checks);
  for (const format of FORMATS) {
    say(
      this,
      `--- ${format} ---\n${formatFleet(format, fleet, { posemoVersion: POSEMO_VERSION, catalogue: known }).trimEnd()}`,
    );
  }
  for (const answer of outcome.answers) if ("error" in answer) complain(this, `posemo: ${answer.error}`);
  say(
    this,
    `tested ${checks.length} check(s) in throwaway roles and schema as the monitoring role; everything was rolled back`,
  );
  this.process.exitCode = outcome.answers.some((a) => "error" in a) ? ExitCode.failed : ExitCode.ok;
}
