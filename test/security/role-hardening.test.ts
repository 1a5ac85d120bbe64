/**
 * The roles posemo runs as hold nothing beyond what posemo grants them. The owner role (whose rights
 * every SECURITY DEFINER function has) is refused with LOGIN, SUPERUSER, CREATEROLE (on 15 and older
 * effectively superuser), CREATEDB, BYPASSRLS or REPLICATION, with members, or as a member of any role
 * but pg_monitor (e.g. the server-file and server-program roles); the monitoring role with any of those
 * attributes or any membership (e.g. pg_read_all_data). Each refusal names what is wrong, through the CLI.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connectionArgs, runCli } from "../harness/cli.ts";
import type { Cluster } from "../../dev/cluster.ts";
import { expectOneLineErrors, install, startTenantCluster } from "./tenant-fixture.ts";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startTenantCluster();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

/** Creates `role` as `definition`, runs install with it in `flag`, and expects one refusal containing `named`. */
async function expectRefused(
  flag: "--owner-role" | "--monitoring-role",
  role: string,
  definition: string,
  named: string,
): Promise<void> {
  await cluster.exec(`CREATE ROLE ${role} ${definition}`);
  const out = await install(cluster, flag, role, "--checks", "alive");
  expectOneLineErrors(out);
  expect({ role, exitCode: out.exitCode }).toEqual({ role, exitCode: 1 });
  expect(out.stderr).toContain(named);
  const [made] = await cluster.exec(
    "SELECT count(*)::int AS n FROM pg_catalog.pg_proc WHERE proname = 'alive'",
    "posemo",
  );
  expect(made!.n).toBe(0);
}

describe("the owner role", () => {
  for (const attribute of ["CREATEROLE", "CREATEDB", "BYPASSRLS", "REPLICATION"]) {
    test(`with ${attribute} is refused naming it`, async () => {
      const role = `owner_${attribute.toLowerCase()}`;
      await expectRefused(
        "--owner-role",
        role,
        `NOLOGIN ${attribute}`,
        `Cannot use "${role}" as the owner role: it has ${attribute} (ALTER ROLE "${role}" NO${attribute}`,
      );
    }, 60_000);
  }

  test("with LOGIN or SUPERUSER is refused naming it", async () => {
    await expectRefused(
      "--owner-role",
      "owner_login",
      "LOGIN",
      'Cannot use "owner_login" as the owner role: it can log in; the owner must be NOLOGIN',
    );
    await expectRefused(
      "--owner-role",
      "owner_super",
      "NOLOGIN SUPERUSER",
      'Cannot use superuser "owner_super" as the owner role',
    );
  }, 60_000);

  for (
    const granted of ["pg_execute_server_program", "pg_write_server_files", "pg_read_server_files", "pg_signal_backend"]
  ) {
    test(`a member of ${granted} is refused naming it`, async () => {
      const role = `owner_in_${granted}`;
      await expectRefused(
        "--owner-role",
        role,
        `NOLOGIN IN ROLE ${granted}`,
        `Cannot use "${role}" as the owner role: it is a member of "${granted}"`,
      );
    }, 60_000);
  }

  test("with a member that could act as it is refused naming the member", async () => {
    await cluster.exec("CREATE ROLE sidekick LOGIN");
    await expectRefused(
      "--owner-role",
      "owner_shared",
      "NOLOGIN ROLE sidekick",
      'Cannot use "owner_shared" as the owner role: "sidekick" can act as it',
    );
  }, 60_000);
});

describe("the monitoring role", () => {
  for (const attribute of ["SUPERUSER", "CREATEROLE", "CREATEDB", "BYPASSRLS", "REPLICATION"]) {
    test(`with ${attribute} is refused naming it`, async () => {
      const role = `mon_${attribute.toLowerCase()}`;
      await expectRefused(
        "--monitoring-role",
        role,
        `LOGIN ${attribute}`,
        `Cannot use "${role}" as the monitoring role: it has ${attribute}`,
      );
    }, 60_000);
  }

  test(
    "a member of any role (pg_read_all_data from 14, pg_read_all_stats, an ordinary role) is refused naming it",
    async () => {
      const granted = cluster.major >= 14 ? "pg_read_all_data" : "pg_read_all_stats";
      await expectRefused(
        "--monitoring-role",
        "mon_reader",
        `LOGIN IN ROLE ${granted}`,
        `Cannot use "mon_reader" as the monitoring role: it is a member of "${granted}"`,
      );
      await expectRefused(
        "--monitoring-role",
        "mon_tenant",
        "LOGIN IN ROLE tenant",
        'Cannot use "mon_tenant" as the monitoring role: it is a member of "tenant"',
      );
    },
    60_000,
  );

  test("with a member that could act as it is refused naming the member", async () => {
    await expectRefused(
      "--monitoring-role",
      "mon_shared",
      "LOGIN ROLE mallory",
      'Cannot use "mon_shared" as the monitoring role: "mallory" can act as it',
    );
  }, 60_000);
});

describe("a server error is one line naming the database, never a stack trace", () => {
  test("a role that may not create the database it asked for", async () => {
    await cluster.exec("CREATE ROLE plain_installer LOGIN");
    const out = await runCli([
      "install",
      ...connectionArgs(cluster, "plain_installer"),
      "--database",
      "not_allowed",
      "--create-database",
    ]);
    expectOneLineErrors(out);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain('"postgres"'); // the maintenance database the statement ran in
    expect(out.stderr).toContain("permission denied to create database");
  }, 60_000);
});
