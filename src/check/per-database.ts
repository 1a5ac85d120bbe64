/**
 * Checks whose data lives inside each database (`scope: database`: sequences, bloat, vacuum) are
 * installed in every database; here they are called over one connection per database, a few at a
 * time, and their rows are merged into one result: a row titled `!TOTAL`/`!MAX` by the function
 * becomes the database's row (`app`), an object row becomes `app/public.orders`.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import type { ConnectionSettings } from "../db/settings.ts";
import { classifyError, type Failure } from "../db/errors.ts";
import { checkSessionOptions, openSession, type Row } from "../db/session.ts";
import { quoteIdent } from "../db/quote.ts";
import { type CallArguments, callSql } from "./call-sql.ts";
import { DATABASE_OF_ROW, evaluateCheck } from "./evaluate.ts";
import type { Thresholds } from "../catalogue/cell-thresholds.ts";
import { explainCheckError, explainInventoryError, inventoryProblem, readInventory } from "./inventory.ts";
import { type CheckResult, isSummaryTitle, realTitle, worse } from "./result.ts";
import { judgeSchemaTrust, type SchemaTrust, schemaTrustSql } from "./trusted-schema.ts";

/**
 * What one database answered for one check: rows, why there are none, or that posemo is not
 * installed there (`missing`: the command that installs it), which is not judged rather than UNKNOWN,
 * or that it went away after it was listed (`gone`: dropped, closed, invalid), which is left out.
 */
export type DatabaseAnswer =
  | { readonly database: string; readonly rows: readonly Row[] }
  | { readonly database: string; readonly problem: string }
  | { readonly database: string; readonly missing: string }
  | { readonly database: string; readonly gone: true };

/**
 * The databases a database-scope check covers, as the monitoring role lists them: not templates, not
 * closed to connections, not left invalid by an interrupted DROP DATABASE (datconnlimit -2, which
 * refuses every connection; vacuumdb --all skips them too).
 */
export const LIST_DATABASES_SQL =
  "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate AND datconnlimit <> -2 ORDER BY datname";

/**
 * A database dropped, closed to connections or left invalid after it was listed is not there for its
 * applications either: no answer, not UNKNOWN.
 */
function vanished(failure: Failure): boolean {
  return failure.sqlstate === "3D000" ||
    failure.sqlstate === "55000" &&
      (/ is not currently accepting connections$/.test(failure.message) ||
        /^cannot connect to invalid database /.test(failure.message));
}

const PARALLEL_DATABASES = 4;

interface DatabaseRunOptions {
  readonly schema: string;
  readonly timeoutMs: number;
  readonly version: string;
  readonly arguments?: (check: CheckDefinition) => CallArguments;
  /** Called on every answer (rows or error): the run's watchdog sees the server still answering. */
  readonly progress?: () => void;
}

function answer(
  database: string,
  check: CheckDefinition,
  settled: { rows: Row[] } | { error: unknown },
  options: DatabaseRunOptions,
): DatabaseAnswer {
  if ("error" in settled) return { database, problem: explainCheckError(classifyError(settled.error), check, options) };
  return { database, rows: settled.rows };
}

/**
 * The answers of a database where nothing is called (or nothing was answered): posemo's schema is
 * missing, is not to be trusted, or the login or the inventory failed. Undefined: go on.
 */
function refusal(
  database: string,
  checks: readonly CheckDefinition[],
  outcome: SchemaTrust | { error: unknown },
  options: { schema: string; fix: string },
): DatabaseAnswer[] | undefined {
  if ("trusted" in outcome) return undefined;
  if ("untrusted" in outcome) return checks.map(() => ({ database, problem: outcome.untrusted }));
  const failure = "error" in outcome ? classifyError(outcome.error) : undefined;
  if (failure && vanished(failure)) return checks.map(() => ({ database, gone: true as const }));
  if (!failure || failure.kind === "missing-function") return checks.map(() => ({ database, missing: options.fix }));
  const reason = explainInventoryError(failure, options.schema);
  return checks.map(() => ({ database, problem: reason }));
}

/**
 * Calls the checks in one database over its own connection; every failure becomes an answer. Nothing
 * is called before the server said posemo's schema there may be called into (a database owner can
 * create one of that name where posemo is not installed: src/check/trusted-schema.ts); then the
 * calls are pipelined behind the inventory and judged against it when it arrives.
 */
export async function askDatabase(
  settings: ConnectionSettings,
  checks: readonly CheckDefinition[],
  options: DatabaseRunOptions,
  fix = "posemo install",
): Promise<DatabaseAnswer[]> {
  const database = settings.database;
  const session = openSession(settings, checkSessionOptions(options.timeoutMs));
  const answered = options.progress ?? (() => {});
  const settle = (p: Promise<Row[]>) =>
    p.then((rows) => ({ rows }), (error: unknown) => ({ error })).then((s) => {
      answered();
      return s;
    });
  try {
    const trust = await settle(session.query(schemaTrustSql(options.schema)));
    const refused = refusal(database, checks, "rows" in trust ? judgeSchemaTrust(trust.rows, options.schema) : trust, {
      ...options,
      fix,
    });
    if (refused) return refused;
    const inventory = settle(session.query(`SELECT * FROM ${quoteIdent(options.schema)}.posemo_inventory()`));
    const calls = checks.map((check) =>
      settle(session.query(callSql(options.schema, check, options.arguments?.(check))))
    );
    const inv = await inventory;
    if ("error" in inv) return refusal(database, checks, inv, { ...options, fix })!;
    const found = readInventory(inv.rows);
    const settled = await Promise.all(calls);
    return checks.map((check, i) => {
      const problem = inventoryProblem(check, found, options.version);
      if (problem === "not-installed") return { database, missing: fix };
      if (problem) return { database, problem };
      return answer(database, check, settled[i]!, options);
    });
  } finally {
    void session.close();
  }
}

