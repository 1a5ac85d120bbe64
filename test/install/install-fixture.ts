/**
 * The cluster and helpers the install tests share: a cluster that trusts only `postgres` on the
 * socket (every other role needs a SCRAM password) and logs every statement, with an ordinary
 * database "app" holding a user table; `posemo install`/`check` through the real CLI.
 * @module
 */
import { expect } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { catalogue } from "../../src/catalogue/catalogue.generated.ts";
import { type CheckDefinition, variantFor } from "../../src/catalogue/definition.ts";
import { type CliOutcome, connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";

/** Starts the install tests' cluster; returns it with the checks that have SQL for its version. */
export async function startInstallCluster(): Promise<{ cluster: Cluster; installable: CheckDefinition[] }> {
  const cluster = await startCluster({
    hba: "local all postgres trust\nlocal all all scram-sha-256\n",
    settings: { log_statement: "'all'", log_min_messages: "'info'" },
  });
  await cluster.exec("CREATE DATABASE app");
  await cluster.exec("CREATE TABLE public.customers (id int, secret text)", "app");
  return { cluster, installable: catalogue.filter((c) => variantFor(c, cluster.major)) };
}

/** `posemo install` as the superuser. */
export function install(cluster: Cluster, ...args: string[]): Promise<CliOutcome> {
  return runCli(["install", ...connectionArgs(cluster, "postgres"), ...args]);
}

/** `posemo check` as `user` in `database`. */
export function check(
  cluster: Cluster,
  user: string,
  database: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliOutcome> {
  return runCli(["check", ...connectionArgs(cluster, user, database), ...args], env);
}

/** Asserts a clean success: exit 0, nothing on stderr. */
export function expectInstalled(out: CliOutcome): void {
  expect(out.stderr).toBe("");
  expect(out.exitCode).toBe(0);
}

/** Writes a 0600 password file in `dir`. */
export function passwordFile(dir: string, text: string): string {
  const file = join(dir, `pw-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** The functions in a schema with what the security model is about: SECURITY DEFINER, config, owner, ACL. */
export async function functionsIn(cluster: Cluster, db: string, schema = "posemo") {
  return cluster.exec(
    `
    SELECT p.proname, p.prosecdef, p.proconfig, pg_catalog.pg_get_userbyid(p.proowner) AS owner,
           pg_catalog.pg_get_function_result(p.oid) AS result,
           (SELECT json_agg(json_build_object('grantee', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
                                              'privilege', a.privilege_type) ORDER BY 1)
              FROM pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a) AS acl
      FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = '${schema.replaceAll("'", "''")}' ORDER BY p.proname`,
    db,
  );
}
