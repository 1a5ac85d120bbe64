import { describe, expect, test } from "bun:test";
import type { CheckDefinition } from "../../src/catalogue/definition.ts";
import { type InstallOptions, type InstallPlan, planInstall, type PlanResult } from "../../src/install/plan.ts";
import { planUninstall } from "../../src/install/plan-uninstall.ts";
import { quoteIdent, quoteLiteral } from "../../src/db/quote.ts";
import { type InstallNames } from "../../src/install/quote.ts";
import { freshState, type InstallState, type RoleFacts } from "../../src/install/state.ts";
import { sampleCheck } from "../harness/check-definition.ts";

const check = sampleCheck;

const probe = check("probe", {
  writes: true,
  arguments: [{ name: "message", type: "text", default: "posemo" }],
  columns: [{ name: "write_time", type: "double precision" }],
  variants: [{
    minMajor: 12,
    setup:
      "CREATE TABLE IF NOT EXISTS {{schema}}.probe_table (t text);\nALTER TABLE {{schema}}.probe_table OWNER TO {{owner}};",
    teardown: "DROP TABLE IF EXISTS {{schema}}.probe_table;",
    body: "INSERT INTO {{schema}}.probe_table VALUES ($1) RETURNING 0::double precision",
    hash: "probe-hash",
  }],
});
const modern = check("modern", { variants: [{ minMajor: 16, body: "SELECT 2", hash: "modern-hash" }] });
const catalogue = [check("alive", { columns: [{ name: "alive", type: "boolean" }] }), probe, modern];

const NAMES: InstallNames = { schema: "posemo", owner: "posemo_admin", monitoring: "posemo", database: "posemo" };
const VERSION = "1.2.3";

function role(overrides: Partial<RoleFacts> = {}): RoleFacts {
  return {
    login: false,
    superuser: false,
    attributes: [],
    inPgMonitor: false,
    memberOf: [],
    members: [],
    ...overrides,
  };
}

/** The state a successful install of `checks` leaves behind. */
function installedState(checks: readonly CheckDefinition[], names = NAMES, major = 15): InstallState {
  return {
    major,
    isSuperuser: true,
    database: names.database,
    roles: { [names.owner]: role({ inPgMonitor: true }), [names.monitoring]: role({ login: true }) },
    schema: {
      owner: names.owner,
      ownerTrusted: true,
      foreign: [],
      creators: [],
      functions: ["posemo_inventory", ...checks.map((c) => c.name)],
      misprivileged: [],
      monitoringHasUsage: true,
    },
    recorded: {
      settings: {
        posemo_version: VERSION,
        owner_role: names.owner,
        monitoring_role: names.monitoring,
        created_owner_role: "true",
        granted_pg_monitor: "true",
        created_monitoring_role: "true",
        created_schema: "true",
        created_database: "false",
      },
      checks: checks.map((c) => ({
        name: c.name,
        hash: c.variants[0]!.hash,
        signature: `(${c.arguments.map((a) => a.type).join(", ")})`,
      })),
    },
    monitoringCanConnect: true,
    untrustedEventTriggers: [],
  };
}

function options(overrides: Partial<InstallOptions> = {}): InstallOptions {
  return { names: NAMES, version: VERSION, ...overrides };
}

function ok(result: PlanResult): InstallPlan {
  if (!result.ok) throw new Error(`expected a plan, got refusals: ${result.problems.join("; ")}`);
  return result.plan;
}

function problems(result: PlanResult): readonly string[] {
  if (result.ok) throw new Error("expected a refusal, got a plan");
  return result.problems;
}

function sqlOf(plan: InstallPlan): string {
  return plan.steps.map((s) => s.sql).join("\n");
}

const installable = catalogue.filter((c) => c.name !== "modern");

