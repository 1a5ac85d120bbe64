/**
 * What the issue-9 alert tests share: posemo installed into a cluster as the superuser, and one
 * check run through the real CLI as the monitoring role, its JSON result and its values by row and
 * column.
 * @module
 */
import { connectionArgs, runCli } from "../harness/cli.ts";
import type { Cluster } from "../../dev/cluster.ts";

/** One value of a check's JSON result. */
export interface JsonValue {
  readonly label: string;
  readonly column: string;
  readonly row?: string;
  readonly value: unknown;
  readonly status: string;
  readonly warning?: string;
  readonly critical?: string;
  readonly context: Record<string, string> | null;
}

/** One check of a `posemo.check/2` document. */
export interface JsonCheck {
  readonly name: string;
  readonly status: string;
  readonly message: string;
  readonly error: string | null;
  readonly values: readonly JsonValue[];
}

/** `posemo install --create-database` as the superuser; throws with its stderr when it fails. */
export async function installPosemo(cluster: Cluster, ...args: string[]): Promise<void> {
  const out = await runCli(["install", ...connectionArgs(cluster, "postgres"), "--create-database", ...args]);
  if (out.exitCode !== 0) throw new Error(`posemo install failed: ${out.stderr}`);
}

/** `posemo check --check NAME --format json` as the monitoring role; `check` is unset when nothing was printed (a usage error). */
export async function runCheck(
  cluster: Cluster,
  name: string,
  ...args: string[]
): Promise<{ exitCode: number; stderr: string; check?: JsonCheck }> {
  const out = await runCli([
    "check",
    ...connectionArgs(cluster, "posemo", "posemo"),
    "--check",
    name,
    "--format",
    "json",
    ...args,
  ]);
  if (out.stdout === "") return { exitCode: out.exitCode, stderr: out.stderr };
  const doc = JSON.parse(out.stdout) as { hosts: { checks: JsonCheck[] }[] };
  return { exitCode: out.exitCode, stderr: out.stderr, check: doc.hosts[0]!.checks[0]! };
}

/** The value in row `row` (undefined for a single-row check) and column `column`. */
export function cellOf(check: JsonCheck, row: string | undefined, column: string): JsonValue | undefined {
  return check.values.find((v) => v.row === row && v.column === column);
}
