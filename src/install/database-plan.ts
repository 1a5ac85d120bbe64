/**
 * The plan for one database: the home database (`--database`) gets every check, the others only the
 * database-scope ones; the custom checks' privileges and stored definitions are added, and a database
 * with nothing selected and nothing installed is left alone. Pure: the state comes inspected.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import { UserError } from "../errors.ts";
import { printable } from "../safe-text.ts";
import { type InstallPlan, planInstall, type PlanResult } from "./plan.ts";
import { planUninstall } from "./plan-uninstall.ts";
import type { InstallRequest } from "./request.ts";
import type { InstallState } from "./state.ts";
import type { CustomState } from "./custom-inspect.ts";
import { customProblems, customSteps, customUninstallSteps } from "./custom-plan.ts";

/**
 * The home database (`--database`) gets every check; the other databases get only the checks whose
 * data lives inside each database (`scope: database`), and no role changes.
 */
export type Scope = "home" | "other";

export function checksFor(scope: Scope, request: InstallRequest): readonly CheckDefinition[] {
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

export function planOrRefuse(
  state: InstallState,
  custom: CustomState,
  request: InstallRequest,
  createdDatabase: boolean,
  scope: Scope = "home",
): InstallPlan {
  const result = plan(state, custom, request, createdDatabase, scope);
  if (!result.ok) throw new UserError(result.problems.map(printable).join("\nposemo: "), "failed");
  return result.plan;
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
export function wanted(scope: Scope, request: InstallRequest, state: InstallState, custom: CustomState): boolean {
  if (scope === "other" && isAnotherHome(state, custom, request)) return false;
  if (scope === "home" || state.recorded) return true;
  if (request.uninstall) return false;
  const selected = onlyFor(scope, request) ?? checksFor(scope, request).map((c) => c.name);
  return selected.length > 0;
}