describe("planInstall() on a fresh server", () => {
  const plan = ok(planInstall(catalogue, freshState(15, "posemo"), options()));
  const sql = sqlOf(plan);

  test("creates the NOLOGIN owner with pg_monitor, the LOGIN monitoring role and the schema owned by the owner", () => {
    expect(sql).toContain('CREATE ROLE "posemo_admin" NOLOGIN INHERIT NOSUPERUSER');
    expect(sql).toContain('GRANT pg_monitor TO "posemo_admin";');
    expect(sql).toContain('CREATE ROLE "posemo" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT');
    expect(sql).toContain(
      'CREATE SCHEMA "posemo" AUTHORIZATION "posemo_admin";\nREVOKE ALL ON SCHEMA "posemo" FROM PUBLIC;',
    );
    expect(sql).toContain('GRANT CONNECT ON DATABASE "posemo" TO "posemo";');
    expect(sql).toContain('GRANT USAGE ON SCHEMA "posemo" TO "posemo";');
  });

  test("one SECURITY DEFINER function per check, search_path pinned, PUBLIC revoked, EXECUTE to the monitoring role only", () => {
    for (const c of installable) {
      const fn = `"posemo"."${c.name}"`;
      const sig = c.arguments.map((a) => a.type).join(", ");
      expect(sql).toMatch(
        new RegExp(
          `CREATE FUNCTION ${
            escape(fn)
          }\\(.*\\)\\n  RETURNS TABLE \\(.*\\)\\n  LANGUAGE sql (STABLE|VOLATILE) SECURITY DEFINER\\n  SET search_path = pg_catalog, pg_temp\\n`,
        ),
      );
      expect(sql).toContain(`ALTER FUNCTION ${fn}(${sig}) OWNER TO "posemo_admin";`);
      expect(sql).toContain(`REVOKE ALL ON FUNCTION ${fn}(${sig}) FROM PUBLIC;`);
      expect(sql).toContain(`GRANT EXECUTE ON FUNCTION ${fn}(${sig}) TO "posemo";`);
    }
    expect(sql.match(/GRANT EXECUTE/g)).toHaveLength(installable.length + 1);
    expect(sql).toContain("LANGUAGE sql VOLATILE SECURITY DEFINER");
  });

  test("a check's setup comes before its function, and the steps name their check", () => {
    const probeSteps = plan.steps.filter((s) => s.check === "probe").map((s) => s.sql);
    expect(probeSteps[0]).toStartWith('CREATE TABLE IF NOT EXISTS "posemo".probe_table');
    expect(probeSteps[1]).toStartWith('CREATE FUNCTION "posemo"."probe"("message" text DEFAULT \'posemo\')');
    expect(plan.steps.filter((s) => !s.check).every((s) => !s.sql.includes('CREATE FUNCTION "posemo"."'))).toBe(true);
  });

  test("records the version, what it created and each check's hash", () => {
    expect(sql).toContain(
      `INSERT INTO "posemo".posemo_checks (name, hash, signature) VALUES ('probe', 'probe-hash', '(text)')`,
    );
    expect(sql).toContain("('posemo_version', '1.2.3')");
    expect(sql).toContain("('created_owner_role', 'true')");
    expect(sql).toContain("('created_database', 'false')");
  });

  test("a check without SQL for this version is skipped and listed, never breaks the rest", () => {
    expect(plan.installed).toEqual(["alive", "probe"]);
    expect(plan.skipped).toEqual([{ name: "modern", reason: "no SQL for PostgreSQL 15" }]);
    expect(sql).not.toContain('"modern"');
    expect(ok(planInstall(catalogue, freshState(16, "posemo"), options())).installed).toEqual([
      "alive",
      "probe",
      "modern",
    ]);
  });

  test("--checks installs only those; an unknown name is refused naming it", () => {
    const only = ok(planInstall(catalogue, freshState(15, "posemo"), options({ only: ["alive"] })));
    expect(only.installed).toEqual(["alive"]);
    expect(sqlOf(only)).not.toContain("probe");
    expect(problems(planInstall(catalogue, freshState(15, "posemo"), options({ only: ["alive", "nope"] })))).toEqual([
      'Cannot install unknown check "nope": see posemo check --list',
    ]);
  });

  test("a dedicated database (created by this run) loses PUBLIC's rights on it and CREATE on its public schema", () => {
    const dedicated = sqlOf(ok(planInstall(catalogue, freshState(15, "posemo"), options({ createdDatabase: true }))));
    expect(dedicated).toContain(
      'REVOKE ALL ON DATABASE "posemo" FROM PUBLIC;\nREVOKE CREATE ON SCHEMA public FROM PUBLIC;',
    );
    expect(dedicated).toContain("('created_database', 'true')");
    expect(sql).not.toContain("REVOKE ALL ON DATABASE");
  });

  test("a password verifier is set but only shown redacted", () => {
    const verifier = "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy";
    const withPassword = ok(
      planInstall(catalogue, freshState(15, "posemo"), options({ monitoringVerifier: verifier })),
    );
    const step = withPassword.steps.find((s) => s.sql.includes("PASSWORD"))!;
    expect(step.sql).toBe(`ALTER ROLE "posemo" PASSWORD '${verifier}';`);
    expect(step.shown).toBe(`ALTER ROLE "posemo" PASSWORD '<SCRAM-SHA-256 verifier>';`);
  });
});

