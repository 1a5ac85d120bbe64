/**
 * `npm run demo`: builds the binary, starts a throwaway PostgreSQL (the system's, else the npm
 * package's), installs posemo, runs every check as the monitoring role in Nagios and JSON format,
 * ships a few log records through serve-logs to fake-logplexd, and removes the cluster. Exits 1 when
 * a step that must succeed did not (the checks' own exit codes are Nagios states, not failures).
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { startCluster } from "../dev/cluster.ts";

const root = resolve(import.meta.dirname, "..");
const posemo = resolve(root, "dist/posemo");

function show(title: string, command: string, args: string[]): number {
  console.log(`\n\x1b[1m== ${title}\x1b[0m\n$ ${[command.replace(root + "/", ""), ...args].join(" ")}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  console.log(`(exit code ${result.status})`);
  return result.status ?? 1;
}

if (show("build the single binary", process.execPath, ["scripts/build.ts"]) !== 0) process.exit(1);
console.log("\n== start a throwaway PostgreSQL");
const cluster = await startCluster({ settings: { track_io_timing: "on" } });
console.log(`PostgreSQL ${cluster.major} listening on ${cluster.host} (${cluster.bindir})`);
const failed: string[] = [];
/** Runs a step that must exit 0, remembering it when it does not. */
function must(title: string, command: string, args: string[]): void {
  if (show(title, command, args) !== 0) failed.push(title);
}

try {
  const conn = (user: string) => ["-H", cluster.host, "-p", String(cluster.port), "-U", user];
  must("install as the superuser (dedicated database, roles, SECURITY DEFINER functions)", posemo, [
    "install",
    ...conn("postgres"),
    "--create-database",
  ]);
  must("install again: nothing to do", posemo, ["install", ...conn("postgres")]);
  must("the catalogue", posemo, ["check", "--list"]);
  show("all checks as the unprivileged role, Nagios format", posemo, ["check", ...conn("posemo"), "-d", "posemo"]);
  show("all checks, JSON format", posemo, ["check", ...conn("posemo"), "-d", "posemo", "--format", "json"]);
  show("one check with Nagios thresholds", posemo, [
    "check",
    ...conn("posemo"),
    "-d",
    "posemo",
    "--check",
    "connection_limit",
    "-w",
    "50",
    "-c",
    "80",
  ]);
} finally {
  await cluster.stop();
  console.log("\n== cluster stopped and removed");
}
must("serve-logs ships pg_logfebe records to fake-logplexd", process.execPath, [
  resolve(root, "scripts/logs-demo.ts"),
  "--posemo",
  posemo,
]);
if (failed.length > 0) {
  console.log(`\nThe demo failed at: ${failed.join("; ")}`);
  process.exit(1);
}
