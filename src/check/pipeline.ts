/**
 * The queries of one run, sent at once on one session (postgres.js pipelines them): the login with
 * the question whether posemo's schema may be called into, then the inventory, the custom checks'
 * definitions (`--check all`), the database list and every read-only check; the other databases'
 * sessions for the database-scope checks open meanwhile.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import type { ConnectionSettings } from "../db/settings.ts";
import type { Row, Session } from "../db/session.ts";
import { quoteIdent } from "../db/quote.ts";
import { callSql } from "./call-sql.ts";
import { type Inventory, inventoryProblem, notInstalledHere, readInventory } from "./inventory.ts";
import { judgeSchemaTrust, schemaTrustSql } from "./trusted-schema.ts";
import { CUSTOM_DEFINITIONS_SQL, learntCheck } from "./custom-definitions.ts";
import { askDatabases, type DatabaseAnswer, LIST_DATABASES_SQL } from "./per-database.ts";
import type { RunOptions } from "./run-options.ts";
import { type Settled, settler } from "./settled.ts";

export type AnswersFor = (check: CheckDefinition) => DatabaseAnswer[];
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
export async function pipeline(
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