describe("planInstall(): reserved connection slots for the monitoring role", () => {
  const grant = 'GRANT pg_use_reserved_connections TO "posemo" WITH INHERIT TRUE, SET FALSE;';

  test("PostgreSQL 16+ grants pg_use_reserved_connections (with INHERIT: the role is NOINHERIT) and records it; 15 cannot", () => {
    const sql16 = sqlOf(ok(planInstall(catalogue, freshState(16, "posemo"), options())));
    expect(sql16).toContain(grant);
    expect(sql16).toContain("('granted_reserved_connections', 'true')");
    expect(sqlOf(ok(planInstall(catalogue, freshState(15, "posemo"), options())))).not.toContain(
      "pg_use_reserved_connections",
    );
  });

  test("an install from before this grant gets it on 16+; one that has it plans nothing; uninstall revokes what it granted", () => {
    const before = installedState(catalogue, NAMES, 16);
    expect(sqlOf(ok(planInstall(catalogue, before, options())))).toContain(grant);
    const granted = {
      ...before,
      roles: { ...before.roles, posemo: role({ login: true, usesReservedConnections: true }) },
    };
    expect(ok(planInstall(catalogue, granted, options())).steps).toEqual([]);
    const recorded = {
      ...granted,
      recorded: {
        ...granted.recorded!,
        settings: {
          ...granted.recorded!.settings,
          created_monitoring_role: "false",
          granted_reserved_connections: "true",
        },
      },
    };
    expect(sqlOf(ok(planUninstall(catalogue, recorded, { names: NAMES, dropRoles: false })))).toContain(
      'REVOKE pg_use_reserved_connections FROM "posemo";',
    );
  });
});

