/**
 * The steps custom checks add to an install plan, besides their functions (plan.ts installs those
 * like any check): the privileges their owner role needs, granted exactly as declared and revoked when
 * no check declares them any more; and their definitions, stored for `posemo check` on hosts that
 * have only the binary, with the teardown and grants a later removal must undo.
 * @module
 */
import { installSql } from "../catalogue/catalogue.generated.ts";
import type { CheckDefinition } from "../catalogue/definition.ts";
import { type DeclaredPrivilege, describePrivilege } from "../catalogue/privileges.ts";
import { type CustomState, type PrivilegeFacts, privilegeKey } from "./custom-inspect.ts";
import type { Step } from "./plan.ts";
import { quoteIdent, quoteLiteral, sqlComment } from "../db/quote.ts";
import { fillTemplate, type InstallNames } from "./quote.ts";

/** What the base plan decided about the custom checks of this database. */
export interface CustomPlanInput {
  /** The custom checks this database gets (selected, with SQL for its major). */
  readonly checks: readonly CheckDefinition[];
  /** Names the base plan installs or replaces. */
  readonly changed: readonly string[];
  readonly custom: CustomState;
  readonly names: InstallNames;
}

/** Every privilege the checks declare, once each. */
export function declaredPrivileges(checks: readonly CheckDefinition[]): DeclaredPrivilege[] {
  return [
    ...new Map(checks.flatMap((c) => c.privileges ?? []).map((privilege) => [privilegeKey(privilege), privilege]))
      .values(),
  ];
}

function objectProblem(
  check: string,
  privilege: DeclaredPrivilege,
  facts: PrivilegeFacts | undefined,
  names: InstallNames,
): string | undefined {
  const what = `Cannot install check "${check}": ${describePrivilege(privilege).replace(/^\w+ on /, "")}`;
  if (!facts?.exists) return `${what} does not exist (declared under privileges: in its check.yaml)`;
  if (privilege.ownedBy !== undefined && facts.owner !== privilege.ownedBy) {
    return `${what} is owned by "${facts.owner}", not by "${privilege.ownedBy}" as owned_by says`;
  }
  if (facts.ownerIsSuperuser || facts.owner === names.owner || privilege.ownedBy !== undefined) return undefined;
  return `${what} is owned by "${facts.owner}", who could make reading it run their code as "${names.owner}" (a row security policy, a security_invoker view); if you trust "${facts.owner}" that far, add owned_by: ${facts.owner} to the privilege`;
}

/** Why the declared privileges cannot be granted here (a missing object, an unexpected owner). */
export function customProblems(input: CustomPlanInput): string[] {
  return input.checks.flatMap((c) =>
    (c.privileges ?? []).map((privilege) =>
      objectProblem(c.name, privilege, input.custom.privileges.get(privilegeKey(privilege)), input.names)
    )
  )
    .filter((problem): problem is string => problem !== undefined);
}

function objectSql(privilege: DeclaredPrivilege): string {
  return privilege.kind === "schema"
    ? `SCHEMA ${quoteIdent(privilege.schema)}`
    : `TABLE ${quoteIdent(privilege.schema)}.${quoteIdent(privilege.table!)}`;
}

/** GRANT or REVOKE of one declared privilege for the owner role: every name quoted, nothing else granted. */
export function privilegeSql(verb: "GRANT" | "REVOKE", privilege: DeclaredPrivilege, owner: string): string {
  return `${verb} ${privilege.privilege} ON ${objectSql(privilege)} ${verb === "GRANT" ? "TO" : "FROM"} ${
    quoteIdent(owner)
  };`;
}

/** The privileges posemo granted (recorded) that it is to keep, and the ones to grant now. */
function grantsNow(input: CustomPlanInput): { ours: Set<string>; grant: DeclaredPrivilege[] } {
  const before = new Set(input.custom.recorded.flatMap((r) => r.granted.map(privilegeKey)));
  const ours = new Set<string>();
  const grant: DeclaredPrivilege[] = [];
  for (const privilege of declaredPrivileges(input.checks)) {
    const key = privilegeKey(privilege);
    const held = input.custom.privileges.get(key)?.held ?? false;
    if (!held) grant.push(privilege);
    if (!held || before.has(key)) ours.add(key);
  }
  return { ours, grant };
}

