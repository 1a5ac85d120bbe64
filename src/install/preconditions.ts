/**
 * Reasons to refuse an install: situations where the SECURITY DEFINER functions could be hijacked,
 * where the installing superuser would read or run code another role controls, or where the owner
 * or the monitoring role would hold more than it should. Each reason says what is wrong and what to do.
 * @module
 */
import type { InstallNames } from "./quote.ts";
import type { InstallState, RoleFacts } from "./state.ts";

/** The only roles the owner role may be a member of: what posemo grants it. */
export const OWNER_ROLE_GRANTS: readonly string[] = ["pg_monitor"];

/** The only roles the monitoring role may be a member of: what posemo grants it (PostgreSQL 16+). */
export const MONITORING_ROLE_GRANTS: readonly string[] = ["pg_use_reserved_connections"];

const RESERVED_SCHEMAS = ["pg_catalog", "information_schema", "public"];

/** Why `--schema` cannot be used at all, or undefined. */
export function reservedSchemaProblem(schema: string): string | undefined {
  if (!RESERVED_SCHEMAS.includes(schema) && !schema.startsWith("pg_")) return undefined;
  return `Cannot use --schema "${schema}": it is a schema PostgreSQL or every database owner controls, where others can replace posemo's functions (use a dedicated schema, e.g. the default "posemo")`;
}

function quotedList(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(", ");
}

function ownerProblems(owner: RoleFacts | undefined, name: string): string[] {
  if (!owner) return [];
  const role = `Cannot use "${name}" as the owner role:`;
  if (owner.superuser) {
    return [
      `Cannot use superuser "${name}" as the owner role: any flaw in a function would give superuser (use a dedicated NOLOGIN role)`,
    ];
  }
  const problems: string[] = [];
  if (owner.login) problems.push(`${role} it can log in; the owner must be NOLOGIN`);
  for (const attribute of owner.attributes) {
    problems.push(`${role} it has ${attribute} (ALTER ROLE "${name}" NO${attribute}, or use a dedicated role)`);
  }
  const extra = owner.memberOf.filter((r) => !OWNER_ROLE_GRANTS.includes(r));
  if (extra.length > 0) {
    problems.push(
      `${role} it is a member of ${
        quotedList(extra)
      }, and the functions would run with those rights (REVOKE them; posemo grants it only ${
        OWNER_ROLE_GRANTS.join(", ")
      })`,
    );
  }
  if (owner.members.length > 0) {
    problems.push(`${role} ${quotedList(owner.members)} can act as it (REVOKE the membership first)`);
  }
  return problems;
}

function monitoringProblems(monitoring: RoleFacts | undefined, name: string): string[] {
  if (!monitoring) return [];
  const role = `Cannot use "${name}" as the monitoring role:`;
  const problems = monitoring.attributes.map((a) =>
    `${role} it has ${a}; it must have none of SUPERUSER, CREATEROLE, CREATEDB, BYPASSRLS, REPLICATION (ALTER ROLE "${name}" NO${a})`
  );
  const extra = monitoring.memberOf.filter((r) => !MONITORING_ROLE_GRANTS.includes(r));
  if (extra.length > 0) {
    problems.push(
      `${role} it is a member of ${quotedList(extra)}; it must hold nothing but what posemo grants (REVOKE them)`,
    );
  }
  if (monitoring.members.length > 0) {
    problems.push(`${role} ${quotedList(monitoring.members)} can act as it (REVOKE the membership first)`);
  }
  return problems;
}

function roleProblems(state: InstallState, names: InstallNames): string[] {
  const both = names.owner === names.monitoring
    ? [`Cannot use "${names.owner}" as both owner and monitoring role: the monitoring role must not own the functions`]
    : [];
  return [
    ...both,
    ...ownerProblems(state.roles[names.owner], names.owner),
    ...monitoringProblems(state.roles[names.monitoring], names.monitoring),
  ];
}

function schemaProblems(state: InstallState, names: InstallNames): string[] {
  const schema = state.schema;
  if (!schema) return [];
  const where = `Cannot install into schema "${names.schema}":`;
  if (!schema.ownerTrusted) {
    return [
      `${where} it is owned by "${schema.owner}", not by "${names.owner}" or a superuser, so its objects are that role's code (drop or rename it as a superuser, or pass another --schema)`,
    ];
  }
  const problems: string[] = [];
  if (schema.creators.length > 0) {
    problems.push(
      `${where} ${
        quotedList(schema.creators)
      } can CREATE in it, and could plant objects the functions resolve (use a dedicated schema, e.g. the default "posemo")`,
    );
  }
  for (const o of schema.foreign) {
    problems.push(
      `${where} its ${o.kind} "${o.name}" is owned by "${o.owner}", not by "${names.owner}" or a superuser (drop it as a superuser, or pass another --schema)`,
    );
  }
  return problems;
}

function eventTriggerProblems(state: InstallState): string[] {
  return state.untrustedEventTriggers.map((t) =>
    `Cannot install: event trigger "${t.name}" would run ${t.function} during the install's DDL, and "${t.owner}", who is not a superuser, controls it (ALTER EVENT TRIGGER "${t.name}" DISABLE, or have a superuser own both)`
  );
}

function recordedProblems(state: InstallState, names: InstallNames): string[] {
  const settings = state.recorded?.settings;
  if (!settings) return [];
  const problems: string[] = [];
  if (settings.owner_role && settings.owner_role !== names.owner) {
    problems.push(
      `Cannot switch the owner role to "${names.owner}": posemo is installed here with "${settings.owner_role}" (pass --owner-role ${settings.owner_role} or uninstall first)`,
    );
  }
  if (settings.monitoring_role && settings.monitoring_role !== names.monitoring) {
    problems.push(
      `Cannot switch the monitoring role to "${names.monitoring}": posemo is installed here with "${settings.monitoring_role}" (pass --monitoring-role ${settings.monitoring_role} or uninstall first)`,
    );
  }
  return problems;
}

/** Reasons that hold for install and uninstall alike: who runs, where, and what would run with them. */
export function trustProblems(state: InstallState, names: InstallNames): string[] {
  const reserved = reservedSchemaProblem(names.schema);
  if (reserved) return [reserved];
  return [...schemaProblems(state, names), ...eventTriggerProblems(state)];
}

/** Every reason to refuse; empty when the install may go ahead. */
export function checkProblems(state: InstallState, names: InstallNames): string[] {
  if (!state.isSuperuser) {
    return ["Cannot install: the connecting role is not a superuser (connect with -U postgres or another superuser)"];
  }
  if (state.major < 12) return [`Cannot install on PostgreSQL ${state.major}: posemo supports 12 to 18`];
  const trust = trustProblems(state, names);
  if (trust.length > 0) return trust;
  return [...roleProblems(state, names), ...recordedProblems(state, names)];
}