describe("planInstall() on an installed server", () => {
  test("re-planning what is recorded plans nothing", () => {
    const plan = ok(planInstall(catalogue, installedState(installable), options()));
    expect(plan.steps).toEqual([]);
    expect(plan.unchanged).toEqual(["alive", "probe"]);
    expect(plan.installed).toEqual([]);
  });

  test("a changed hash drops and re-creates that check only (so a new return type works)", () => {
    const state = installedState(installable);
    const changed = {
      ...state,
      recorded: {
        ...state.recorded!,
        checks: state.recorded!.checks.map((c) => (c.name === "probe" ? { ...c, hash: "old" } : c)),
      },
    };
    const plan = ok(planInstall(catalogue, changed, options()));
    expect(plan.installed).toEqual(["probe"]);
    expect(plan.unchanged).toEqual(["alive"]);
    const probeSql = plan.steps.filter((s) => s.check === "probe").map((s) => s.sql);
    expect(probeSql[0]).toBe('DROP FUNCTION IF EXISTS "posemo"."probe"(text);');
    expect(probeSql.some((s) => s.startsWith('CREATE FUNCTION "posemo"."probe"'))).toBe(true);
    expect(sqlOf(plan)).not.toContain('"alive"');
  });

  test("the drop uses the recorded signature, so a changed argument list is replaced too", () => {
    const state = installedState(installable);
    const oldSig = {
      ...state,
      recorded: {
        ...state.recorded!,
        checks: state.recorded!.checks.map((
          c,
        ) => (c.name === "probe" ? { ...c, hash: "old", signature: "(text, interval)" } : c)),
      },
    };
    expect(sqlOf(ok(planInstall(catalogue, oldSig, options())))).toContain(
      'DROP FUNCTION IF EXISTS "posemo"."probe"(text, interval);',
    );
  });

  test("a function recorded but missing from the schema is re-created", () => {
    const state = installedState(installable);
    const plan = ok(
      planInstall(
        catalogue,
        { ...state, schema: { ...state.schema!, functions: ["posemo_inventory", "probe"] } },
        options(),
      ),
    );
    expect(plan.installed).toEqual(["alive"]);
  });

  test("a recorded check the catalogue no longer has is dropped with its row (no teardown known)", () => {
    const state = installedState([...installable, check("retired")]);
    const plan = ok(planInstall(catalogue, state, options()));
    expect(plan.removed).toEqual(["retired"]);
    expect(plan.steps.filter((s) => s.check === "retired").map((s) => s.sql)).toEqual([
      'DROP FUNCTION IF EXISTS "posemo"."retired"();',
      `DELETE FROM "posemo".posemo_checks WHERE name OPERATOR(pg_catalog.=) 'retired';`,
    ]);
  });

  test("a check left out with --checks is removed with its teardown", () => {
    const plan = ok(planInstall(catalogue, installedState(installable), options({ only: ["alive"] })));
    expect(plan.removed).toEqual(["probe"]);
    expect(plan.steps.filter((s) => s.check === "probe").map((s) => s.sql)).toEqual([
      'DROP FUNCTION IF EXISTS "posemo"."probe"(text);',
      'DROP TABLE IF EXISTS "posemo".probe_table;',
      `DELETE FROM "posemo".posemo_checks WHERE name OPERATOR(pg_catalog.=) 'probe';`,
    ]);
  });

  test("another posemo version re-creates the inventory function and records the new version", () => {
    const state = installedState(installable);
    const older = {
      ...state,
      recorded: { ...state.recorded!, settings: { ...state.recorded!.settings, posemo_version: "0.0.1" } },
    };
    const sql = sqlOf(ok(planInstall(catalogue, older, options())));
    expect(sql).toContain('CREATE OR REPLACE FUNCTION "posemo".posemo_inventory()');
    expect(sql).toContain("('posemo_version', '1.2.3')");
  });

  test("what it created is remembered across upgrades (created_* stay true)", () => {
    const state = installedState(installable);
    const changed = {
      ...state,
      recorded: { ...state.recorded!, checks: state.recorded!.checks.map((c) => ({ ...c, hash: "old" })) },
    };
    const sql = sqlOf(ok(planInstall(catalogue, changed, options())));
    expect(sql).toContain("('created_owner_role', 'true')");
    expect(sql).toContain("('created_schema', 'true')");
  });

  test("lost privileges are granted again: EXECUTE on a check, the inventory, USAGE, CONNECT", () => {
    const state = installedState(installable);
    const drifted = {
      ...state,
      schema: { ...state.schema!, misprivileged: ["alive", "posemo_inventory"], monitoringHasUsage: false },
      monitoringCanConnect: false,
    };
    const plan = ok(planInstall(catalogue, drifted, options()));
    const sql = sqlOf(plan);
    expect(sql).toContain('GRANT EXECUTE ON FUNCTION "posemo"."alive"() TO "posemo";');
    expect(sql).toContain('REVOKE ALL ON FUNCTION "posemo"."alive"() FROM PUBLIC;');
    expect(sql).toContain('GRANT EXECUTE ON FUNCTION "posemo".posemo_inventory() TO "posemo";');
    expect(sql).toContain('GRANT USAGE ON SCHEMA "posemo" TO "posemo";');
    expect(sql).toContain('GRANT CONNECT ON DATABASE "posemo" TO "posemo";');
    expect(sql).not.toContain("CREATE FUNCTION");
    expect(plan.unchanged).toEqual(["alive", "probe"]);
  });
});

