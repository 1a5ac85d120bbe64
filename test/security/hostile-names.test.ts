/**
 * A database's owner who may create databases (CREATEDB) can rename its own database to anything:
 * newlines, SQL, `posemo: ` and terminal escapes included. `install` prints that name in the SQL
 * comments of `--dry-run`, whose output is meant to be piped into psql as a superuser, and in its
 * one-line messages. Before, a newline ended the comment and the rest ran as SQL (the tenant became
 * superuser), and a failure line could forge the next one. Now every name from the server in a
 * comment or a message is on one line, its control characters as visible `\xNN` escapes.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import type { Cluster } from "../../dev/cluster.ts";
import { asRole, expectUntouched, install, startTenantCluster, tenantDatabase } from "./tenant-fixture.ts";

let cluster: Cluster;
const SQL_NAME = "t\nALTER ROLE tenant SUPERUSER;\n-- \u001b[2J";
const FORGED_NAME = "t\nposemo: every database was installed";

beforeAll(async () => {
  cluster = await startTenantCluster();
  await cluster.exec("ALTER ROLE tenant CREATEDB");
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

/** The tenant renames its own database (its owner with CREATEDB may). */
async function renameTo(from: string, to: string): Promise<void> {
  await asRole(cluster, "tenant", "postgres", `ALTER DATABASE ${from} RENAME TO "${to.replaceAll('"', '""')}"`);
}

/** Runs a script as the superuser, as `psql -f` would: simple protocol, several statements. */
async function runAsSuperuser(script: string): Promise<void> {
  const sql = postgres({ host: cluster.host, port: cluster.port, user: "postgres", database: "postgres", max: 1 });
  try {
    await sql.unsafe(script).simple();
  } finally {
    await sql.end({ timeout: 1 });
  }
}

test(
  "a database named with a newline and SQL: --dry-run's script keeps it inside its comment, running it changes nothing",
  async () => {
    await tenantDatabase(cluster, "t_named");
    expect((await install(cluster, "--checks", "alive,sequences")).stderr).toBe("");
    await renameTo("t_named", SQL_NAME);
    const dryRun = await install(cluster, "--checks", "alive,sequences", "--dry-run");
    expect(dryRun.exitCode).toBe(0);
    expect(dryRun.stdout).toContain("/t\\x0aALTER ROLE tenant SUPERUSER;\\x0a-- \\x1b[2J as postgres");
    await runAsSuperuser(dryRun.stdout);
    await expectUntouched(cluster, SQL_NAME);
    // The uninstall plan names the database in SQL too: as a Unicode-escape identifier, no raw control character.
    const uninstallPlan = await install(cluster, "--checks", "alive,sequences", "--dry-run", "--uninstall");
    expect(uninstallPlan.stdout).toContain('DATABASE U&"t\\000aALTER ROLE tenant SUPERUSER;\\000a-- \\001b[2J" FROM');
    for (const out of [dryRun, uninstallPlan]) {
      expect(out.stdout.split("\n")).not.toContain("ALTER ROLE tenant SUPERUSER;");
      // deno-lint-ignore no-control-regex -- control characters are what is looked for
      expect(out.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    }
    // ... and the server reads that identifier as the name itself: the real uninstall succeeds there.
    const uninstalled = await install(cluster, "--uninstall");
    expect({ exitCode: uninstalled.exitCode, stderr: uninstalled.stderr }).toEqual({ exitCode: 0, stderr: "" });
    await expectUntouched(cluster, SQL_NAME);
  },
  60_000,
);

test("a database named with a newline and a posemo: line: install's failure for it stays one line", async () => {
  await tenantDatabase(cluster, "t_forged");
  await asRole(cluster, "tenant", "t_forged", "CREATE SCHEMA posemo"); // install refuses it: a failure naming the database
  await renameTo("t_forged", FORGED_NAME);
  const out = await install(cluster, "--checks", "alive,sequences");
  expect(out.exitCode).toBe(1);
  const lines = out.stderr.trimEnd().split("\n");
  expect(lines).not.toContain("posemo: every database was installed");
  expect(lines).toHaveLength(2); // the database's refusal, then how many failed
  expect(lines[0]).toStartWith('posemo: database "t\\x0aposemo: every database was installed": Cannot install');
}, 60_000);
