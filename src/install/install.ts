/**
 * The install command's flow: create the database if asked, inspect, plan, then print (`--dry-run`)
 * or apply, and report. Sessions are opened here; planning stays pure.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import type { ConnectionSettings } from "../db/settings.ts";
import { describeConnection } from "../config/connection.ts";
import { classifyError } from "../db/errors.ts";
import { openSession, type Session } from "../db/session.ts";
import { UserError } from "../errors.ts";
import { applyPlan, renderPlan, StepError } from "./apply.ts";
import { inspectInstallation } from "./inspect.ts";
import { inspectSequences } from "./sequence-grants.ts";
import { type InstallPlan, planInstall, type PlanResult } from "./plan.ts";
import { reservedSchemaProblem } from "./preconditions.ts";
import { planUninstall } from "./plan-uninstall.ts";
import { quoteIdent, quoteLiteral } from "../db/quote.ts";
import { type InstallNames } from "./quote.ts";
import { freshState, type InstallState } from "./state.ts";
import { type CustomState, freshCustomState, inspectCustom } from "./custom-inspect.ts";
import { customProblems, customSteps, customUninstallSteps, declaredPrivileges } from "./custom-plan.ts";

/** What the install command was asked to do. */
export interface InstallRequest {
  readonly names: InstallNames;
  readonly version: string;
  readonly only?: readonly string[];
  readonly monitoringVerifier?: string;
  readonly createDatabase: boolean;
  readonly dryRun: boolean;
  readonly uninstall: boolean;
  readonly dropRoles: boolean;
  /** The checks to install: the built-in catalogue with the `--checks-dir` checks added. */
  readonly catalogue: readonly CheckDefinition[];
}

/** Where output goes: `print` to standard output, `warn` one line to standard error. */
export interface InstallOutput {
  print(text: string): void;
  warn(line: string): void;
}

type Purpose = "target" | "maintenance";

const MISSING_DATABASE_HINT: Record<Purpose, string> = {
  target: " (pass --create-database to create it)",
  maintenance: " (-d names the maintenance database used to create the target; omit it to use postgres)",
};

function connectionFailure(error: unknown, settings: ConnectionSettings, purpose: Purpose): UserError {
  const failure = classifyError(error);
  const hint = failure.kind === "missing-database" ? MISSING_DATABASE_HINT[purpose] : "";
  return new UserError(`Cannot connect to ${describeConnection(settings)}: ${failure.message}${hint}`, "failed");
}

/**
 * The session's first statement. The startup packet pinned the settings that matter (see
 * src/db/session.ts); this returns every other user-settable one that `ALTER DATABASE ... SET` or
 * `ALTER ROLE ALL IN DATABASE ... SET` (both open to a database owner) gave this session to its
 * built-in default, so no setting the installer did not think of is left to a tenant. Settings only
 * a superuser can give (log_statement, pgaudit's) and the superuser's own role settings stay: they
 * are the trusted administrator's, and an audit trail must see the install's DDL too.
 */
const RESET_TENANT_SETTINGS =
  `SELECT pg_catalog.count(pg_catalog.set_config(s.name, coalesce(s.boot_val, ''), false)) AS reset
  FROM pg_catalog.pg_settings AS s
 WHERE s.source OPERATOR(pg_catalog.=) 'database' AND s.context OPERATOR(pg_catalog.=) 'user'`;

export async function withSession<T>(
  settings: ConnectionSettings,
  body: (s: Session) => Promise<T>,
  purpose: Purpose = "maintenance",
): Promise<T> {
  const session = openSession(settings, { lockTimeoutMs: 10_000 });
  try {
    await session.query(RESET_TENANT_SETTINGS).catch((error) => {
      throw connectionFailure(error, settings, purpose);
    });
    return await body(session).catch((error: unknown) => {
      throw serverFailure(settings.database, error);
    });
  } finally {
    await session.close();
  }
}

/** A server error (not a refusal posemo worded) as one line naming the database: it is no bug of posemo's. */
function serverFailure(database: string, error: unknown): unknown {
  if (error instanceof UserError) return error;
  return new UserError(`database "${database}": ${classifyError(error).message}`, "failed");
}

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
      out.print(`-- database "${request.names.database}" does not exist; it would be created:\n${sql}`);
    } else await session.query(sql);
    return true;
  });
}

/**
 * The home database (`--database`) gets every check; the other databases get only the checks whose
 * data lives inside each database (`scope: database`), and no role changes.
 */
export type Scope = "home" | "other";

function checksFor(scope: Scope, request: InstallRequest): readonly CheckDefinition[] {
  const all = request.catalogue;
  return scope === "home" ? all : all.filter((c) => c.scope === "database");
}

function onlyFor(scope: Scope, request: InstallRequest): readonly string[] | undefined {
  const only = request.only;
  if (!only || scope === "home") return only;
  return only.filter((name) => checksFor(scope, request).some((c) => c.name === name));
}

