/**
 * The installed inventory as the monitoring role sees it through `posemo_inventory()`, and the words
 * for what can go wrong: not installed, installed by another posemo version, a missing privilege.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import { variantFor } from "../catalogue/definition.ts";
import type { Failure } from "../db/errors.ts";
import { checkSessionOptions, type Row } from "../db/session.ts";

/** What `posemo_inventory()` returned. */
export interface Inventory {
  readonly posemoVersion: string;
  readonly serverVersionNum: number;
  readonly checks: ReadonlyMap<string, string>;
}

/** Parses the inventory rows (one per installed check, version repeated). */
export function readInventory(rows: readonly Row[]): Inventory {
  const first = rows[0];
  const checks = new Map<string, string>();
  for (const row of rows) if (row.check_name) checks.set(String(row.check_name), String(row.check_hash));
  return {
    posemoVersion: String(first?.posemo_version ?? "unknown"),
    serverVersionNum: Number(first?.server_version_num ?? 0),
    checks,
  };
}

/** Why the installed functions are not this binary's (another posemo version), or undefined when the versions agree. */
export function staleInstall(inventory: Inventory, version: string): string | undefined {
  if (inventory.posemoVersion === version) return undefined;
  return `the posemo functions are version ${inventory.posemoVersion} but this binary is ${version}: run posemo install as a superuser to upgrade`;
}

/**
 * Why a check cannot be trusted to run, or undefined. "not-installed" is told apart because
 * `--check all` skips such checks while a named check reports them. After the binary was upgraded
 * without a new install, a check whose installed fingerprint is this binary's (its SQL, columns and
 * arguments unchanged) still runs and is judged: only the changed and the new checks wait for it.
 */
export function inventoryProblem(
  check: CheckDefinition,
  inventory: Inventory,
  version: string,
): string | "not-installed" | undefined {
  const major = Math.floor(inventory.serverVersionNum / 10000);
  const variant = variantFor(check, major);
  if (!variant) return `check "${check.name}" does not exist on PostgreSQL ${major}`;
  const installed = inventory.checks.get(check.name);
  if (installed === variant.hash) return undefined;
  const stale = staleInstall(inventory, version);
  if (stale) return stale;
  if (installed === undefined) return "not-installed";
  return `check "${check.name}" was installed by a different posemo build (${installed}, expected ${variant.hash}): run posemo install`;
}

/** Why nothing was called where posemo's schema does not exist (as the server would word it). */
export function notInstalledHere(schema: string): string {
  return explainInventoryError({ kind: "missing-function", message: `schema "${schema}" does not exist` }, schema);
}

/** The reason for a failed inventory call: not installed, no privilege, cannot log in. */
export function explainInventoryError(failure: Failure, schema: string): string {
  switch (failure.kind) {
    case "missing-function":
      return `posemo is not installed here (${failure.message}): run posemo install as a superuser`;
    case "privilege":
      return `${failure.message}: the monitoring role needs CONNECT on the database, USAGE on schema "${schema}" and EXECUTE on its functions (run posemo install)`;
    case "auth":
      return `cannot log in: ${failure.message}: ${loginFix(failure)}`;
    case "role-limit":
      return `cannot log in: ${failure.message}: raise the monitoring role's limit (ALTER ROLE ... CONNECTION LIMIT), or find what holds its sessions`;
    case "missing-database":
      return `${failure.message}: pass -d with the database posemo is installed in`;
    case "locked":
      return `posemo's first query waited for a lock on posemo's own tables (${failure.message}): is a posemo install running?`;
    default:
      return failure.message;
  }
}

/** What to change for a refused login: the password, pg_hba.conf, or the role name. */
function loginFix(failure: Failure): string {
  if (failure.sqlstate === "28P01") {
    // The server words an expired password (VALID UNTIL passed) the same way as a wrong one.
    return "give the monitoring role's password with --password-file, PGPASSWORD or ~/.pgpass (posemo install --monitoring-password-file sets it); a password past its VALID UNTIL fails the same way";
  }
  if (failure.message.startsWith("no pg_hba.conf entry")) {
    return "add a pg_hba.conf line for the monitoring role from this host, then reload the server";
  }
  if (failure.message.startsWith("pg_hba.conf rejects connection")) {
    return "a reject line in pg_hba.conf matches the monitoring role from this host: put a line allowing it above that one, then reload the server";
  }
  if (/^role ".*" does not exist$/.test(failure.message)) {
    return "pass -U with the monitoring role (posemo install creates posemo)";
  }
  return "check the monitoring role's login (pg_hba.conf, password, -U)";
}

/** The reason for a failed check call. */
export function explainCheckError(
  failure: Failure,
  check: CheckDefinition,
  options: { schema: string; timeoutMs: number },
): string {
  if (failure.kind === "privilege") return explainCheckPrivilege(failure, check, options.schema);
  if (failure.kind === "cancelled") {
    return `no answer within the ${options.timeoutMs / 1000} s timeout (${failure.message})`;
  }
  if (failure.kind === "locked") {
    const waited = checkSessionOptions(options.timeoutMs).lockTimeoutMs! / 1000;
    return `waited ${waited} s for a lock another session holds (${failure.message}): see blocked_sessions and locks`;
  }
  if (failure.kind === "missing-function" && namesCheckFunction(failure.message, check, options.schema)) {
    return `check "${check.name}" is not installed: run posemo install`;
  }
  return failure.message;
}

/**
 * Whether "does not exist" is about the check's own function (or posemo's schema), not about a
 * function or schema the check's body calls: that one is the check's own error, kept as the server said it.
 */
function namesCheckFunction(message: string, check: CheckDefinition, schema: string): boolean {
  return message.startsWith(`function ${schema}.${check.name}(`) || message === `schema "${schema}" does not exist`;
}

/**
 * Denied calling the function is the monitoring role's EXECUTE; denied anything else happened inside
 * it, as the owner role (e.g. pg_database_size without CONNECT once pg_monitor was revoked).
 */
function explainCheckPrivilege(failure: Failure, check: CheckDefinition, schema: string): string {
  if (failure.message === `permission denied for function ${check.name}`) {
    return `${failure.message}: the monitoring role needs EXECUTE on ${schema}.${check.name}() (run posemo install)`;
  }
  return `${failure.message}: the functions' owner role lacks it (posemo install grants it pg_monitor; other privileges are the administrator's)`;
}
