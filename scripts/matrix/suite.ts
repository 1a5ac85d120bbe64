/**
 * The integration suite of the matrix: every test file that starts a real server (it imports the
 * cluster or standby harness, directly or through a fixture), run with `bun test` against one
 * PostgreSQL major through `POSEMO_PG_BINDIR`.
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const SERVER_HARNESS = [join(root, "dev/cluster.ts"), join(root, "test/harness/standby.ts")];
const LOCAL_IMPORT = /from\s+"(\.{1,2}\/[^"]+\.ts)"/g;

function testFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFilesUnder(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Whether the module imports the server harness, directly or through its own local imports. */
function startsServers(file: string, seen = new Map<string, boolean>()): boolean {
  if (SERVER_HARNESS.includes(file)) return true;
  if (seen.has(file)) return seen.get(file)!;
  seen.set(file, false);
  const imports = [...readFileSync(file, "utf8").matchAll(LOCAL_IMPORT)].map((m) => resolve(dirname(file), m[1]!));
  // A path quoted in a test (an import inside a string) may name no file.
  const result = imports.some((path) =>
    (path.startsWith(join(root, "test")) || path.startsWith(join(root, "dev"))) && existsSync(path) &&
    startsServers(path, seen)
  );
  seen.set(file, result);
  return result;
}

/** The test files (relative to the repository) that start a real PostgreSQL (`true`) or not (`false`), sorted. */
function testFilesThatStartServers(starts: boolean): string[] {
  const seen = new Map<string, boolean>();
  return testFilesUnder(join(root, "test"))
    .filter((file) => startsServers(file, seen) === starts)
    .map((file) => relative(root, file))
    .sort();
}

/** The test files that start a real PostgreSQL: the integration suite. */
export function integrationTestFiles(): string[] {
  return testFilesThatStartServers(true);
}

/** The test files that need no PostgreSQL: the unit layer (`npm run test:unit`). */
export function unitTestFiles(): string[] {
  return testFilesThatStartServers(false);
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
