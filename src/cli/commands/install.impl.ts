/** `posemo install`: resolves the connection and hands over to src/install. @module */
import type { CliContext } from "../context.ts";
import { complain, say } from "../context.ts";
import { UserError } from "../../errors.ts";
import type { InstallFlags } from "./install.ts";
import { resolveConnection } from "../../config/connection.ts";
import { realConnectionEnvironment } from "../../config/environment.ts";
import { dryRunOffline, runInstall } from "../../install/install.ts";
import type { InstallRequest } from "../../install/request.ts";
import { scramVerifier } from "../../install/scram.ts";
import { POSEMO_VERSION } from "../../version.ts";
import { catalogue } from "../../catalogue/catalogue.generated.ts";
import { loadCustomChecks, withCustomChecks } from "../../catalogue/custom.ts";
import { CatalogueError } from "../../catalogue/parse.ts";
import type { CheckDefinition } from "../../catalogue/definition.ts";
import { commandConfig } from "../load-config.ts";

/** `--checks-dir`, else the configuration file's `checks_dirs` (its per-check settings do not matter here). */
function checksDirs(flags: InstallFlags, env: Readonly<Record<string, string | undefined>>): readonly string[] {
  if (flags.checksDir && flags.checksDir.length > 0) return flags.checksDir;
  return commandConfig({ path: flags.config, env, catalogue, unknown: [], invalid: "failed" })?.checksDirs ?? [];
}

/** The built-in catalogue plus the custom checks; a bad definition stops here, before anything connects. */
function checksToInstall(
  flags: InstallFlags,
  env: Readonly<Record<string, string | undefined>>,
): readonly CheckDefinition[] {
  const dirs = flags.uninstall && !flags.checksDir ? [] : checksDirs(flags, env);
  if (dirs.length === 0) return catalogue;
  if (flags.uninstall) {
    throw new UserError(
      "Cannot use --checks-dir with --uninstall: uninstall removes every check, custom ones included",
    );
  }
  try {
    return withCustomChecks(catalogue, loadCustomChecks(dirs, catalogue));
  } catch (error) {
    if (error instanceof CatalogueError) {
      throw new UserError(`Cannot load custom check: ${error.message}; nothing was installed`, "failed");
    }
    throw error;
  }
}

function verifierFrom(flags: InstallFlags, readFile: (p: string) => string | undefined): string | undefined {
  if (!flags.monitoringPasswordFile) return undefined;
  const text = readFile(flags.monitoringPasswordFile);
  if (text === undefined) {
    throw new UserError(`Cannot read --monitoring-password-file "${flags.monitoringPasswordFile}": no such file`);
  }
  const password = text.split(/\r?\n/)[0] ?? "";
  if (password.length < 8) {
    throw new UserError(
      `Cannot use --monitoring-password-file "${flags.monitoringPasswordFile}": its first line must hold a password of at least 8 characters`,
    );
  }
  return scramVerifier(password);
}

function request(
  flags: InstallFlags,
  verifier: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): InstallRequest {
  if (flags.dropRoles && !flags.uninstall) throw new UserError("Cannot use --drop-roles without --uninstall");
  if (flags.serverVersion !== undefined && !flags.dryRun) {
    throw new UserError(
      "Cannot use --server-version without --dry-run: a live install reads the version from the server",
    );
  }
  return {
    names: { schema: flags.schema, owner: flags.ownerRole, monitoring: flags.monitoringRole, database: flags.database },
    version: POSEMO_VERSION,
    ...(flags.checks ? { only: flags.checks } : {}),
    ...(verifier ? { monitoringVerifier: verifier } : {}),
    createDatabase: flags.createDatabase,
    dryRun: flags.dryRun,
    uninstall: flags.uninstall,
    dropRoles: flags.dropRoles,
    catalogue: checksToInstall(flags, env),
  };
}

export default async function install(this: CliContext, flags: InstallFlags): Promise<void> {
  const connectionEnv = realConnectionEnvironment(this.process.env, (line) => complain(this, line));
  const req = request(flags, verifierFrom(flags, connectionEnv.readFile), this.process.env);
  const out = { print: (text: string) => say(this, text), warn: (line: string) => complain(this, line) };
  if (flags.serverVersion !== undefined) return dryRunOffline(flags.serverVersion, req, out);
  await runInstall(resolveConnection(flags, connectionEnv, { database: "postgres" }), req, out);
}
