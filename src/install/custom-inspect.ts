/**
 * What the installer reads for custom checks, as the installing superuser: what earlier installs
 * recorded (definitions, teardown, privileges posemo granted), and for every declared privilege
 * whether its object exists, who owns it and whether the owner role holds it already. Only catalogs
 * and posemo's own inventory (trusted by inspect.ts first) are read, never a tenant's object.
 * @module
 */
import type { DeclaredPrivilege } from "../catalogue/privileges.ts";
import { UserError } from "../errors.ts";
import type { Session } from "../db/session.ts";
import { quoteIdent, quoteLiteral } from "../db/quote.ts";
import { type InstallNames } from "./quote.ts";
import type { InstallState } from "./state.ts";

/** A custom check as an earlier install recorded it. */
export interface RecordedCustom {
  readonly name: string;
  readonly scope: "cluster" | "database";
  readonly teardown?: string;
  /** Privileges posemo granted for it (not those the owner role held before). */
  readonly granted: readonly DeclaredPrivilege[];
}

/** The object of a declared privilege, as the catalogs show it. */
export interface PrivilegeFacts {
  readonly exists: boolean;
  readonly owner?: string;
  readonly ownerIsSuperuser?: boolean;
  /** The owner role can already use it (granted by hand, or to PUBLIC). */
  readonly held?: boolean;
}

/** What custom-plan.ts decides from. */
export interface CustomState {
  /** posemo_custom_checks exists. */
  readonly table: boolean;
  readonly recorded: readonly RecordedCustom[];
  /** Keyed by privilegeKey(). */
  readonly privileges: ReadonlyMap<string, PrivilegeFacts>;
}

/** A stable key for the object and privilege of a declaration. */
export function privilegeKey(privilege: DeclaredPrivilege): string {
  return JSON.stringify([privilege.privilege, privilege.kind, privilege.schema, privilege.table ?? null]);
}

const EQ = "OPERATOR(pg_catalog.=)";

function objectSql(privilege: DeclaredPrivilege, owner: string): string {
  const role = `(SELECT r.oid FROM pg_catalog.pg_roles AS r WHERE r.rolname ${EQ} ${quoteLiteral(owner)})`;
  const facts = (ownerColumn: string, held: string) =>
    `pg_catalog.json_build_object('owner', pg_catalog.pg_get_userbyid(${ownerColumn}),
      'ownerIsSuperuser', (SELECT s.rolsuper FROM pg_catalog.pg_roles AS s WHERE s.oid ${EQ} ${ownerColumn}),
      'held', coalesce(${held}, false))`;
  if (privilege.kind === "schema") {
    return `(SELECT ${facts("n.nspowner", `pg_catalog.has_schema_privilege(${role}, n.oid, 'USAGE')`)}
               FROM pg_catalog.pg_namespace AS n WHERE n.nspname ${EQ} ${quoteLiteral(privilege.schema)})`;
  }
  return `(SELECT ${facts("c.relowner", `pg_catalog.has_table_privilege(${role}, c.oid, 'SELECT')`)}
             FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid ${EQ} c.relnamespace
            WHERE n.nspname ${EQ} ${quoteLiteral(privilege.schema)} AND c.relname ${EQ} ${
    quoteLiteral(privilege.table!)
  }
              AND c.relkind ${EQ} ANY (ARRAY['r', 'p', 'v', 'm', 'f', 'S']::"char"[]))`;
}

async function privilegeFacts(
  session: Session,
  declared: readonly DeclaredPrivilege[],
  owner: string,
): Promise<Map<string, PrivilegeFacts>> {
  const unique = [...new Map(declared.map((privilege) => [privilegeKey(privilege), privilege])).values()];
  const facts = new Map<string, PrivilegeFacts>();
  if (unique.length === 0) return facts;
  const [row] = await session.query(
    `SELECT ${unique.map((privilege, i) => `${objectSql(privilege, owner)} AS p${i}`).join(",\n       ")}`,
  );
  unique.forEach((privilege, i) => {
    const found = row![`p${i}`] as Omit<PrivilegeFacts, "exists"> | null;
    facts.set(privilegeKey(privilege), found ? { exists: true, ...found } : { exists: false });
  });
  return facts;
}

async function readRecordedCustom(
  session: Session,
  names: InstallNames,
): Promise<{ table: boolean; recorded: RecordedCustom[] }> {
  const regclass = quoteLiteral(`${quoteIdent(names.schema)}.posemo_custom_checks`);
  const [probe] = await session.query(`SELECT pg_catalog.to_regclass(${regclass}) IS NOT NULL AS present,
      (SELECT r.rolsuper FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_roles AS r ON r.oid ${EQ} c.relowner
        WHERE c.oid ${EQ} pg_catalog.to_regclass(${regclass})) AS owner_is_superuser`);
  if (probe!.present !== true) return { table: false, recorded: [] };
  // Its teardown runs as the installing superuser: only a superuser may have written it.
  if (probe!.owner_is_superuser !== true) {
    throw new UserError(
      `Cannot trust "${names.schema}.posemo_custom_checks": it is not owned by a superuser, and install would run the teardown SQL it holds (drop it as a superuser after checking its rows)`,
      "failed",
    );
  }
  const rows = await session.query(
    `SELECT c.name, c.definition, c.teardown, c.granted FROM ${
      quoteIdent(names.schema)
    }.posemo_custom_checks AS c ORDER BY c.name COLLATE pg_catalog."C"`,
  );
  const recorded = rows.map((r) => ({
    name: String(r.name),
    scope: (JSON.parse(String(r.definition)) as { scope: "cluster" | "database" }).scope,
    ...(r.teardown ? { teardown: String(r.teardown) } : {}),
    granted: JSON.parse(String(r.granted)) as DeclaredPrivilege[],
  }));
  return { table: true, recorded };
}

/** Reads the custom-check facts of the database the session is in; `state` must be inspected first. */
export async function inspectCustom(
  session: Session,
  state: InstallState,
  names: InstallNames,
  declared: readonly DeclaredPrivilege[],
): Promise<CustomState> {
  const { table, recorded } = state.recorded
    ? await readRecordedCustom(session, names)
    : { table: false, recorded: [] };
  const owner = state.recorded?.settings.owner_role ?? names.owner;
  const all = [...declared, ...recorded.flatMap((r) => r.granted)];
  return { table, recorded, privileges: await privilegeFacts(session, all, owner) };
}

/** The state of a database nothing is known about (`--dry-run --server-version N`). */
export function freshCustomState(): CustomState {
  return { table: false, recorded: [], privileges: new Map() };
}
