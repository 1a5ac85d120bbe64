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
import { classifyError, type Failure, meansServerDown } from "../db/errors.ts";
import { checkSessionOptions, openSession, type Row, type Session } from "../db/session.ts";
import { quoteIdent } from "../db/quote.ts";
import { type CallArguments, callSql } from "./call-sql.ts";
import { evaluateCheck, failedCheck } from "./evaluate.ts";
import type { Thresholds } from "../catalogue/cell-thresholds.ts";
import {
  explainCheckError,
  explainInventoryError,
  type Inventory,
  inventoryProblem,
  notInstalledHere,
  readInventory,
  staleInstall,
} from "./inventory.ts";
import { judgeSchemaTrust, schemaTrustSql } from "./trusted-schema.ts";
import type { CheckResult, RunReport } from "./result.ts";
import { runWriteable } from "./writeable.ts";
import { guarded } from "./watchdog.ts";
import { CUSTOM_DEFINITIONS_SQL, learntCheck } from "./custom-definitions.ts";
import { askDatabases, type DatabaseAnswer, LIST_DATABASES_SQL, mergeAnswers } from "./per-database.ts";

/** What to run and how. */
export interface RunOptions {
  readonly schema: string;
  readonly checks: readonly CheckDefinition[];
  /** `--check all`: run what is installed, skip what is not. */
  readonly all: boolean;
  readonly timeoutMs: number;
  readonly version: string;
  /** Thresholds per check name (defaults or -w/-c). */
  readonly thresholds: (check: CheckDefinition) => Thresholds;
  /** Argument values per check (configuration `arguments:`, `--arg`); unset ones keep the function's defaults. */
  readonly arguments?: (check: CheckDefinition) => CallArguments;
  /**
   * `--check all`: the run also asks for the custom checks installed on the server (in the same
   * session, pipelined with the inventory) and runs with the options this returns for them.
   */
  readonly learn?: (custom: readonly CheckDefinition[]) => RunOptions;
}

type Settled = { rows: Row[] } | { error: unknown };