describe("planInstall() quotes every identifier", () => {
  const hostile: InstallNames = {
    schema: 'we"ird sch; DROP SCHEMA x',
    owner: "own er'); DROP ROLE y; --",
    monitoring: 'Mon"itor',
    database: "data base",
  };

  /** Removes every properly quoted occurrence; any raw occurrence left is unquoted SQL. */
  function unquotedLeftovers(sql: string): string[] {
    let rest = sql;
    for (const name of Object.values(hostile)) {
      rest = rest.replaceAll(quoteIdent(name), "<ident>").replaceAll(quoteLiteral(name), "<literal>");
    }
    return Object.values(hostile).filter((name) => rest.includes(name));
  }

  test("fresh install, verifier, dedicated database: no name appears unquoted", () => {
    const plan = ok(
      planInstall(catalogue, freshState(16, hostile.database), {
        names: hostile,
        version: VERSION,
        createdDatabase: true,
        monitoringVerifier: "v'x",
      }),
    );
    const sql = sqlOf(plan);
    expect(sql).toContain('CREATE SCHEMA "we""ird sch; DROP SCHEMA x" AUTHORIZATION "own er\'); DROP ROLE y; --";');
    expect(unquotedLeftovers(sql)).toEqual([]);
  });

  test("upgrade, removal and uninstall: no name appears unquoted", () => {
    const state = installedState([...installable, check("retired")], hostile);
    const changed = {
      ...state,
      recorded: { ...state.recorded!, checks: state.recorded!.checks.map((c) => ({ ...c, hash: "old" })) },
    };
    expect(unquotedLeftovers(sqlOf(ok(planInstall(catalogue, changed, { names: hostile, version: "9" }))))).toEqual([]);
    expect(unquotedLeftovers(sqlOf(ok(planUninstall(catalogue, state, { names: hostile, dropRoles: true }))))).toEqual(
      [],
    );
  });

  test("the leftover detector itself finds an unquoted name", () => {
    expect(unquotedLeftovers(`GRANT x TO ${hostile.monitoring}`)).toEqual([hostile.monitoring]);
  });
});