/** Asks every database, at most a few at a time; answers are indexed [database][check]. */
export async function askDatabases(
  base: ConnectionSettings,
  databases: readonly string[],
  checks: readonly CheckDefinition[],
  options: DatabaseRunOptions,
): Promise<DatabaseAnswer[][]> {
  const answers: DatabaseAnswer[][] = new Array(databases.length);
  let next = 0;
  const worker = async () => {
    while (next < databases.length) {
      const i = next++;
      answers[i] = await askDatabase(
        { ...base, database: databases[i]! },
        checks,
        options,
        installCommand(base, options.schema),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_DATABASES, databases.length) }, worker));
  return answers;
}

function shellWord(word: string): string {
  return /^[\w./:@-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** The install command for this server and home database, as a superuser runs it. */
export function installCommand(home: ConnectionSettings, schema: string): string {
  const words = [
    "posemo",
    "install",
    "-H",
    home.host,
    "-p",
    String(home.port),
    "-U",
    "SUPERUSER",
    "--database",
    home.database,
    ...(schema === "posemo" ? [] : ["--schema", schema]),
  ];
  return words.map(shellWord).join(" ").replace("SUPERUSER", "<superuser>");
}

const TITLE = "database";

/** The check as judged across databases: rows titled by database (and object). */
function mergedDefinition(check: CheckDefinition): CheckDefinition {
  if (check.titleColumn) return check;
  return { ...check, titleColumn: TITLE, columns: [{ name: TITLE, type: "text" }, ...check.columns] };
}

/**
 * A database's part of a row title: `/` and `\` escaped with `\` (a database named `app/public.t`
 * is not table public.t of database app) and one more `!` before a leading one (a database named
 * `!TOTAL` is no summary row).
 */
export function databaseTitle(database: string): string {
  return realTitle(database.replace(/[\\/]/g, (c) => `\\${c}`));
}

function retitle(check: CheckDefinition, database: string, row: Row): Row {
  const own = databaseTitle(database);
  if (!check.titleColumn) return { ...row, [TITLE]: own, [DATABASE_OF_ROW]: database };
  const title = String(row[check.titleColumn] ?? "");
  return {
    ...row,
    [check.titleColumn]: isSummaryTitle(title) || title === "" ? own : `${own}/${title}`,
    [DATABASE_OF_ROW]: database,
  };
}

/**
 * Databases without posemo's functions (created from template0, or before the install reached
 * template1): named with the command that installs them. Not UNKNOWN: nothing is wrong with what
 * was judged, and the message says what was not.
 */
function notInstalled(answers: readonly DatabaseAnswer[]): string {
  const missing = answers.filter((a): a is { database: string; missing: string } => "missing" in a);
  if (missing.length === 0) return "";
  const names = missing.map((m) => `"${m.database}"`).join(", ");
  return `database${missing.length > 1 ? "s" : ""} ${names} without posemo's functions (created from template0?): run ${
    missing[0]!.missing
  }`;
}

/** Merges the answers of every database into one result; a database that could not answer makes it UNKNOWN at least. */
export function mergeAnswers(
  check: CheckDefinition,
  given: readonly DatabaseAnswer[],
  thresholds: Thresholds,
): CheckResult {
  const answers = given.filter((a) => !("gone" in a));
  const rows = answers.flatMap((a) => ("rows" in a ? a.rows.map((row) => retitle(check, a.database, row)) : []));
  const evaluated = evaluateCheck(mergedDefinition(check), rows, thresholds);
  const problems = answers.filter((a): a is { database: string; problem: string } => "problem" in a);
  const [judged, ...notes] = evaluated.message.split("; not judged: ");
  const seen = withDatabaseCount(judged!, answers.length);
  const reason = problems.map((p) => `database "${p.database}": ${p.problem}`).join("; ");
  const error = [evaluated.error, reason].filter(Boolean).join("; ");
  // The rows' own notes (objects left out, rows that could not be judged), then the databases.
  const unjudged = [...notes, reason, notInstalled(answers)].filter(Boolean).join("; ");
  const message = unjudged === "" ? seen : `${seen}; not judged: ${unjudged}`;
  if (error === "") return { ...evaluated, message };
  return { ...evaluated, status: worse(evaluated.status, "unknown"), message, error };
}

/** `(worst of 12 rows)` becomes `(worst of 12 rows in 3 databases)`; a message without a row count gets `(3 databases)`. */
function withDatabaseCount(message: string, databases: number): string {
  const rows = / \(((worst of )?\d+ rows)\)$/;
  return rows.test(message)
    ? message.replace(rows, ` ($1 in ${databases} databases)`)
    : `${message} (${databases} databases)`;
}
