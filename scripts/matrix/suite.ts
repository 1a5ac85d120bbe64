/**
 * The integration suite of the matrix: every test file that starts a real server (it imports the
 * cluster or standby harness, or the catalogue SQL fixture), run with `bun test` against one
 * PostgreSQL major through `POSEMO_PG_BINDIR`.
 * @module
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");
const USES_A_SERVER = /harness\/(cluster|standby)\.ts|sql-fixture\.ts/;

function testFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFilesUnder(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** The test files (relative to the repository) that need a real PostgreSQL, sorted. */
export function integrationTestFiles(): string[] {
  return testFilesUnder(join(root, "test"))
    .filter((file) => USES_A_SERVER.test(readFileSync(file, "utf8")))
    .map((file) => relative(root, file))
    .sort();
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
  const env: Record<string, string | undefined> = { ...process.env, POSEMO_PG_BINDIR: bindir, POSEMO_TEST_MAJORS_DIR: undefined };
  const child = spawn(process.execPath, ["test", "--timeout", "120000", ...files.map((f) => `./${f}`)], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d));
  child.stderr.on("data", (d: Buffer) => (output += d));
  return new Promise((done) => {
    child.on("close", (code) => {
      const report = output.split("\n").filter((line) => !line.startsWith("(pass)")).join("\n");
      const fail = count(output, "fail") || (code === 0 ? 0 : 1);
      done({ pass: count(output, "pass"), fail, skip: count(output, "skip"), exitCode: code, report, seconds: (performance.now() - t0) / 1000 });
    });
  });
}
