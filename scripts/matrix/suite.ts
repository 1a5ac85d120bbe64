/**
 * The layers of the test suite, told apart by what a test file imports (directly or through its own
 * local imports): the cluster harness (`dev/cluster.ts`, the standby harness) makes it an integration
 * test, which starts a real PostgreSQL and which the matrix runs against one major through
 * `POSEMO_PG_BINDIR`; otherwise the process harness (`dev/log-processes.ts`, `test/harness/spawn-cli.ts`:
 * serve-logs, fake-logplexd or the CLI as child processes, waiting on real sockets and timers) makes it
 * a process test; any other file is a unit test. `npm test` runs all three.
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const CLUSTER_HARNESS = [join(root, "dev/cluster.ts"), join(root, "test/harness/standby.ts")];
const PROCESS_HARNESS = [join(root, "dev/log-processes.ts"), join(root, "test/harness/spawn-cli.ts")];
const LOCAL_IMPORT = /from\s+"(\.{1,2}\/[^"]+\.ts)"/g;

/** What a test file needs to run: nothing but itself, child processes, or a PostgreSQL cluster. */
export type TestLayer = "unit" | "process" | "integration";

function testFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFilesUnder(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Whether the module is one of `harness` or imports one, directly or through its own local imports. */
function importsHarness(file: string, harness: readonly string[], seen: Map<string, boolean>): boolean {
  if (harness.includes(file)) return true;
  if (seen.has(file)) return seen.get(file)!;
  seen.set(file, false);
  const imports = [...readFileSync(file, "utf8").matchAll(LOCAL_IMPORT)].map((m) => resolve(dirname(file), m[1]!));
  // A path quoted in a test (an import inside a string) may name no file.
  const result = imports.some((path) =>
    (path.startsWith(join(root, "test")) || path.startsWith(join(root, "dev"))) && existsSync(path) &&
    importsHarness(path, harness, seen)
  );
  seen.set(file, result);
  return result;
}

/** The test files (relative to the repository) of one layer, sorted. */
export function testFilesOf(layer: TestLayer): string[] {
  const startsClusters = new Map<string, boolean>();
  const startsProcesses = new Map<string, boolean>();
  const layerOf = (file: string): TestLayer =>
    importsHarness(file, CLUSTER_HARNESS, startsClusters)
      ? "integration"
      : importsHarness(file, PROCESS_HARNESS, startsProcesses)
      ? "process"
      : "unit";
  return testFilesUnder(join(root, "test"))
    .filter((file) => layerOf(file) === layer)
    .map((file) => relative(root, file))
    .sort();
}

/** The test files that start a real PostgreSQL: the integration suite the matrix runs per major. */
export function integrationTestFiles(): string[] {
  return testFilesOf("integration");
}

/** The test files that start no PostgreSQL and no posemo process: the unit layer (`npm run test:unit`). */
export function unitTestFiles(): string[] {
  return testFilesOf("unit");
}

/** Counts from bun test's summary, and the output without the passing lines. */
export interface SuiteRun {
  readonly pass: number;
  readonly fail: number;
  readonly skip: number;
  readonly exitCode: number | null;
  readonly report: string;
  readonly seconds: number;
}

function count(output: string, word: string): number {
  const match = new RegExp(`^\\s*(\\d+) ${word}$`, "m").exec(output);
  return match ? Number(match[1]) : 0;
}

/** Runs the files against the server binaries in `bindir` (one bun process; tests run one file after another). */
export function runSuite(bindir: string, files: readonly string[]): Promise<SuiteRun> {
  const t0 = performance.now();
  const env: Record<string, string | undefined> = {
    ...process.env,
    POSEMO_PG_BINDIR: bindir,
    POSEMO_TEST_MAJORS_DIR: undefined,
  };
  const child = spawn(process.execPath, ["test", "--timeout", "120000", ...files.map((f) => `./${f}`)], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d));
  child.stderr.on("data", (d: Buffer) => (output += d));
  return new Promise((done) => {
    child.on("close", (code) => {
      const report = output.split("\n").filter((line) => !line.startsWith("(pass)")).join("\n");
      const fail = count(output, "fail") || (code === 0 ? 0 : 1);
      done({
        pass: count(output, "pass"),
        fail,
        skip: count(output, "skip"),
        exitCode: code,
        report,
        seconds: (performance.now() - t0) / 1000,
      });
    });
  });
}
