/**
 * Plans an install or upgrade: from the catalogue, the inspected state and the options, the exact
 * statements to run in one transaction. Pure: the same inputs give the same SQL, which is what
 * `--dry-run` prints and what `apply` runs. Only what is missing or changed is planned, so running
 * the same binary twice plans nothing.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import { variantFor } from "../catalogue/definition.ts";
import { installSql } from "../catalogue/catalogue.generated.ts";
import { functionPrivilegesSql, installCheckSql, signature } from "./function-sql.ts";
import { quoteIdent, quoteLiteral } from "../db/quote.ts";
import { fillTemplate, type InstallNames } from "./quote.ts";
import type { InstallState, RecordedCheck } from "./state.ts";
import { checkProblems } from "./preconditions.ts";
import { sequenceGrantSql } from "./sequence-grants.ts";

/** One step of a plan; `check` names the check it belongs to, for error messages. */
export interface Step {
  readonly sql: string;
  readonly check?: string;
  /** Printed instead of `sql` (the password verifier is never shown). */
  readonly shown?: string;
}

/** Options of an install. */
export interface InstallOptions {
  readonly names: InstallNames;
  readonly version: string;
  /** Install only these checks; the installed set becomes exactly them. @default all */
  readonly only?: readonly string[];
  /** A SCRAM verifier for the monitoring role's password. */
  readonly monitoringVerifier?: string;
  /** The database was created by this run. */
  readonly createdDatabase?: boolean;
}