describe("planInstall() refusals", () => {
  const fresh = freshState(15, "posemo");

  test("an owner role that is a superuser", () => {
    const state = { ...fresh, roles: { posemo_admin: role({ superuser: true }) } };
    expect(problems(planInstall(catalogue, state, options()))).toEqual([
      'Cannot use superuser "posemo_admin" as the owner role: any flaw in a function would give superuser (use a dedicated NOLOGIN role)',
    ]);
  });

  test("an owner role that can log in", () => {
    const state = { ...fresh, roles: { posemo_admin: role({ login: true }) } };
    expect(problems(planInstall(catalogue, state, options()))).toEqual([
      'Cannot use "posemo_admin" as the owner role: it can log in; the owner must be NOLOGIN',
    ]);
  });

  test("an owner role other roles are members of", () => {
    const state = { ...fresh, roles: { posemo_admin: role({ members: ["alice"] }) } };
    expect(problems(planInstall(catalogue, state, options()))[0]).toContain('"alice" can act as it');
  });

  test("an owner role with a powerful attribute or a membership beyond pg_monitor: each named", () => {
    const state = {
      ...fresh,
      roles: {
        posemo_admin: role({
          attributes: ["CREATEROLE", "BYPASSRLS"],
          memberOf: ["pg_monitor", "pg_read_server_files"],
        }),
      },
    };
    expect(problems(planInstall(catalogue, state, options()))).toEqual([
      'Cannot use "posemo_admin" as the owner role: it has CREATEROLE (ALTER ROLE "posemo_admin" NOCREATEROLE, or use a dedicated role)',
      'Cannot use "posemo_admin" as the owner role: it has BYPASSRLS (ALTER ROLE "posemo_admin" NOBYPASSRLS, or use a dedicated role)',
      'Cannot use "posemo_admin" as the owner role: it is a member of "pg_read_server_files", and the functions would run with those rights (REVOKE them; posemo grants it only pg_monitor)',
    ]);
  });

  test("a powerful monitoring role, one that is a member of anything, and one role for both jobs", () => {
    const powerful = {
      ...fresh,
      roles: { posemo: role({ login: true, attributes: ["REPLICATION"], memberOf: ["pg_read_all_data"] }) },
    };
    expect(problems(planInstall(catalogue, powerful, options()))).toEqual([
      'Cannot use "posemo" as the monitoring role: it has REPLICATION; it must have none of SUPERUSER, CREATEROLE, CREATEDB, BYPASSRLS, REPLICATION (ALTER ROLE "posemo" NOREPLICATION)',
      'Cannot use "posemo" as the monitoring role: it is a member of "pg_read_all_data"; it must hold nothing but what posemo grants (REVOKE them)',
    ]);
    expect(problems(planInstall(catalogue, fresh, options({ names: { ...NAMES, owner: "posemo" } })))[0]).toStartWith(
      'Cannot use "posemo" as both owner and monitoring role',
    );
  });

  test("a schema on which PUBLIC can CREATE, saying why", () => {
    const state = {
      ...fresh,
      schema: {
        owner: "postgres",
        ownerTrusted: true,
        foreign: [],
        creators: ["PUBLIC"],
        functions: [],
        misprivileged: [],
        monitoringHasUsage: false,
      },
    };
    expect(problems(planInstall(catalogue, state, options()))).toEqual([
      'Cannot install into schema "posemo": "PUBLIC" can CREATE in it, and could plant objects the functions resolve (use a dedicated schema, e.g. the default "posemo")',
    ]);
  });

  test("a schema another role owns, or holding another role's objects, naming the owner", () => {
    const owned = {
      ...fresh,
      schema: {
        owner: "tenant",
        ownerTrusted: false,
        foreign: [],
        creators: [],
        functions: [],
        misprivileged: [],
        monitoringHasUsage: false,
      },
    };
    expect(problems(planInstall(catalogue, owned, options()))).toEqual([
      'Cannot install into schema "posemo": it is owned by "tenant", not by "posemo_admin" or a superuser, so its objects are that role\'s code (drop or rename it as a superuser, or pass another --schema)',
    ]);
    const planted = {
      ...fresh,
      schema: {
        ...owned.schema,
        owner: "postgres",
        ownerTrusted: true,
        foreign: [{ kind: "relation", name: "posemo_install", owner: "tenant" }],
      },
    };
    expect(problems(planInstall(catalogue, planted, options()))[0]).toContain(
      'its relation "posemo_install" is owned by "tenant"',
    );
  });

  test("reserved schemas, before anything is known of the server", () => {
    for (const schema of ["public", "pg_catalog", "information_schema", "pg_toast", "pg_anything"]) {
      expect(problems(planInstall(catalogue, fresh, options({ names: { ...NAMES, schema } })))[0]).toStartWith(
        `Cannot use --schema "${schema}": it is a schema PostgreSQL or every database owner controls`,
      );
    }
  });

  test("an event trigger a non-superuser controls", () => {
    const state = { ...fresh, untrustedEventTriggers: [{ name: "audit", function: "audit.log()", owner: "former" }] };
    expect(problems(planInstall(catalogue, state, options()))).toEqual([
      'Cannot install: event trigger "audit" would run audit.log() during the install\'s DDL, and "former", who is not a superuser, controls it (ALTER EVENT TRIGGER "audit" DISABLE, or have a superuser own both)',
    ]);
  });

  test("recorded roles that differ from the requested ones", () => {
    const result = problems(
      planInstall(
        catalogue,
        installedState(installable),
        options({ names: { ...NAMES, owner: "other_admin", monitoring: "other" } }),
      ),
    );
    expect(result).toEqual([
      'Cannot switch the owner role to "other_admin": posemo is installed here with "posemo_admin" (pass --owner-role posemo_admin or uninstall first)',
      'Cannot switch the monitoring role to "other": posemo is installed here with "posemo" (pass --monitoring-role posemo or uninstall first)',
    ]);
  });

  test("a connecting role that is not a superuser, and PostgreSQL before 12", () => {
    expect(problems(planInstall(catalogue, { ...fresh, isSuperuser: false }, options()))[0]).toStartWith(
      "Cannot install: the connecting role is not a superuser",
    );
    expect(problems(planInstall(catalogue, freshState(11, "posemo"), options()))).toEqual([
      "Cannot install on PostgreSQL 11: posemo supports 12 to 18",
    ]);
  });
});

