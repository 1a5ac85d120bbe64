/**
 * Installs `scope: database` checks into a further database of a cluster whose roles sql-fixture's
 * installChecks() already created (roles are cluster-wide, schemas and functions per database),
 * and toggles the owner's SELECT on pg_statistic, a per-database catalog. Test support for
 * sql-database-checks.test.ts.
 * @module
 */
import type { CheckDefinition } from "../../src/catalogue/definition.ts";
import { quoteIdent } from "../../src/db/quote.ts";
import { type InstallNames } from "../../src/install/quote.ts";
import { checkInstallSql, type Server } from "./sql-fixture.ts";

function schemaSql(names: InstallNames): string {
  const q = quoteIdent;
  return [
    `CREATE SCHEMA ${q(names.schema)} AUTHORIZATION ${q(names.owner)};`,
    `REVOKE ALL ON SCHEMA ${q(names.schema)} FROM PUBLIC;`,
    `GRANT USAGE ON SCHEMA ${q(names.schema)} TO ${q(names.monitoring)};`,
  ].join("\n");
}

/** Creates the schema and the given checks in `database`, as the superuser, in one transaction. */
export async function installInDatabase(
  server: Server,
  database: string,
  checks: readonly CheckDefinition[],
  names: InstallNames,
): Promise<void> {
  const statements = [schemaSql(names), ...checks.map((c) => checkInstallSql(c, server.major, names))];
  await server.exec(`BEGIN;\n${statements.join("\n")}\nCOMMIT;`, database);
}

/** Grants (or revokes) the owner role SELECT on pg_catalog.pg_statistic in `database`, as the installer will. */
export async function setStatisticsGrant(
  server: Server,
  database: string,
  names: InstallNames,
  granted: boolean,
): Promise<void> {
  const statement = granted
    ? `GRANT SELECT ON pg_catalog.pg_statistic TO ${quoteIdent(names.owner)}`
    : `REVOKE SELECT ON pg_catalog.pg_statistic FROM ${quoteIdent(names.owner)}`;
  await server.exec(statement, database);
}