/** What an install will do. */
export interface InstallPlan {
  readonly steps: readonly Step[];
  readonly installed: readonly string[];
  readonly unchanged: readonly string[];
  readonly removed: readonly string[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/** Either a plan, or why posemo refuses to install here. */
export type PlanResult = { readonly ok: true; readonly plan: InstallPlan } | {
  readonly ok: false;
  readonly problems: readonly string[];
};

function template(name: string, names: InstallNames): Step {
  const text = installSql[name];
  if (text === undefined) throw new RangeError(`Cannot find install template "${name}"`);
  return { sql: fillTemplate(text, names) };
}

function roleSteps(state: InstallState, options: InstallOptions): Step[] {
  const { names } = options;
  const steps: Step[] = [];
  if (!state.roles[names.owner]) steps.push(template("owner-role", names));
  if (!state.roles[names.owner]?.inPgMonitor) steps.push(template("owner-grants", names));
  if (!state.roles[names.monitoring]) steps.push(template("monitoring-role", names));
  if (state.major >= 16 && !state.roles[names.monitoring]?.usesReservedConnections) {
    steps.push(template("reserved-connections", names));
  }
  if (options.monitoringVerifier) {
    const role = quoteIdent(names.monitoring);
    steps.push({
      sql: `ALTER ROLE ${role} PASSWORD ${quoteLiteral(options.monitoringVerifier)};`,
      shown: `ALTER ROLE ${role} PASSWORD '<SCRAM-SHA-256 verifier>';`,
    });
  }
  return steps;
}

function baseSteps(state: InstallState, options: InstallOptions): Step[] {
  const { names } = options;
  const steps = roleSteps(state, options);
  if (!state.schema) steps.push(template("schema", names));
  if (options.createdDatabase) steps.push(template("dedicated-database", names));
  if (!state.recorded || !state.monitoringCanConnect || !state.schema?.monitoringHasUsage) {
    steps.push(template("grants", names));
  }
  const inventoryDrifted = state.schema?.misprivileged.includes("posemo_inventory") ?? false;
  if (state.recorded?.settings.posemo_version !== options.version || inventoryDrifted) {
    steps.push(template("inventory", names));
  }
  return steps;
}

function dropCheckSql(name: string, sig: string, names: InstallNames): string {
  return `DROP FUNCTION IF EXISTS ${quoteIdent(names.schema)}.${quoteIdent(name)}${sig};`;
}

function checkRowSql(check: CheckDefinition, hash: string, names: InstallNames): string {
  return `INSERT INTO ${quoteIdent(names.schema)}.posemo_checks (name, hash, signature) VALUES (${
    quoteLiteral(check.name)
  }, ${quoteLiteral(hash)}, ${quoteLiteral(signature(check))})
  ON CONFLICT (name) DO UPDATE SET hash = EXCLUDED.hash, signature = EXCLUDED.signature;`;
}

function replaceCheckSteps(check: CheckDefinition, state: InstallState, names: InstallNames): Step[] {
  const variant = variantFor(check, state.major)!;
  const recorded = state.recorded?.checks.find((c) => c.name === check.name);
  const exists = recorded !== undefined || (state.schema?.functions.includes(check.name) ?? false);
  const drop = exists ? [dropCheckSql(check.name, recorded?.signature ?? signature(check), names)] : [];
  const sql = [...drop, ...installCheckSql(check, variant, names), checkRowSql(check, variant.hash, names)];
  return sql.map((text) => ({ sql: text, check: check.name }));
}

function isCurrent(check: CheckDefinition, state: InstallState): boolean {
  const recorded = state.recorded?.checks.find((c) => c.name === check.name);
  const variant = variantFor(check, state.major);
  return recorded !== undefined && recorded.hash === variant?.hash &&
    (state.schema?.functions.includes(check.name) ?? false);
}

/** An unchanged check whose privileges were changed by hand gets posemo's back (`check` tells to run install). */
function regrantSteps(check: CheckDefinition, state: InstallState, names: InstallNames): Step[] {
  if (!state.schema?.misprivileged.includes(check.name)) return [];
  return functionPrivilegesSql(check, names).map((sql) => ({ sql, check: check.name }));
}

/** Steps that remove an installed check (its function, its setup objects, its inventory row). */
export function removeCheckSteps(
  recorded: RecordedCheck,
  catalogue: readonly CheckDefinition[],
  names: InstallNames,
): Step[] {
  const teardown = catalogue.find((c) => c.name === recorded.name)?.variants.find((v) => v.teardown)?.teardown;
  const sql = [
    dropCheckSql(recorded.name, recorded.signature, names),
    ...(teardown ? [fillTemplate(teardown, names)] : []),
    `DELETE FROM ${quoteIdent(names.schema)}.posemo_checks WHERE name OPERATOR(pg_catalog.=) ${
      quoteLiteral(recorded.name)
    };`,
  ];
  return sql.map((text) => ({ sql: text, check: recorded.name }));
}

function settingsStep(state: InstallState, options: InstallOptions): Step {
  const before = state.recorded?.settings ?? {};
  const created = (key: string, now: boolean) => String(before[key] === "true" || now);
  const { names } = options;
  const settings: Record<string, string> = {
    posemo_version: options.version,
    owner_role: names.owner,
    monitoring_role: names.monitoring,
    created_owner_role: created("created_owner_role", !state.roles[names.owner]),
    granted_pg_monitor: created("granted_pg_monitor", !state.roles[names.owner]?.inPgMonitor),
    created_monitoring_role: created("created_monitoring_role", !state.roles[names.monitoring]),
    granted_reserved_connections: created(
      "granted_reserved_connections",
      state.major >= 16 && !state.roles[names.monitoring]?.usesReservedConnections,
    ),
    created_schema: created("created_schema", !state.schema),
    created_database: created("created_database", options.createdDatabase ?? false),
  };
  const values = Object.entries(settings).map(([k, v]) => `(${quoteLiteral(k)}, ${quoteLiteral(v)})`).join(
    ",\n       ",
  );
  return {
    sql: `INSERT INTO ${
      quoteIdent(names.schema)
    }.posemo_install (key, value)\nVALUES ${values}\n  ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;`,
  };
}

function selectChecks(
  catalogue: readonly CheckDefinition[],
  only: readonly string[] | undefined,
): CheckDefinition[] | string {
  if (!only) return [...catalogue];
  const unknown = only.filter((name) => !catalogue.some((c) => c.name === name));
  if (unknown.length > 0) return `Cannot install unknown check "${unknown[0]}": see posemo check --list`;
  return catalogue.filter((c) => only.includes(c.name));
}

/** SELECT on the sequences the owner role cannot read yet, when the sequences check is installed here. */
function sequenceSteps(installable: readonly CheckDefinition[], state: InstallState, names: InstallNames): Step[] {
  if (!installable.some((c) => c.name === "sequences")) return [];
  return sequenceGrantSql(state.sequences, names).map((sql) => ({ sql, check: "sequences" }));
}

/** Plans the install; refuses (with reasons) where installing would be unsafe. */
export function planInstall(
  catalogue: readonly CheckDefinition[],
  state: InstallState,
  options: InstallOptions,
): PlanResult {
  const selected = selectChecks(catalogue, options.only);
  if (typeof selected === "string") return { ok: false, problems: [selected] };
  const problems = checkProblems(state, options.names);
  if (problems.length > 0) return { ok: false, problems };
  const installable = selected.filter((c) => variantFor(c, state.major));
  const skipped = selected.filter((c) => !variantFor(c, state.major)).map((c) => ({
    name: c.name,
    reason: `no SQL for PostgreSQL ${state.major}`,
  }));
  const changed = installable.filter((c) => !isCurrent(c, state));
  const current = installable.filter((c) => isCurrent(c, state));
  const removed = (state.recorded?.checks ?? []).filter((r) => !installable.some((c) => c.name === r.name));
  const checkSteps = [
    ...changed.flatMap((c) => replaceCheckSteps(c, state, options.names)),
    ...current.flatMap((c) => regrantSteps(c, state, options.names)),
    ...removed.flatMap((r) => removeCheckSteps(r, catalogue, options.names)),
    ...sequenceSteps(installable, state, options.names),
  ];
  const base = baseSteps(state, options);
  const steps = base.length + checkSteps.length === 0 ? [] : [...base, ...checkSteps, settingsStep(state, options)];
  return {
    ok: true,
    plan: {
      steps,
      installed: changed.map((c) => c.name),
      unchanged: current.map((c) => c.name),
      removed: removed.map((r) => r.name),
      skipped,
    },
  };
}