function revokesNow(input: CustomPlanInput, ours: Set<string>): DeclaredPrivilege[] {
  const before = new Map(
    input.custom.recorded.flatMap((r) => r.granted.map((privilege) => [privilegeKey(privilege), privilege] as const)),
  );
  return [...before].filter(([key]) => !ours.has(key) && input.custom.privileges.get(key)?.exists !== false).map((
    [, privilege],
  ) => privilege);
}

function customTable(names: InstallNames): string {
  return `${quoteIdent(names.schema)}.posemo_custom_checks`;
}

/** What `posemo check` learns: the definition without its SQL, and the fingerprint of what was installed. */
export function storedDefinition(check: CheckDefinition, hash: string): string {
  const { variants: _, privileges: __, ...definition } = check;
  return JSON.stringify({ ...definition, hash });
}

function rowSql(check: CheckDefinition, granted: readonly DeclaredPrivilege[], names: InstallNames): string {
  const variant = check.variants[0]!;
  const teardown = check.variants.find((v) => v.teardown)?.teardown;
  const values = [check.name, storedDefinition(check, variant.hash)].map(quoteLiteral);
  return `INSERT INTO ${customTable(names)} (name, definition, teardown, granted)
VALUES (${values.join(", ")}, ${teardown ? quoteLiteral(fillTemplate(teardown, names)) : "NULL"}, ${
    quoteLiteral(JSON.stringify(granted))
  })
  ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition, teardown = EXCLUDED.teardown, granted = EXCLUDED.granted;`;
}

function removalSql(names: InstallNames, custom: CustomState, keep: readonly string[]): string[] {
  return custom.recorded.filter((r) => !keep.includes(r.name)).flatMap((r) => [
    ...(r.teardown ? [r.teardown] : []),
    `DELETE FROM ${customTable(names)} WHERE name OPERATOR(pg_catalog.=) ${quoteLiteral(r.name)};`,
  ]);
}

function dropTableSql(names: InstallNames): string[] {
  return [
    `DROP FUNCTION ${quoteIdent(names.schema)}.posemo_custom_definitions();`,
    `DROP TABLE ${customTable(names)};`,
  ];
}

function grantedFor(check: CheckDefinition, ours: Set<string>): DeclaredPrivilege[] {
  return (check.privileges ?? []).filter((privilege) => ours.has(privilegeKey(privilege)));
}

function sameGrants(recorded: readonly DeclaredPrivilege[] | undefined, now: readonly DeclaredPrivilege[]): boolean {
  return recorded !== undefined &&
    JSON.stringify(recorded.map(privilegeKey).sort()) === JSON.stringify(now.map(privilegeKey).sort());
}

/** The steps after the base plan's (run in the same transaction): grants, definitions, removals, revokes. */
export function customSteps(input: CustomPlanInput): Step[] {
  const { names, custom, checks } = input;
  const { ours, grant } = grantsNow(input);
  const rows = checks.filter((c) =>
    input.changed.includes(c.name) ||
    !sameGrants(custom.recorded.find((r) => r.name === c.name)?.granted, grantedFor(c, ours))
  );
  const sql = [
    ...(rows.length > 0 ? [fillTemplate(installSql["custom-checks"]!, names)] : []),
    ...grant.map((privilege) =>
      `${sqlComment(`${describePrivilege(privilege)} for the checks that declare it`)}\n${
        privilegeSql("GRANT", privilege, names.owner)
      }`
    ),
    ...rows.map((c) => rowSql(c, grantedFor(c, ours), names)),
    ...removalSql(names, custom, checks.map((c) => c.name)),
    ...revokesNow(input, ours).map((privilege) => privilegeSql("REVOKE", privilege, names.owner)),
    ...(checks.length === 0 && custom.table ? dropTableSql(names) : []),
  ];
  return sql.map((text) => ({ sql: text }));
}

/** `--uninstall`: every custom check's teardown, the privileges posemo granted, and the definitions table. */
export function customUninstallSteps(names: InstallNames, custom: CustomState): Step[] {
  if (!custom.table) return [];
  return customSteps({ checks: [], changed: [], custom, names });
}