/** Every answer (rows or an error) shows the server is still answering: `touch` tells the watchdog. */
function settler(touch: () => void): (promise: Promise<Row[]>) => Promise<Settled> {
  return (promise) =>
    promise.then((rows) => {
      touch();
      return { rows };
    }, (error) => {
      touch();
      return { error };
    });
}

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
async function firstQueryStalled(
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

function connectFailed(options: RunOptions, error: unknown, stalled?: string): CheckResult[] {
  const failure = classifyError(error);
  const down = stalled !== undefined || meansServerDown(failure);
  const reason = stalled ?? (down ? downReason(failure) : explainInventoryError(failure, options.schema));
  return options.checks.map((
    c,
  ) => (c.name === "alive" && down
    ? failedCheck(c, reason, "critical")
    : failedCheck(c, down ? `not run: ${reason}` : reason))
  );
}

function judgeOne(
  check: CheckDefinition,
  settled: Settled,
  inventory: Inventory,
  options: RunOptions,
): CheckResult | undefined {
  const problem = inventoryProblem(check, inventory, options.version);
  if (
    options.all && (problem === "not-installed" || !variantFor(check, Math.floor(inventory.serverVersionNum / 10000)))
  ) return undefined;
  if (problem) {
    return failedCheck(
      check,
      problem === "not-installed" ? `check "${check.name}" is not installed: run posemo install` : problem,
    );
  }
  if ("error" in settled) return failedCheck(check, explainCheckError(classifyError(settled.error), check, options));
  return evaluateCheck(check, settled.rows, options.thresholds(check));
}

/**
 * A server that went away after the login (crashed, shut down, the session terminated) is down even
 * if alive's own answer came first: alive turns CRITICAL with the reason the other checks saw.
 */
function serverLostDuringRun(results: CheckResult[], settled: readonly Settled[]): CheckResult[] {
  const lost = settled.map((s) => ("error" in s ? classifyError(s.error) : undefined)).find((f) =>
    f !== undefined && meansServerDown(f)
  );
  if (!lost) return results;
  const reason = `the server went away during the run: ${lost.message}`;
  return results.map((r) => (r.name === "alive" ? failedCheck(r, reason, "critical") : r));
}

/** alive, judged as ever, also says when the functions are another posemo version's (changed checks wait for install). */
function noteStaleInstall(results: CheckResult[], inventory: Inventory, options: RunOptions): CheckResult[] {
  const stale = staleInstall(inventory, options.version);
  if (!stale) return results;
  return results.map((
    r,
  ) => (r.name === "alive" && r.status === "ok" ? { ...r, message: `${r.message}; ${stale}` } : r));
}

type AnswersFor = (check: CheckDefinition) => DatabaseAnswer[];
const NO_OTHERS: AnswersFor = () => [];

/** What the pipeline got back: the inventory (or why there is none) and the read-only checks' answers. */
interface Pipelined {
  readonly inventory: Settled | { refused: string };
  readonly options: RunOptions;
  readonly readOnly: readonly CheckDefinition[];
  readonly settled: readonly Settled[];
  readonly answersFor: AnswersFor;
}

/**
 * The question whether posemo's schema may be called into starts the login; the inventory and the
 * checks are queued once it said yes (so they cost one round trip more than the login). The
 * database list goes first, so the other databases' connections (database-scope checks) open while
 * the home database is still answering its checks.
 */
async function pipeline(
  session: Session,
  settings: ConnectionSettings,
  given: RunOptions,
  touch: () => void,
): Promise<Pipelined> {
  const settle = settler(touch);
  const refused = await untrustedSchema(session, given.schema, settle);
  if (refused) return { inventory: refused, options: given, readOnly: [], settled: [], answersFor: NO_OTHERS };
  const inventory = settle(session.query(`SELECT * FROM ${quoteIdent(given.schema)}.posemo_inventory()`));
  const definitions = given.learn ? settle(session.query(CUSTOM_DEFINITIONS_SQL(given.schema))) : undefined;
  const options = definitions ? given.learn!(learntChecks(await definitions)) : given;
  const readOnly = options.checks.filter((c) => !c.writes);
  const listing = options.checks.some((c) => c.scope === "database")
    ? settle(session.query(LIST_DATABASES_SQL))
    : Promise.resolve({ rows: [] });
  const results = readOnly.map((c) => settle(session.query(callSql(options.schema, c, options.arguments?.(c)))));
  const others = Promise.all([inventory, listing]).then(([inv, listed]) => {
    if ("error" in inv || !("rows" in listed)) return NO_OTHERS;
    const databases = listed.rows.map((r) => String(r.datname));
    return otherAnswers(settings, databases, readInventory(inv.rows), { ...options, progress: touch });
  });
  return {
    inventory: await inventory,
    options,
    readOnly,
    settled: await Promise.all(results),
    answersFor: await others,
  };
}

/**
 * The login and the question whether posemo's schema may be called into (src/check/trusted-schema.ts):
 * undefined when it may, else what stands for the inventory's answer (the login's failure, or why not).
 */
async function untrustedSchema(
  session: Session,
  schema: string,
  settle: (promise: Promise<Row[]>) => Promise<Settled>,
): Promise<Settled | { refused: string } | undefined> {
  const answer = await settle(session.query(schemaTrustSql(schema)));
  if ("error" in answer) return answer;
  const trust = judgeSchemaTrust(answer.rows, schema);
  if ("trusted" in trust) return undefined;
  return { refused: "missing" in trust ? notInstalledHere(schema) : trust.untrusted };
}

/** The custom checks a host's definitions query returned (none when it failed: nothing custom installed). */
function learntChecks(settled: Settled): CheckDefinition[] {
  if ("error" in settled) return [];
  return settled.rows.map((r) => learntCheck(String(r.name), String(r.definition))).filter((c): c is CheckDefinition =>
    c !== undefined
  );
}

/** The other databases' answers for the database-scope checks that are installed at home. */
async function otherAnswers(
  settings: ConnectionSettings,
  databases: readonly string[],
  inventory: Inventory,
  options: RunOptions & { progress: () => void },
): Promise<AnswersFor> {
  const checks = options.checks.filter((c) =>
    c.scope === "database" && inventoryProblem(c, inventory, options.version) === undefined
  );
  const others = databases.filter((d) => d !== settings.database);
  const answers = checks.length === 0 ? [] : await askDatabases(settings, others, checks, options);
  return (check) => answers.map((perDb) => perDb[checks.indexOf(check)]!).filter(Boolean);
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
    return { results: connectFailed(options, inv.error, stalled) };
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
  const problem = inventoryProblem(check, inventory, options.version);
  if (
    options.all && (problem === "not-installed" || !variantFor(check, Math.floor(inventory.serverVersionNum / 10000)))
  ) return undefined;
  if (problem) {
    return failedCheck(
      check,
      problem === "not-installed" ? `check "${check.name}" is not installed: run posemo install` : problem,
    );
  }
  return runWriteable(session, check, options);
}

function skippedFor(options: RunOptions, major: number | undefined): string[] {
  if (major === undefined) return [];
  return options.checks.filter((c) => !variantFor(c, major)).map((c) => c.name);
}

/** What every check says when the watchdog fired: alive CRITICAL, the rest not run. */
function stoppedAnswering(options: RunOptions, ms: number): { results: CheckResult[]; inventory?: undefined } {
  const reason = `the server stopped answering: no answer within ${ms / 1000} s`;
  return {
    results: options.checks.map((
      c,
    ) => (c.name === "alive" ? failedCheck(c, reason, "critical") : failedCheck(c, reason))),
  };
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
    () => stoppedAnswering(options, silence),
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
