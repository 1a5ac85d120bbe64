/**
 * A hostile review of custom checks against a real PostgreSQL: a check that fails at run time (an
 * error, the wrong shape, NULLs, a timeout) is UNKNOWN for itself only; an unqualified name fails at
 * install saying what to do; a changed signature or an uninstall leaves no orphan function.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CliOutcome, connectionArgs, runCli } from "../harness/cli.ts";
import type { Cluster } from "../../dev/cluster.ts";
import * as fixture from "./install-fixture.ts";

const PASSWORD = "monitoring-pw-1";
let cluster: Cluster;
let work: string;

beforeAll(async () => {
  ({ cluster } = await fixture.startInstallCluster());
  work = mkdtempSync(join(tmpdir(), "posemo-custom-hostile-"));
  const out = await install("--database", "app", "--monitoring-password-file", fixture.passwordFile(work, PASSWORD));
  fixture.expectInstalled(out);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const install = (...args: string[]): Promise<CliOutcome> => fixture.install(cluster, ...args);
const check = (...args: string[]) => fixture.check(cluster, "posemo", "app", args, { PGPASSWORD: PASSWORD });

/** A checks directory holding one folder per entry: [check.yaml, pg12.sql, language]. */
function checksDir(name: string, checks: Record<string, { yaml?: string; sql: string }>): string {
  const dir = join(work, name);
  for (const [check, { yaml, sql }] of Object.entries(checks)) {
    mkdirSync(join(dir, check), { recursive: true });
    writeFileSync(
      join(dir, check, "check.yaml"),
      yaml ?? "description: d\ncolumns:\n  - name: n\n    type: integer\nthresholds:\n  columns: [n]\n  warning: '5'\n",
    );
    writeFileSync(join(dir, check, "pg12.sql"), sql);
  }
  return dir;
}

const functionNames = async (db = "app") => (await fixture.functionsIn(cluster, db)).map((f) => String(f.proname));

describe("a custom check that fails at run time is UNKNOWN for itself only", () => {
  test("an error, a wrong shape, no row and a timeout each name their check; the good one still reports", async () => {
    const plpgsql = "description: d\nlanguage: plpgsql\ncolumns:\n  - name: n\n    type: integer\n";
    const dir = checksDir("runtime", {
      good: { sql: "SELECT 1 AS n" },
      divides: { sql: "SELECT (1 / (random() * 0)::int)::int AS n" },
      shape: { yaml: plpgsql, sql: "BEGIN RETURN QUERY SELECT 'x'::text; END" },
      nulls: { sql: "SELECT NULL::int AS n" },
      empty: { sql: "SELECT 1 AS n WHERE false" },
      slow: { sql: "SELECT 1 AS n FROM pg_catalog.pg_sleep(5)" },
    });
    fixture.expectInstalled(await install("--database", "app", "--checks-dir", dir));
    const out = await check("--check", "good,divides,shape,nulls,empty,slow", "--timeout", "1s", "--format", "json");
    const checks = JSON.parse(out.stdout).hosts[0].checks as { name: string; status: string; message: string }[];
    const by = Object.fromEntries(checks.map((c) => [c.name, c]));
    expect(by.good!.status).toBe("ok");
    expect(by.divides).toMatchObject({ status: "unknown" });
    expect(by.divides!.message).toContain("division by zero");
    expect(by.shape!.status).toBe("unknown");
    // PostgreSQL 18 words the column `"" (position 1)`, earlier ones `1.`
    expect(by.shape!.message).toMatch(
      /^structure of query does not match function result type: Returned type text does not match expected type integer in column /,
    );
    expect(by.slow!.status).toBe("unknown");
    expect(by.slow!.message).toContain("statement timeout");
    // NULL is "no value", never judged, as for the built-in checks; unknown_reason is how SQL says UNKNOWN.
    expect([by.nulls!.status, by.nulls!.message]).toEqual(["ok", "n no value"]);
    expect([by.empty!.status, by.empty!.message]).toEqual(["unknown", "the check returned no row"]);
  }, 60_000);
});

describe("a missing function inside a check's body is not a missing check", () => {
  test("the server's message is kept; only the check's own function missing means install", async () => {
    const plpgsql = "description: d\nlanguage: plpgsql\ncolumns:\n  - name: n\n    type: integer\n";
    const dir = checksDir("inner", {
      calls_gone: { yaml: plpgsql, sql: "BEGIN RETURN QUERY SELECT public.gone_fn(); END" },
      calls_gone_schema: { yaml: plpgsql, sql: "BEGIN RETURN QUERY SELECT gone_schema.f(); END" },
    });
    fixture.expectInstalled(await install("--database", "app", "--checks-dir", dir));
    const out = await check("--check", "calls_gone,calls_gone_schema", "--format", "json");
    const checks = JSON.parse(out.stdout).hosts[0].checks as { name: string; status: string; message: string }[];
    expect(checks.map((c) => [c.name, c.status, c.message])).toEqual([
      ["calls_gone", "unknown", "function public.gone_fn() does not exist"],
      ["calls_gone_schema", "unknown", `schema "gone_schema" does not exist`],
    ]);
  }, 60_000);
});

