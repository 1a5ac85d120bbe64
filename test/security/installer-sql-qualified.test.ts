/**
 * Defence in depth behind the pinned session: the installer's inspection SQL means the same even
 * when a schema of lookalikes comes first on the search_path. Every pg_catalog function the
 * installer's source names (and the aggregates and operators it uses) is planted again, with the
 * same signature, in a schema searched before pg_catalog, where it would hide the built-in from any
 * unqualified call; the inspections (posemo's state, sequences, custom checks' privileges) must never
 * run one of them.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { InstallNames } from "../../src/install/quote.ts";
import { inspectInstallation } from "../../src/install/inspect.ts";
import { inspectSequences } from "../../src/install/sequence-grants.ts";
import { inspectCustom } from "../../src/install/custom-inspect.ts";
import { openSession } from "../../src/db/session.ts";
import type { Cluster } from "../../dev/cluster.ts";
import { startTenantCluster, tenantDatabase } from "./tenant-fixture.ts";

let cluster: Cluster;
const root = resolve(import.meta.dir, "../..");
const NAMES: InstallNames = { schema: "posemo", owner: "posemo_admin", monitoring: "posemo", database: "t_lookalikes" };

beforeAll(async () => {
  cluster = await startTenantCluster();
  await tenantDatabase(cluster, "t_lookalikes");
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

/** The pg_catalog functions the installer's TypeScript and SQL name. */
function functionsNamed(): string[] {
  const dirs = [join(root, "src/install"), join(root, "sql")];
  const text = dirs.flatMap((dir) => readdirSync(dir).map((f) => readFileSync(join(dir, f), "utf8"))).join("\n");
  return [...new Set([...text.matchAll(/pg_catalog\.(\w+)\(/g)].map((m) => m[1]!))].sort();
}

const TRAP = "BEGIN PERFORM pg_catalog.nextval('public.hits'); RETURN NULL; END";

function plantSql(names: readonly string[]): string {
  const list = names.map((n) => `'${n}'`).join(", ");
  return `
CREATE SCHEMA evil;
DO $plant$ DECLARE p record; BEGIN
  FOR p IN SELECT f.proname, pg_catalog.pg_get_function_identity_arguments(f.oid) AS args, pg_catalog.pg_get_function_result(f.oid) AS res
             FROM pg_catalog.pg_proc AS f
            WHERE f.pronamespace = 'pg_catalog'::regnamespace AND f.proname IN (${list}) AND f.prokind = 'f' AND NOT f.proretset
              AND pg_catalog.pg_get_function_identity_arguments(f.oid) !~ '"any"|internal|cstring|anyarray|anycompatible'
              AND pg_catalog.pg_get_function_result(f.oid) !~ 'any'
  LOOP
    EXECUTE pg_catalog.format('CREATE FUNCTION evil.%I(%s) RETURNS %s LANGUAGE plpgsql AS %L', p.proname, p.args, p.res, ${
    "$t$" + TRAP + "$t$"
  });
  END LOOP;
END $plant$;
CREATE FUNCTION evil.trap_state(state text, v anyelement) RETURNS text LANGUAGE plpgsql AS $t$ BEGIN PERFORM pg_catalog.nextval('public.hits'); RETURN state; END $t$;
CREATE FUNCTION evil.trap_count(state bigint) RETURNS bigint LANGUAGE plpgsql AS $t$ BEGIN PERFORM pg_catalog.nextval('public.hits'); RETURN state; END $t$;
CREATE FUNCTION evil.trap_json(state text) RETURNS json LANGUAGE plpgsql AS $t$ BEGIN PERFORM pg_catalog.nextval('public.hits'); RETURN '[]'; END $t$;
CREATE AGGREGATE evil.json_agg(anyelement) (sfunc = evil.trap_state, stype = text, initcond = '', finalfunc = evil.trap_json);
CREATE AGGREGATE evil.count(*) (sfunc = evil.trap_count, stype = bigint, initcond = '0');
${
    [["name", "name"], ["oid", "oid"], ['"char"', '"char"'], ["text", "text"]].map(([l, r]) => operator("=", l!, r!))
      .join("\n")
  }
${[["name", "name"], ["oid", "oid"], ['"char"', '"char"']].map(([l, r]) => operator("<>", l!, r!)).join("\n")}
${operator("!~", "text", "text")}`;
}

let operators = 0;
function operator(op: string, left: string, right: string): string {
  const fn = `evil.trap_op${operators++}`;
  return `CREATE FUNCTION ${fn}(${left}, ${right}) RETURNS boolean LANGUAGE plpgsql AS $t$ ${TRAP} $t$;
CREATE OPERATOR evil.${op} (leftarg = ${left}, rightarg = ${right}, function = ${fn});`;
}

test(
  "with lookalikes of every function, aggregate and operator first on the path, the inspection runs none of them",
  async () => {
    const names = functionsNamed();
    expect(names).toContain("json_agg");
    await cluster.exec(plantSql(names), "t_lookalikes");
    const [planted] = await cluster.exec(
      "SELECT count(*)::int AS n FROM pg_catalog.pg_proc WHERE pronamespace = 'evil'::regnamespace",
      "t_lookalikes",
    );
    expect(planted!.n).toBeGreaterThan(names.length / 2);
    const session = openSession({
      host: cluster.host,
      port: cluster.port,
      user: "postgres",
      database: "t_lookalikes",
      sslmode: "disable",
      connectTimeoutMs: 10_000,
    });
    try {
      await session.query("SET search_path = evil, pg_catalog");
      const [path] = await session.query("SELECT pg_catalog.current_setting('search_path') AS p");
      expect(path!.p).toBe("evil, pg_catalog");
      const state = await inspectInstallation(session, NAMES);
      await inspectSequences(session, NAMES);
      await inspectCustom(session, state, NAMES, [{
        privilege: "SELECT",
        kind: "table",
        schema: "public",
        table: "hits",
      }, { privilege: "USAGE", kind: "schema", schema: "public" }]);
      expect(state.isSuperuser).toBe(true);
    } finally {
      await session.close();
    }
    const [hits] = await cluster.exec("SELECT is_called FROM public.hits", "t_lookalikes");
    expect(hits!.is_called).toBe(false);
  },
  60_000,
);