/** The base plan with the custom checks' privileges and stored definitions added, or why not. */
function withCustom(
  result: PlanResult,
  custom: CustomState,
  request: InstallRequest,
  names: InstallRequest["names"],
  scope: Scope,
): PlanResult {
  if (!result.ok) return result;
  if (request.uninstall) {
    return {
      ok: true,
      plan: { ...result.plan, steps: [...customUninstallSteps(names, custom), ...result.plan.steps] },
    };
  }
  const going = [...result.plan.installed, ...result.plan.unchanged];
  const checks = checksFor(scope, request).filter((c) => c.custom && going.includes(c.name));
  const input = { checks, changed: result.plan.installed, custom, names };
  const problems = customProblems(input);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, plan: { ...result.plan, steps: [...result.plan.steps, ...customSteps(input)] } };
}

function plan(
  state: InstallState,
  custom: CustomState,
  request: InstallRequest,
  createdDatabase: boolean,
  scope: Scope,
): PlanResult {
  const names = { ...request.names, database: state.database };
  return withCustom(basePlan(state, request, createdDatabase, scope), custom, request, names, scope);
}

function basePlan(state: InstallState, request: InstallRequest, createdDatabase: boolean, scope: Scope): PlanResult {
  const names = { ...request.names, database: state.database };
  if (request.uninstall) {
    return planUninstall(request.catalogue, state, { names, dropRoles: request.dropRoles && scope === "home" });
  }
  const only = onlyFor(scope, request);
  return planInstall(checksFor(scope, request), state, {
    names,
    version: request.version,
    ...(only ? { only } : {}),
    ...(request.monitoringVerifier && scope === "home" ? { monitoringVerifier: request.monitoringVerifier } : {}),
    createdDatabase,
  });
}

function planOrRefuse(
  state: InstallState,
  custom: CustomState,
  request: InstallRequest,
  createdDatabase: boolean,
  scope: Scope = "home",
): InstallPlan {
  const result = plan(state, custom, request, createdDatabase, scope);
  if (!result.ok) throw new UserError(result.problems.join("\nposemo: "), "failed");
  return result.plan;
}

/** Puts the database in front of each line of a refusal that does not name it already. */
function inDatabase(database: string, error: UserError): UserError {
  const lines = error.message.split("\nposemo: ").map((
    line,
  ) => (line.includes(`database "${database}"`) ? line : `database "${database}": ${line}`));
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
  const where = `database "${state.database}" schema "${request.names.schema}" (PostgreSQL ${state.major})`;
  if (request.uninstall) return [`posemo uninstalled from ${where}: ${plan.removed.length} checks removed`];
  const head = plan.steps.length === 0
    ? `posemo ${request.version} is installed and up to date in ${where}: ${plan.unchanged.length} checks`
    : `posemo ${request.version} installed in ${where}: ${plan.installed.length} installed, ${plan.unchanged.length} unchanged, ${plan.removed.length} removed`;
  return [head, ...plan.skipped.map((s) => `skipped ${s.name}: ${s.reason}`)];
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
    throw new UserError(
      `Cannot ${action} database "${database}": ${error.message.split("\n")[0]}${
        detail ? ` (${detail})` : ""
      }; nothing was changed in that database (rolled back)`,
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
    out.print(`dropped database "${name}" (created by posemo install)`);
  });
}

/**
 * Whether another database holds a home install of its own: a recorded check that is not
 * database-scope (or unknown to this binary). Planning it as "other" would remove those checks.
 */
function isAnotherHome(state: InstallState, custom: CustomState, request: InstallRequest): boolean {
  const known: readonly { name: string; scope: string }[] = [...custom.recorded, ...(request.catalogue)];
  return (state.recorded?.checks ?? []).some((r) => known.find((c) => c.name === r.name)?.scope !== "database");
}

/**
 * Whether a database other than home needs a plan at all: nothing selected and nothing installed
 * means leave it alone, and so does another home install (install or uninstall that one by name).
 */
function wanted(scope: Scope, request: InstallRequest, state: InstallState, custom: CustomState): boolean {
  if (scope === "other" && isAnotherHome(state, custom, request)) return false;
  if (scope === "home" || state.recorded) return true;
  if (request.uninstall) return false;
  const selected = onlyFor(scope, request) ?? checksFor(scope, request).map((c) => c.name);
  return selected.length > 0;
}

/** Inspects, plans and applies (or prints) in one database; returns whether to drop it afterwards. */
async function installInto(
  settings: ConnectionSettings,
  request: InstallRequest,
  scope: Scope,
  createdDatabase: boolean,
  out: InstallOutput,
): Promise<boolean> {
  return installIntoSession(settings, request, scope, createdDatabase, out).catch((error: unknown) => {
    throw databaseFailure(settings.database, error, scope);
  });
}

async function installIntoSession(
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
  }, "target");
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
  if (others > 0) out.print(`kept database "${name}": it holds ${others} relations not created by posemo`);
  return others === 0;
}

async function serverMajor(settings: ConnectionSettings): Promise<number> {
  return withSession(settings, async (session) => {
    const [row] = await session.query("SELECT pg_catalog.current_setting('server_version_num')::integer AS v");
    return Math.floor((row!.v as number) / 10000);
  });
}
