/**
 * `npm run test:matrix`: the integration suite and one real catalogue run on every supported
 * PostgreSQL major (12-18), one major after another. Binaries come from `.cache/pg/pg<major>/`
 * (downloaded once, see scripts/matrix/pg-cache.ts). Prints each major's test counts, a table
 * check × version (ok / n.a. = no SQL for that major / FAIL), the total time, and as its last line
 * `matrix: N passed, N failed`; exits 1 on any failure.
 * Usage: bun scripts/test-matrix.ts [--majors 12,16,18] [--table-only] (--table-only skips the
 * suite: only the install + check run per major, a few seconds each).
 */
import { catalogue } from "../src/catalogue/catalogue.generated.ts";
import { SUPPORTED_MAJORS } from "../src/catalogue/definition.ts";
import { type Cell, type CheckRun, runCatalogue } from "./matrix/check-run.ts";
import { ensureMajor, PINNED_VERSIONS } from "./matrix/pg-cache.ts";
import { integrationTestFiles, runSuite, type SuiteRun } from "./matrix/suite.ts";

/** Everything one major produced; `error` when it could not even be set up. */
interface MajorOutcome {
  readonly major: number;
  readonly suite?: SuiteRun;
  readonly checks?: CheckRun;
  readonly error?: string;
  readonly seconds: number;
}

function majorsFromArgs(argv: readonly string[]): number[] {
  const i = argv.indexOf("--majors");
  if (i < 0) return [...SUPPORTED_MAJORS];
  const majors = (argv[i + 1] ?? "").split(",").map(Number);
  const bad = majors.find((m) => !SUPPORTED_MAJORS.includes(m as (typeof SUPPORTED_MAJORS)[number]));
  if (bad !== undefined) {
    console.error(`Cannot test --majors "${argv[i + 1] ?? ""}": each must be one of ${SUPPORTED_MAJORS.join(", ")}`);
    process.exit(2);
  }
  return majors;
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

async function catalogueRun(bindir: string, major: number): Promise<CheckRun> {
  const t0 = performance.now();
  try {
    const checks = await runCatalogue(bindir, major);
    console.log(`catalogue run: ${checks.failures.length} failed (${seconds(t0).toFixed(1)} s)`);
    for (const failure of checks.failures) console.log(`    FAIL ${failure}`);
    return checks;
  } catch (error) {
    console.log(`catalogue run: FAIL ${(error as Error).message}`);
    return { cells: new Map(), failures: [(error as Error).message] };
  }
}

async function runMajor(major: number, files: readonly string[]): Promise<MajorOutcome> {
  const t0 = performance.now();
  console.log(`\n== PostgreSQL ${major} (${PINNED_VERSIONS[major]})`);
  let bindir: string;
  try {
    const cached = ensureMajor(major);
    bindir = cached.bindir;
    console.log(`binaries: ${bindir} (${cached.downloaded ? "downloaded" : "cached"}, ${seconds(t0).toFixed(1)} s)`);
  } catch (error) {
    console.log(`    FAIL ${(error as Error).message}`);
    return { major, error: (error as Error).message, seconds: seconds(t0) };
  }
  const suite = files.length ? await runSuite(bindir, files) : undefined;
  if (suite) {
    console.log(`suite: ${suite.pass} pass, ${suite.fail} fail, ${suite.skip} skip (${suite.seconds.toFixed(1)} s)`);
  }
  if (suite && suite.fail > 0) console.log(suite.report.split("\n").map((l) => `    ${l}`).join("\n"));
  const checks = await catalogueRun(bindir, major);
  return { major, ...(suite ? { suite } : {}), checks, seconds: seconds(t0) };
}

function cellOf(outcome: MajorOutcome, check: string): Cell {
  return outcome.checks?.cells.get(check) ?? "FAIL";
}

function printCheckTable(outcomes: readonly MajorOutcome[]): void {
  const width = Math.max(5, ...catalogue.map((c) => c.name.length));
  const head = outcomes.map((o) => String(o.major).padEnd(6)).join("");
  console.log(`\n== check x version (a real install + check --check all --format json per major)`);
  console.log(`${"check".padEnd(width)}  ${head}`);
  for (const check of catalogue) {
    console.log(`${check.name.padEnd(width)}  ${outcomes.map((o) => cellOf(o, check.name).padEnd(6)).join("")}`);
  }
  console.log(
    "ok = ran (W/C: WARNING/CRITICAL on the test cluster, U: documented UNKNOWN); n.a. = no SQL for that major; FAIL = undocumented UNKNOWN or no result",
  );
}

function printSuiteTable(outcomes: readonly MajorOutcome[]): void {
  const row = (label: string, value: (o: MajorOutcome) => string) =>
    `${label.padEnd(8)}${outcomes.map((o) => value(o).padStart(8)).join("")}`;
  console.log(`\n== integration tests x version`);
  console.log(row("", (o) => String(o.major)));
  console.log(row("pass", (o) => String(o.suite?.pass ?? "-")));
  console.log(row("fail", (o) => String(o.suite?.fail ?? "-")));
  console.log(row("skip", (o) => String(o.suite?.skip ?? "-")));
  console.log(row("seconds", (o) => o.seconds.toFixed(0)));
}

function totals(outcomes: readonly MajorOutcome[]): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  for (const o of outcomes) {
    if (o.error) failed++;
    passed += o.suite?.pass ?? 0;
    failed += o.suite?.fail ?? 0;
    for (const cell of o.checks?.cells.values() ?? []) {
      if (cell === "FAIL") failed++;
      else if (cell !== "n.a.") passed++;
    }
    if (o.checks && o.checks.failures.length > 0 && ![...o.checks.cells.values()].includes("FAIL")) failed++;
  }
  return { passed, failed };
}

const t0 = performance.now();
const majors = majorsFromArgs(process.argv);
const files = process.argv.includes("--table-only") ? [] : integrationTestFiles();
console.log(`integration suite (${files.length} files): ${files.join(" ")}`);
const outcomes: MajorOutcome[] = [];
for (const major of majors) outcomes.push(await runMajor(major, files));
printCheckTable(outcomes);
printSuiteTable(outcomes);
const { passed, failed } = totals(outcomes);
console.log(`\ntotal: ${seconds(t0).toFixed(0)} s for PostgreSQL ${majors.join(", ")}`);
console.log(`matrix: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
