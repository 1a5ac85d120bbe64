/**
 * Runs checks on one connection as the monitoring role. Once the server said that posemo's schema
 * may be called into (its first round trip, with the login), the inventory and every read-only
 * check are sent at once (postgres.js pipelines them), so a full run costs one round trip more;
 * `writeable` runs last and alone, under its own deadline, because its COMMIT may wait for
 * synchronous standbys, which no statement_timeout covers.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import { variantFor } from "../catalogue/definition.ts";
import type { ConnectionSettings } from "../db/settings.ts";
import { classifyError } from "../db/errors.ts";
import { checkSessionOptions, openSession, type Session } from "../db/session.ts";
import { evaluateCheck, failedCheck } from "./evaluate.ts";
import { explainCheckError, type Inventory, inventoryProblem, readInventory, staleInstall } from "./inventory.ts";
import type { CheckResult, RunReport } from "./result.ts";
import { runWriteable } from "./writeable.ts";
import { guarded } from "./watchdog.ts";
import { type DatabaseAnswer, mergeAnswers } from "./per-database.ts";
import { connectFailed, firstQueryStalled, serverLostDuringRun, stoppedAnswering } from "./outage.ts";
import { pipeline } from "./pipeline.ts";
import type { RunOptions } from "./run-options.ts";
import { type Settled, settler } from "./settled.ts";

/**
 * Whether the check cannot run here: false when it can; undefined when `--check all` leaves it out
 * (not installed, or no SQL for this major); else its failed result.
 */
function cannotRun(check: CheckDefinition, inventory: Inventory, options: RunOptions): CheckResult | undefined | false {
  const problem = inventoryProblem(check, inventory, options.version);
  if (
    options.all && (problem === "not-installed" || !variantFor(check, Math.floor(inventory.serverVersionNum / 10000)))
  ) return undefined;
  if (!problem) return false;
  return failedCheck(
    check,
    problem === "not-installed" ? `check "${check.name}" is not installed: run posemo install` : problem,
  );
}

function judgeOne(
  check: CheckDefinition,
  settled: Settled,
  inventory: Inventory,
  options: RunOptions,
): CheckResult | undefined {
  const blocked = cannotRun(check, inventory, options);
  if (blocked !== false) return blocked;
  if ("error" in settled) return failedCheck(check, explainCheckError(classifyError(settled.error), check, options));
  return evaluateCheck(check, settled.rows, options.thresholds(check));
}

/** alive, judged as ever, also says when the functions are another posemo version's (changed checks wait for install). */
function noteStaleInstall(results: CheckResult[], inventory: Inventory, options: RunOptions): CheckResult[] {
  const stale = staleInstall(inventory, options.version);
  if (!stale) return results;
  return results.map((
    r,
  ) => (r.name === "alive" && r.status === "ok" ? { ...r, message: `${r.message}; ${stale}` } : r));
}

function judgeDatabaseScope(
  check: CheckDefinition,
  home: Settled,
  inventory: Inventory,
  others: DatabaseAnswer[],
  settings: ConnectionSettings,
  options: RunOptions,
): CheckResult | undefined {
  const single = judgeOne(check, home, inventory, options);
  if (!single || single.status === "unknown" && inventoryProblem(check, inventory, options.version)) return single;
  const homeAnswer: DatabaseAnswer = "error" in home
    ? { database: settings.database, problem: explainCheckError(classifyError(home.error), check, options) }
    : { database: settings.database, rows: home.rows };
  return mergeAnswers(check, [homeAnswer, ...others], options.thresholds(check));
}

async function runAll(
  session: Session,
  settings: ConnectionSettings,
  given: RunOptions,
  touch: () => void,
): Promise<{ results: CheckResult[]; inventory?: Inventory }> {
  const { inventory: inv, options, readOnly, settled, answersFor } = await pipeline(session, settings, given, touch);
  if ("refused" in inv) return { results: options.checks.map((c) => failedCheck(c, inv.refused)) };
  if ("error" in inv) {
    const stalled = await firstQueryStalled(classifyError(inv.error), session, settler(touch), options.timeoutMs);
    return { results: connectFailed(options.checks, options.schema, inv.error, stalled) };
  }
  const inventory = readInventory(inv.rows);
  const results: CheckResult[] = [];
  for (const check of options.checks) {
    const home = settled[readOnly.indexOf(check)]!;
    const result = check.writes
      ? await runWriteableChecked(session, check, inventory, options).finally(touch)
      : check.scope === "database"
      ? judgeDatabaseScope(check, home, inventory, answersFor(check), settings, options)
      : judgeOne(check, home, inventory, options);
    if (result) results.push(result);
  }
  return { results: serverLostDuringRun(noteStaleInstall(results, inventory, options), settled), inventory };
}

async function runWriteableChecked(
  session: Session,
  check: CheckDefinition,
  inventory: Inventory,
  options: RunOptions,
): Promise<CheckResult | undefined> {
  const blocked = cannotRun(check, inventory, options);
  if (blocked !== false) return blocked;
  return runWriteable(session, check, options);
}

function skippedFor(options: RunOptions, major: number | undefined): string[] {
  if (major === undefined) return [];
  return options.checks.filter((c) => !variantFor(c, major)).map((c) => c.name);
}

/** Connects, runs the checks, and always returns a report (failures are results, not exceptions). */
export async function runChecks(settings: ConnectionSettings, options: RunOptions): Promise<RunReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const session = openSession(settings, checkSessionOptions(options.timeoutMs));
  // A login, then one statement, each within its own timeout: a longer silence is a server that stopped answering.
  const silence = settings.connectTimeoutMs + options.timeoutMs + 2000;
  const { results, inventory } = await guarded<{ results: CheckResult[]; inventory?: Inventory }>(
    silence,
    (touch) => runAll(session, settings, options, touch),
    () => stoppedAnswering(options.checks, silence),
  );
  const major = inventory ? Math.floor(inventory.serverVersionNum / 10000) : undefined;
  const skipped = skippedFor(options, major);
  const report: RunReport = {
    host: settings.host,
    port: settings.port,
    database: settings.database,
    ...(session.parameter("server_version")
      ? { serverVersion: session.parameter("server_version")!.split(" ")[0]! }
      : {}),
    ...(inventory ? { serverVersionNum: inventory.serverVersionNum } : {}),
    startedAt,
    durationMs: performance.now() - t0,
    results,
    skipped,
  };
  void session.close();
  return report;
}
