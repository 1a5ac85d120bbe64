/**
 * The install command's flow: create the database if asked, inspect, plan, then print (`--dry-run`)
 * or apply, and report. Sessions are opened here; planning stays pure.
 * @module
 */
import type { ConnectionSettings } from "../db/settings.ts";
import { describeConnection } from "../config/connection.ts";
import type { Session } from "../db/session.ts";
import { UserError } from "../errors.ts";
import { applyPlan, renderPlan, StepError } from "./apply.ts";
import { inspectInstallation } from "./inspect.ts";
import { inspectSequences } from "./sequence-grants.ts";
import type { InstallPlan } from "./plan.ts";
import { reservedSchemaProblem } from "./preconditions.ts";
import { quoteIdent, quoteLiteral, sqlComment } from "../db/quote.ts";
import { printable } from "../safe-text.ts";
import { freshState, type InstallState } from "./state.ts";
import { freshCustomState, inspectCustom } from "./custom-inspect.ts";
import { declaredPrivileges } from "./custom-plan.ts";
import { checksFor, planOrRefuse, type Scope, wanted } from "./database-plan.ts";
import type { InstallOutput, InstallRequest } from "./request.ts";
import { databaseLabel, serverFailure, withSession } from "./session.ts";
import { unqualifiedHint } from "./unqualified-hint.ts";

async function databaseExists(session: Session, name: string): Promise<boolean> {
  const rows = await session.query(
    `SELECT 1 FROM pg_catalog.pg_database AS d WHERE d.datname OPERATOR(pg_catalog.=) ${quoteLiteral(name)}`,
  );
  return rows.length > 0;
}

/** Creates the target database through the maintenance connection when it is missing. */
async function ensureDatabase(
  maintenance: ConnectionSettings,
  request: InstallRequest,
  out: InstallOutput,
): Promise<boolean> {
  return withSession(maintenance, async (session) => {
    if (await databaseExists(session, request.names.database)) return false;
    const sql = `CREATE DATABASE ${quoteIdent(request.names.database)};`;
    if (request.dryRun) {
      out.print(
        `${sqlComment(`${databaseLabel(request.names.database)} does not exist; it would be created:`)}\n${sql}`,
      );
    } else await session.query(sql);
    return true;
  });
}

/** Puts the database in front of each line of a refusal that does not name it already. */
function inDatabase(database: string, error: UserError): UserError {
  const label = databaseLabel(database);
  const lines = error.message.split("\nposemo: ").map((line) => (line.includes(label) ? line : `${label}: ${line}`));
  return new UserError(lines.join("\nposemo: "), error.failure);
}

/**
 * Any failure in one database as one line naming it (a server error mid-inspection is no bug of
 * posemo's). A refusal in the home database, which the user named, is left as it is.
 */
function databaseFailure(database: string, error: unknown, scope: Scope): UserError {
  if (error instanceof UserError) return scope === "home" ? error : inDatabase(database, error);
  return serverFailure(database, error) as UserError;
}

function summary(plan: InstallPlan, state: InstallState, request: InstallRequest): string[] {
  const where = `${databaseLabel(state.database)} schema "${request.names.schema}" (PostgreSQL ${state.major})`;
  if (request.uninstall) return [`posemo uninstalled from ${where}: ${plan.removed.length} checks removed`];
  const head = plan.steps.length === 0
    ? `posemo ${request.version} is installed and up to date in ${where}: ${plan.unchanged.length} checks`
    : `posemo ${request.version} installed in ${where}: ${plan.installed.length} installed, ${plan.unchanged.length} unchanged, ${plan.removed.length} removed`;
  return [head, ...skippedLines(plan)];
}

async function applyOrFail(session: Session, plan: InstallPlan, database: string, uninstall: boolean): Promise<void> {
  try {
    await applyPlan(session, plan.steps);
  } catch (error) {
    if (!(error instanceof StepError)) throw error;
    const what = error.step.check ? `check "${error.step.check}"` : "posemo";
    const action = uninstall ? `uninstall ${what} from` : `install ${what} in`;
    // The server's DETAIL says what is in the way (e.g. "privileges for table t" when a role cannot be dropped).
    const detail = (error.cause as { detail?: string } | undefined)?.detail?.split("\n")[0];
    const hint = error.step.check ? unqualifiedHint(error.cause) : "";
    throw new UserError(
      `Cannot ${action} ${databaseLabel(database)}: ${printable(error.message.split("\n")[0]!)}${
        detail ? ` (${printable(detail)})` : ""
      }${hint}; nothing was changed in that database (rolled back)`,
      "failed",
    );
  }
}

function skippedLines(plan: InstallPlan): string[] {
  return plan.skipped.map((s) => `skipped ${s.name}: ${s.reason}`);
}

/** Prints the plan for a server that is not connected to (`--dry-run --server-version N`). */
export function dryRunOffline(major: number, request: InstallRequest, out: InstallOutput): void {
  const state = freshState(major, request.names.database);
  const result = planOrRefuse(state, freshCustomState(), request, request.createDatabase);
  const before = request.createDatabase
    ? [`CREATE DATABASE ${quoteIdent(request.names.database)};`, `\\connect ${quoteIdent(request.names.database)}`]
    : [];
  const header = [
    `posemo ${request.version} install plan for PostgreSQL ${major} (offline: assumes nothing is installed)`,
    ...skippedLines(result),
  ];
  out.print(renderPlan(result.steps, header, before).trimEnd());
}

