/**
 * `posemo install` options against a real PostgreSQL, through the real CLI: --dry-run (also offline
 * and run by psql), --checks, one transaction with rollback, refusals, --monitoring-password-file
 * (SCRAM; the plain text never logged) and names that need quoting.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { POSEMO_VERSION } from "../../src/version.ts";
import { catalogSnapshot } from "../harness/catalog-snapshot.ts";
import { connectionArgs, runCli } from "../harness/cli.ts";
import { type CheckDefinition, variantFor } from "../../src/catalogue/definition.ts";
import type { CliOutcome } from "../harness/cli.ts";
import type { Cluster } from "../../dev/cluster.ts";
import * as fixture from "./install-fixture.ts";

let cluster: Cluster;
let installable: CheckDefinition[];
const files = mkdtempSync(join(tmpdir(), "posemo-install-test-"));
const PASSWORD = "Pl4in-Text-Pa55word-never-logged";

beforeAll(async () => {
  ({ cluster, installable } = await fixture.startInstallCluster());
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(files, { recursive: true, force: true });
});

const install = (...args: string[]): Promise<CliOutcome> => fixture.install(cluster, ...args);
const functionsIn = (db: string, schema?: string) => fixture.functionsIn(cluster, db, schema);
const expectInstalled = fixture.expectInstalled;
const check = (user: string, database: string, args: string[], env: Record<string, string> = {}) =>
  fixture.check(cluster, user, database, args, env);
const passwordFile = (text: string): string => fixture.passwordFile(files, text);

describe("--dry-run", () => {
  test("prints the SQL of a fresh install and changes nothing", async () => {
    const before = await catalogSnapshot(cluster, ["app"]);
    const out = await install("--database", "app", "--dry-run");
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain("BEGIN;");
    expect(out.stdout.trimEnd()).toEndWith("COMMIT;");
    for (const c of installable) expect(out.stdout).toContain(`CREATE FUNCTION "posemo"."${c.name}"(`);
    expect(await catalogSnapshot(cluster, ["app"])).toEqual(before);
  }, 30_000);

  test("--create-database --dry-run creates no database", async () => {
    const out = await install("--database", "never_created", "--create-database", "--dry-run");
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toContain('CREATE DATABASE "never_created";');
    expect(await cluster.exec("SELECT 1 FROM pg_catalog.pg_database WHERE datname = 'never_created'")).toHaveLength(0);
  }, 30_000);

  test.each([12, 18])("--server-version %p needs no server at all", async (major) => {
    const out = await runCli([
      "install",
      "-H",
      join(files, "no-server-here"),
      "-p",
      "1",
      "--dry-run",
      "--server-version",
      String(major),
    ]);
    expect(out.stderr).toBe("");
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toStartWith(`-- posemo ${POSEMO_VERSION} install plan for PostgreSQL ${major} (offline`);
    for (const c of catalogue) {
      const expected = variantFor(c, major) !== undefined;
      expect({ check: c.name, planned: out.stdout.includes(`CREATE FUNCTION "posemo"."${c.name}"(`) }).toEqual({
        check: c.name,
        planned: expected,
      });
    }
  });

  test("--server-version outside 12 to 18 is refused naming it", async () => {
    const out = await runCli(["install", "--dry-run", "--server-version", "11"]);
    expect(out.exitCode).toBe(3);
    expect(out.stderr).toContain('Cannot use "11" as a server version: posemo supports PostgreSQL 12 to 18');
  });

  test("--server-version without --dry-run is refused", async () => {
    const out = await runCli(["install", "--server-version", "15"]);
    expect(out.exitCode).toBe(3);
    expect(out.stderr).toBe(
      "posemo: Cannot use --server-version without --dry-run: a live install reads the version from the server\n",
    );
  });

  test("the offline script is the exact SQL: psql runs it, and install then finds everything up to date", async () => {
    const psql = [join(cluster.bindir, "psql"), "psql"].find((p) => spawnSync(p, ["--version"]).status === 0);
    if (!psql) {
      console.log(`skipped: no psql next to the server binaries (${cluster.bindir}) nor on PATH`);
      return;
    }
    await cluster.exec("CREATE DATABASE scripted");
    const script = await runCli([
      "install",
      "--dry-run",
      "--server-version",
      String(cluster.major),
      "--database",
      "scripted",
    ]);
    const run = await runPsql(psql, [
      "-X",
      "-q",
      "-v",
      "ON_ERROR_STOP=1",
      "-h",
      cluster.host,
      "-p",
      String(cluster.port),
      "-U",
      "postgres",
      "-d",
      "scripted",
    ], script.stdout);
    expect(run).toEqual({ stderr: "", status: 0 });
    const again = await install("--database", "scripted");
    expect(again.stdout).toContain("is installed and up to date");
    expect((await install("--database", "scripted", "--uninstall", "--drop-roles")).exitCode).toBe(0);
    await cluster.exec("DROP DATABASE scripted");
  }, 60_000);
});

describe("--checks", () => {
  test("installs only the named checks", async () => {
    const first = installable[0]!.name;
    const out = await install("--database", "app", "--checks", first);
    await expectInstalled(out);
    expect((await functionsIn("app")).map((f) => f.proname).sort()).toEqual([first, "posemo_inventory"].sort());
    expect((await cluster.exec("SELECT name FROM posemo.posemo_checks", "app")).map((r) => r.name)).toEqual([first]);
    expect((await install("--database", "app", "--uninstall", "--drop-roles")).exitCode).toBe(0);
  }, 30_000);

  test("an unknown check is refused naming it, and nothing is created", async () => {
    const before = await catalogSnapshot(cluster, ["app"]);
    const out = await install("--database", "app", "--checks", "alive,no_such_check");
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toBe('posemo: Cannot install unknown check "no_such_check": see posemo check --list\n');
    expect(await catalogSnapshot(cluster, ["app"])).toEqual(before);
  }, 30_000);
});

describe("one transaction", () => {
  test("an error while creating a check rolls everything back and the message names the check", async () => {
    const victim = installable.at(-1)!.name;
    await cluster.exec(
      `
      CREATE FUNCTION public.refuse_posemo_function() RETURNS event_trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_event_trigger_ddl_commands() WHERE object_identity LIKE 'posemo.${victim}(%') THEN
          RAISE EXCEPTION 'the test refuses to let ${victim} be created';
        END IF;
      END $$;
      CREATE EVENT TRIGGER refuse_posemo ON ddl_command_end WHEN TAG IN ('CREATE FUNCTION') EXECUTE FUNCTION public.refuse_posemo_function();`,
      "app",
    );
    try {
      const before = await catalogSnapshot(cluster, ["app"]);
      const out = await install("--database", "app");
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toBe(
        `posemo: Cannot install check "${victim}" in database "app": the test refuses to let ${victim} be created; nothing was changed in that database (rolled back)\n`,
      );
      expect(await catalogSnapshot(cluster, ["app"])).toEqual(before);
    } finally {
      await cluster.exec("DROP EVENT TRIGGER refuse_posemo; DROP FUNCTION public.refuse_posemo_function();", "app");
    }
  }, 30_000);
});

describe("refusals", () => {
  test("--schema public where PUBLIC may CREATE (the PostgreSQL 14 default) is refused, saying why", async () => {
    await cluster.exec("GRANT CREATE ON SCHEMA public TO PUBLIC", "app");
    try {
      const before = await catalogSnapshot(cluster, ["app"]);
      const out = await install("--database", "app", "--schema", "public");
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toBe(
        'posemo: Cannot use --schema "public": it is a schema PostgreSQL or every database owner controls, where others can replace posemo\'s functions (use a dedicated schema, e.g. the default "posemo")\n',
      );
      expect(await catalogSnapshot(cluster, ["app"])).toEqual(before);
    } finally {
      await cluster.exec("REVOKE CREATE ON SCHEMA public FROM PUBLIC", "app");
    }
  }, 30_000);

  test("a table posemo did not create under its inventory's name is reported, not crashed on", async () => {
    await cluster.exec("CREATE SCHEMA planted; CREATE TABLE planted.posemo_install (x int)", "app");
    try {
      const out = await install("--database", "app", "--schema", "planted");
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toBe(
        `posemo: Cannot read posemo's inventory in schema "planted": column i.key does not exist (a table of that name that posemo did not create?)\n`,
      );
    } finally {
      await cluster.exec("DROP SCHEMA planted CASCADE", "app");
    }
  });

  test("a superuser owner role is refused", async () => {
    await cluster.exec("CREATE ROLE too_mighty SUPERUSER NOLOGIN");
    try {
      const out = await install("--database", "app", "--owner-role", "too_mighty");
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toStartWith('posemo: Cannot use superuser "too_mighty" as the owner role');
    } finally {
      await cluster.exec("DROP ROLE too_mighty");
    }
  });

  test("installing as a role that is not a superuser is refused", async () => {
    // PostgreSQL 12 and 13 store md5 by default, which the scram-sha-256 hba line cannot use.
    await cluster.exec(
      "SET password_encryption = 'scram-sha-256'; CREATE ROLE plain_user LOGIN PASSWORD 'plain-user-pw'",
    );
    try {
      const out = await runCli(["install", ...connectionArgs(cluster, "plain_user"), "--database", "app"], {
        PGPASSWORD: "plain-user-pw",
      });
      expect(out.exitCode).toBe(1);
      expect(out.stderr).toStartWith("posemo: Cannot install: the connecting role is not a superuser");
    } finally {
      await cluster.exec("DROP ROLE plain_user");
    }
  });
});

describe("--monitoring-password-file", () => {
  test(
    "sets a SCRAM verifier; the role logs in with it via PGPASSWORD and .pgpass; the plain text is never logged or printed",
    async () => {
      const file = passwordFile(`${PASSWORD}\n`);
      const dry = await install(
        "--database",
        "pwdb",
        "--create-database",
        "--monitoring-password-file",
        file,
        "--dry-run",
      );
      const out = await install("--database", "pwdb", "--create-database", "--monitoring-password-file", file);
      await expectInstalled(out);
      const [stored] = await cluster.exec("SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = 'posemo'");
      expect(stored!.rolpassword).toMatch(/^SCRAM-SHA-256\$4096:/);
      expect(dry.stdout).toContain(`ALTER ROLE "posemo" PASSWORD '<SCRAM-SHA-256 verifier>';`);

      const viaEnv = await check("posemo", "pwdb", ["--check", "alive"], { PGPASSWORD: PASSWORD });
      expect(viaEnv.stdout).toStartWith("POSEMO OK - alive");
      expect(viaEnv.exitCode).toBe(0);

      const home = mkdtempSync(join(files, "home-"));
      writeFileSync(
        join(home, ".pgpass"),
        `${cluster.host.replaceAll(":", "\\:")}:${cluster.port}:pwdb:posemo:${PASSWORD}\n`,
      );
      chmodSync(join(home, ".pgpass"), 0o600);
      const viaPgpass = await check("posemo", "pwdb", ["--check", "alive"], { HOME: home });
      expect(viaPgpass.stdout).toStartWith("POSEMO OK - alive");

      const wrong = await check("posemo", "pwdb", ["--check", "alive"], { PGPASSWORD: "wrong-password" });
      expect(wrong.exitCode).toBe(3);
      expect(wrong.stdout).toContain("password authentication failed");

      const removed = await install("--database", "pwdb", "--uninstall", "--drop-roles");
      expect(removed.exitCode).toBe(0);
      const everything = [dry, out, viaEnv, viaPgpass, wrong, removed].map((o) => o.stdout + o.stderr).join("\n") +
        readFileSync(cluster.logFile, "utf8");
      expect(readFileSync(cluster.logFile, "utf8")).toContain("PASSWORD 'SCRAM-SHA-256$");
      expect(everything).not.toContain(PASSWORD);
    },
    60_000,
  );

  test("a password file with a short first line is refused without showing it", async () => {
    const out = await install("--database", "pwdb", "--monitoring-password-file", passwordFile("short\n"));
    expect(out.exitCode).toBe(3);
    expect(out.stderr).toContain("its first line must hold a password of at least 8 characters");
    expect(out.stderr).not.toContain("short\n");
  });
});

describe("names that need quoting", () => {
  test("schema, roles and database with quotes and spaces install, run and uninstall", async () => {
    const names = { schema: 'we"ird sch', owner: "own er", monitoring: 'Mon"itor', database: "data base" };
    const before = await catalogSnapshot(cluster, ["postgres"]);
    const flags = [
      "--schema",
      names.schema,
      "--owner-role",
      names.owner,
      "--monitoring-role",
      names.monitoring,
      "--database",
      names.database,
    ];
    const out = await install(...flags, "--create-database", "--monitoring-password-file", passwordFile(PASSWORD));
    await expectInstalled(out);
    const ran = await check(names.monitoring, names.database, [
      "--schema",
      names.schema,
      "--check",
      installable[0]!.name,
    ], { PGPASSWORD: PASSWORD });
    expect(ran.stdout).toStartWith(`POSEMO `);
    expect(ran.stdout).not.toStartWith("POSEMO UNKNOWN");
    expect((await install(...flags, "--uninstall", "--drop-roles")).exitCode).toBe(0);
    expect(await catalogSnapshot(cluster, ["postgres"])).toEqual(before);
  }, 60_000);
});

/** Runs psql without blocking the event loop (a sync spawn would freeze this process's own sessions), killed after 30 s. */
function runPsql(psql: string, args: string[], input: string): Promise<{ stderr: string; status: number | null }> {
  const child = spawn(psql, args, { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  child.stdin.end(input);
  return new Promise((done) =>
    child.on("close", (status) => {
      clearTimeout(timer);
      done({ stderr, status });
    })
  );
}
