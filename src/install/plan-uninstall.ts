/**
 * Plans `--uninstall`: removes exactly what the inventory says posemo created, in one transaction.
 * Roles go only with `--drop-roles`, and only those posemo created; a role that existed before keeps
 * its attributes and loses only what posemo granted it.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import { quoteIdent } from "../db/quote.ts";
import type { InstallNames } from "./quote.ts";
import { type PlanResult, removeCheckSteps, type Step } from "./plan.ts";
import type { InstallState } from "./state.ts";
import { trustProblems } from "./preconditions.ts";
import { sequenceRevokeSql } from "./sequence-grants.ts";

/** Options of an uninstall. */
export interface UninstallOptions {
  readonly names: InstallNames;
  readonly dropRoles: boolean;
}

function inventorySteps(names: InstallNames, createdSchema: boolean): Step[] {
  const schema = quoteIdent(names.schema);
  const sql = [
    `DROP FUNCTION IF EXISTS ${schema}.posemo_inventory();`,
    `DROP TABLE IF EXISTS ${schema}.posemo_checks;`,
    `DROP TABLE IF EXISTS ${schema}.posemo_install;`,
    ...(createdSchema
      ? [`DROP SCHEMA ${schema};`]
      : [`REVOKE USAGE ON SCHEMA ${schema} FROM ${quoteIdent(names.monitoring)};`]),
  ];
  return sql.map((text) => ({ sql: text }));
}

function roleSteps(settings: Readonly<Record<string, string>>, state: InstallState, options: UninstallOptions): Step[] {
  const { names } = options;
  const owner = quoteIdent(names.owner);
  const monitoring = quoteIdent(names.monitoring);
  const sql: string[] = [];
  if (state.roles[names.monitoring]) {
    sql.push(`REVOKE CONNECT ON DATABASE ${quoteIdent(state.database)} FROM ${monitoring};`);
  }
  if (state.roles[names.owner]) sql.push(`REVOKE SELECT ON pg_catalog.pg_statistic FROM ${owner};`);
  const dropMonitoring = options.dropRoles && settings.created_monitoring_role === "true" &&
    state.roles[names.monitoring];
  const dropOwner = options.dropRoles && settings.created_owner_role === "true" && state.roles[names.owner];
  if (dropMonitoring) sql.push(`DROP ROLE ${monitoring};`);
  else if (settings.granted_reserved_connections === "true" && state.roles[names.monitoring]) {
    sql.push(`REVOKE pg_use_reserved_connections FROM ${monitoring};`);
  }
  if (dropOwner) sql.push(`DROP ROLE ${owner};`);
  else if (settings.granted_pg_monitor === "true" && state.roles[names.owner]) {
    sql.push(`REVOKE pg_monitor FROM ${owner};`);
  }
  return sql.map((text) => ({ sql: text }));
}

/** Plans the removal, or says why there is nothing to remove. */
export function planUninstall(
  catalogue: readonly CheckDefinition[],
  state: InstallState,
  options: UninstallOptions,
): PlanResult {
  if (!state.isSuperuser) return { ok: false, problems: ["Cannot uninstall: the connecting role is not a superuser"] };
  const untrusted = trustProblems(state, options.names);
  if (untrusted.length > 0) {
    return {
      ok: false,
      problems: untrusted.map((p) =>
        p.replace(/^Cannot install into/, "Cannot uninstall from").replace(/^Cannot install/, "Cannot uninstall")
      ),
    };
  }
  const recorded = state.recorded;
  if (!recorded) {
    return {
      ok: false,
      problems: [
        `Cannot uninstall: posemo is not installed in database "${state.database}" schema "${options.names.schema}" (no inventory found)`,
      ],
    };
  }
  const settings = recorded.settings;
  const names = {
    ...options.names,
    owner: settings.owner_role ?? options.names.owner,
    monitoring: settings.monitoring_role ?? options.names.monitoring,
  };
  const steps = [
    ...recorded.checks.flatMap((c) => removeCheckSteps(c, catalogue, names)),
    ...inventorySteps(names, settings.created_schema === "true"),
    ...(state.roles[names.owner] ? sequenceRevokeSql(state.sequences, names).map((sql) => ({ sql })) : []),
    ...roleSteps(settings, state, { ...options, names }),
  ];
  return {
    ok: true,
    plan: { steps, installed: [], unchanged: [], removed: recorded.checks.map((c) => c.name), skipped: [] },
  };
}