describe("least privilege", () => {
  test(
    "a second statement that writes does not run in a read-only check; the monitoring role reaches only the function",
    async () => {
      await cluster.exec("CREATE TABLE public.ledger (id int); INSERT INTO public.ledger VALUES (1)", "app");
      const dir = checksDir("sneaky", {
        sneaky: {
          yaml: "description: d\ncolumns:\n  - name: n\n    type: integer\nprivileges:\n  - select: public.ledger\n",
          sql: "DELETE FROM public.ledger; SELECT count(*)::int AS n FROM public.ledger",
        },
      });
      const out = await install("--database", "app", "--checks-dir", dir);
      console.log("SNEAKY", out.exitCode, out.stderr);
      if (out.exitCode === 0) {
        const run = await check("--check", "sneaky");
        expect(run.exitCode).toBe(3);
        expect(run.stdout).toContain("DELETE is not allowed in a non-volatile function");
      }
      const [rows] = await cluster.exec("SELECT count(*)::int AS n FROM public.ledger", "app");
      expect(rows!.n).toBe(1);
      const asMonitoring = (sql: string) =>
        cluster.exec(`SET ROLE posemo; ${sql}`, "app").then(() => "ran", (e: Error) => e.message);
      expect(await asMonitoring("SELECT * FROM public.ledger")).toContain("permission denied");
      expect(await asMonitoring("SELECT * FROM posemo.posemo_custom_checks")).toContain("permission denied");
      expect(await asMonitoring("CREATE TABLE posemo.planted (id int)")).toContain("permission denied");
      expect(await asMonitoring("SELECT * FROM posemo.posemo_custom_definitions()")).toBe("ran");
    },
    60_000,
  );
});

describe("install", () => {
  test("an unqualified table name fails at install, naming the file and saying to qualify it", async () => {
    await cluster.exec("CREATE TABLE public.orders (status text)", "app");
    const dir = checksDir("unqualified", { orders: { sql: "SELECT count(*)::int AS n FROM orders" } });
    const out = await install("--database", "app", "--checks-dir", dir);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toBe(
      `posemo: Cannot install check "orders" in database "app": relation "orders" does not exist (check SQL runs with search_path = pg_catalog, pg_temp: write application objects with their schema, e.g. public.orders); nothing was changed in that database (rolled back)\n`,
    );
    const trial = await runCli(["checks", "test", join(dir, "orders"), ...connectionArgs(cluster, "postgres", "app")]);
    expect(trial.stderr).toContain(
      `${dir}/orders/pg12.sql:1: relation "orders" does not exist (check SQL runs with search_path = pg_catalog, pg_temp:`,
    );
  }, 60_000);

  test("a changed signature replaces the function; uninstall leaves no custom function", async () => {
    const dir = checksDir("signature", { sig: { sql: "SELECT 1 AS n" } });
    fixture.expectInstalled(await install("--database", "app", "--checks-dir", dir));
    writeFileSync(
      join(dir, "sig/check.yaml"),
      "description: d\ncolumns:\n  - name: n\n    type: integer\narguments:\n  - name: m\n    type: integer\n    default: '1'\n",
    );
    writeFileSync(join(dir, "sig/pg12.sql"), "SELECT m AS n");
    fixture.expectInstalled(await install("--database", "app", "--checks-dir", dir));
    expect((await functionNames()).filter((n) => n === "sig")).toEqual(["sig"]);
    const scope = checksDir("scope", {
      everywhere: {
        yaml: "description: d\nscope: database\ncolumns:\n  - name: n\n    type: integer\n",
        sql: "SELECT 1 AS n",
      },
    });
    fixture.expectInstalled(await install("--database", "app", "--checks-dir", dir, "--checks-dir", scope));
    fixture.expectInstalled(await install("--database", "app", "--uninstall"));
    for (const db of ["app", "postgres"]) {
      const [left] = await cluster.exec(
        "SELECT count(*)::int AS n FROM pg_catalog.pg_proc WHERE proname IN ('sig', 'everywhere')",
        db,
      );
      expect({ db, left: left!.n }).toEqual({ db, left: 0 });
    }
  }, 60_000);
});