async function dropCreatedDatabase(maintenance: ConnectionSettings, name: string, out: InstallOutput): Promise<void> {
  await withSession(maintenance, async (session) => {
    await session.query(`DROP DATABASE ${quoteIdent(name)}`);
    out.print(`dropped ${databaseLabel(name)} (created by posemo install)`);
  });
}

/**
 * Inspects, plans and applies (or prints) in one database; returns whether to drop it afterwards. Any
 * failure comes out as one line naming the database.
 */
async function installInto(
  settings: ConnectionSettings,
  request: InstallRequest,
  scope: Scope,
  createdDatabase: boolean,
  out: InstallOutput,
): Promise<boolean> {
  return withSession(settings, async (session) => {
    const state = {
      ...(await inspectInstallation(session, request.names)),
      sequences: await inspectSequences(session, request.names),
    };
    const declared = declaredPrivileges(checksFor(scope, request).filter((c) => c.custom));
    const custom = await inspectCustom(session, state, request.names, declared);
    if (!wanted(scope, request, state, custom)) return false;
    const installPlan = planOrRefuse(state, custom, request, createdDatabase, scope);
    if (request.dryRun) {
      out.print(
        renderPlan(installPlan.steps, [
          `posemo ${request.version} plan for ${describeConnection(settings)}`,
          ...skippedLines(installPlan),
        ]).trimEnd(),
      );
      return false;
    }
    await applyOrFail(session, installPlan, state.database, request.uninstall);
    for (const line of summary(installPlan, state, request)) out.print(line);
    if (scope !== "home" || !request.uninstall || state.recorded?.settings.created_database !== "true") return false;
    return keepOrDrop(session, request.names.database, out);
  }, "target").catch((error: unknown) => {
    throw databaseFailure(settings.database, error, scope);
  });
}

async function otherDatabases(settings: ConnectionSettings, home: string): Promise<string[]> {
  return withSession(settings, async (session) => {
    // template1 too: CREATE DATABASE copies it, so a database created after the install already has
    // the database-scope checks (one created from template0 does not: check names it and the fix).
    const rows = await session.query(`SELECT d.datname FROM pg_catalog.pg_database AS d
      WHERE d.datallowconn AND (NOT d.datistemplate OR d.datname OPERATOR(pg_catalog.=) 'template1')
        AND d.datname OPERATOR(pg_catalog.<>) ${quoteLiteral(home)} ORDER BY d.datname`);
    return rows.map((r) => r.datname as string);
  }, "target");
}

/**
 * The other databases: one that refuses or fails is reported (one line naming it) and the rest are
 * still processed, each in its own transaction, so one tenant's database cannot keep posemo out of
 * everyone else's; the run then fails as a whole.
 */
async function installOthers(
  others: readonly ConnectionSettings[],
  request: InstallRequest,
  out: InstallOutput,
): Promise<number> {
  let failed = 0;
  for (const settings of others) {
    try {
      await installInto(settings, request, "other", false, out);
    } catch (error) {
      failed++;
      out.warn(`posemo: ${databaseFailure(settings.database, error, "other").message}`);
    }
  }
  return failed;
}

/**
 * Runs install, upgrade or uninstall against a live server. Each database is one transaction: the
 * home database first on install (it creates the roles; if it fails nothing else is tried), last on
 * uninstall (it drops them; it is not tried when another database failed, so roles still in use there stay).
 */
export async function runInstall(
  maintenance: ConnectionSettings,
  request: InstallRequest,
  out: InstallOutput,
): Promise<void> {
  const reserved = reservedSchemaProblem(request.names.schema);
  if (reserved) throw new UserError(reserved, "failed");
  const createdDatabase = request.createDatabase && !request.uninstall
    ? await ensureDatabase(maintenance, request, out)
    : false;
  if (createdDatabase && request.dryRun) {
    dryRunOffline(await serverMajor(maintenance), { ...request, createDatabase: false }, out);
    return;
  }
  const home = { ...maintenance, database: request.names.database };
  const others = (await otherDatabases(home, request.names.database)).map((database) => ({ ...maintenance, database }));
  if (!request.uninstall) await installInto(home, request, "home", createdDatabase, out);
  const failed = await installOthers(others, request, out);
  if (failed > 0) {
    throw new UserError(
      `${failed} of ${others.length + 1} databases failed (see above), the others were processed${
        request.uninstall ? `; "${request.names.database}" and the roles were left as they were` : ""
      }`,
      "failed",
    );
  }
  const drop = request.uninstall ? await installInto(home, request, "home", false, out) : false;
  if (drop) await dropCreatedDatabase(maintenance, request.names.database, out);
}

/** A database posemo created is dropped on uninstall only when nothing else lives in it. */
async function keepOrDrop(session: Session, name: string, out: InstallOutput): Promise<boolean> {
  const [row] = await session.query(`SELECT pg_catalog.count(*)::integer AS n FROM pg_catalog.pg_class AS c
      JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
     WHERE n.nspname OPERATOR(pg_catalog.<>) ALL (ARRAY['pg_catalog', 'information_schema']::name[])
       AND n.nspname::text OPERATOR(pg_catalog.!~) '^pg_(toast|temp)'`);
  const others = row!.n as number;
  if (others > 0) out.print(`kept ${databaseLabel(name)}: it holds ${others} relations not created by posemo`);
  return others === 0;
}

async function serverMajor(settings: ConnectionSettings): Promise<number> {
  return withSession(settings, async (session) => {
    const [row] = await session.query("SELECT pg_catalog.current_setting('server_version_num')::integer AS v");
    return Math.floor((row!.v as number) / 10000);
  });
}
