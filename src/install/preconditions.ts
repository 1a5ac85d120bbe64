/**
 * Reasons to refuse an install: situations where the SECURITY DEFINER functions could be hijacked
 * or the monitoring role would hold more than it should. Each reason says what is wrong and what to do.
 * @module
 */
import type { InstallNames } from "./quote.ts";
import type { InstallState } from "./state.ts";

function roleProblems(state: InstallState, names: InstallNames): string[] {
  const problems: string[] = [];
  const owner = state.roles[names.owner];
  const monitoring = state.roles[names.monitoring];
  if (names.owner === names.monitoring) problems.push(`Cannot use "${names.owner}" as both owner and monitoring role: the monitoring role must not own the functions`);
  if (owner?.superuser) problems.push(`Cannot use superuser "${names.owner}" as the owner role: any flaw in a function would give superuser (use a dedicated NOLOGIN role)`);
  if (owner?.login) problems.push(`Cannot use "${names.owner}" as the owner role: it can log in; the owner must be NOLOGIN`);
  if (owner && owner.members.length > 0) problems.push(`Cannot use "${names.owner}" as the owner role: ${owner.members.map((m) => `"${m}"`).join(", ")} can act as it (REVOKE the membership first)`);
  if (monitoring && (monitoring.superuser || monitoring.powers)) problems.push(`Cannot use "${names.monitoring}" as the monitoring role: it is a superuser or has CREATEDB/CREATEROLE/REPLICATION/BYPASSRLS`);
  return problems;
}

function schemaProblems(state: InstallState, names: InstallNames): string[] {
  const creators = state.schema?.creators ?? [];
  if (creators.length === 0) return [];
  return [`Cannot install into schema "${names.schema}": ${creators.map((c) => `"${c}"`).join(", ")} can CREATE in it, and could plant objects the functions resolve (use a dedicated schema, e.g. the default "posemo")`];
}

function recordedProblems(state: InstallState, names: InstallNames): string[] {
  const settings = state.recorded?.settings;
  if (!settings) return [];
  const problems: string[] = [];
  if (settings.owner_role && settings.owner_role !== names.owner) problems.push(`Cannot switch the owner role to "${names.owner}": posemo is installed here with "${settings.owner_role}" (pass --owner-role ${settings.owner_role} or uninstall first)`);
  if (settings.monitoring_role && settings.monitoring_role !== names.monitoring) problems.push(`Cannot switch the monitoring role to "${names.monitoring}": posemo is installed here with "${settings.monitoring_role}" (pass --monitoring-role ${settings.monitoring_role} or uninstall first)`);
  return problems;
}

/** Every reason to refuse; empty when the install may go ahead. */
export function checkProblems(state: InstallState, names: InstallNames): string[] {
  if (!state.isSuperuser) return ["Cannot install: the connecting role is not a superuser (connect with -U postgres or another superuser)"];
  if (state.major < 12) return [`Cannot install on PostgreSQL ${state.major}: posemo supports 12 to 18`];
  return [...roleProblems(state, names), ...schemaProblems(state, names), ...recordedProblems(state, names)];
}
