/**
 * `npm run test:unit`: every test file that needs no PostgreSQL and runs no posemo process, in one
 * `bun test` run. A file needs a server when it imports the cluster or standby harness, and runs posemo
 * processes when it imports the process harness (dev/log-processes.ts, test/harness/spawn-cli.ts),
 * directly or through a fixture (see scripts/matrix/suite.ts); those are the integration and process
 * tests that `npm test` adds. POSEMO_TEST_UNIT=1 makes the harness refuse to start a server, so a unit
 * file that starts one anyway (say, through a script it spawns) fails instead of quietly making this
 * layer slow.
 * Usage: bun scripts/test-unit.ts [bun test flags...]
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { unitTestFiles } from "./matrix/suite.ts";

const root = resolve(import.meta.dirname, "..");
const files = unitTestFiles().map((file) => `./${file}`);
const env = { ...process.env, POSEMO_TEST_UNIT: "1" };
const result = spawnSync(process.execPath, ["test", "--timeout", "30000", ...process.argv.slice(2), ...files], {
  cwd: root,
  env,
  stdio: "inherit",
});
process.exit(result.status ?? 1);