describe("planUninstall()", () => {
  test("removes the checks (with teardown), the inventory, the schema it created, and with --drop-roles the roles it created", () => {
    const plan = ok(planUninstall(catalogue, installedState(installable), { names: NAMES, dropRoles: true }));
    expect(plan.removed).toEqual(["alive", "probe"]);
    expect(plan.steps.map((s) => s.sql)).toEqual([
      'DROP FUNCTION IF EXISTS "posemo"."alive"();',
      `DELETE FROM "posemo".posemo_checks WHERE name OPERATOR(pg_catalog.=) 'alive';`,
      'DROP FUNCTION IF EXISTS "posemo"."probe"(text);',
      'DROP TABLE IF EXISTS "posemo".probe_table;',
      `DELETE FROM "posemo".posemo_checks WHERE name OPERATOR(pg_catalog.=) 'probe';`,
      'DROP FUNCTION IF EXISTS "posemo".posemo_inventory();',
      'DROP TABLE IF EXISTS "posemo".posemo_checks;',
      'DROP TABLE IF EXISTS "posemo".posemo_install;',
      'DROP SCHEMA "posemo";',
      'REVOKE CONNECT ON DATABASE "posemo" FROM "posemo";',
      'REVOKE SELECT ON pg_catalog.pg_statistic FROM "posemo_admin";',
      'DROP ROLE "posemo";',
      'DROP ROLE "posemo_admin";',
    ]);
  });

  test("without --drop-roles the roles stay; pg_monitor granted by posemo is taken back", () => {
    const sql = sqlOf(ok(planUninstall(catalogue, installedState(installable), { names: NAMES, dropRoles: false })));
    expect(sql).not.toContain("DROP ROLE");
    expect(sql).toContain('REVOKE pg_monitor FROM "posemo_admin";');
  });

  test("roles and a schema that existed before are kept, and only what posemo granted is revoked", () => {
    const state = installedState(installable);
    const preexisting = {
      ...state,
      recorded: {
        ...state.recorded!,
        settings: {
          ...state.recorded!.settings,
          created_owner_role: "false",
          created_monitoring_role: "false",
          created_schema: "false",
          granted_pg_monitor: "false",
        },
      },
    };
    const sql = sqlOf(ok(planUninstall(catalogue, preexisting, { names: NAMES, dropRoles: true })));
    expect(sql).not.toContain("DROP ROLE");
    expect(sql).not.toContain("DROP SCHEMA");
    expect(sql).not.toContain("REVOKE pg_monitor");
    expect(sql).toContain('REVOKE USAGE ON SCHEMA "posemo" FROM "posemo";');
  });

  test("uses the recorded role names, and refuses when nothing is installed", () => {
    const state = installedState(installable, { ...NAMES, owner: "recorded_admin" });
    expect(sqlOf(ok(planUninstall(catalogue, state, { names: NAMES, dropRoles: true })))).toContain(
      'DROP ROLE "recorded_admin";',
    );
    expect(problems(planUninstall(catalogue, freshState(15, "db"), { names: NAMES, dropRoles: false }))).toEqual([
      'Cannot uninstall: posemo is not installed in database "db" schema "posemo" (no inventory found)',
    ]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
