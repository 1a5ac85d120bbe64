/**
 * The step runner of the CI scripts (ci-smoke.ts, release-verify.ts): runs a command, judges its
 * output and exit code, prints `PASS name (ms)` or `FAIL name` with the output indented, and counts,
 * so each script can end with its `<label>: N passed, N failed` line for .ci/run.
 */
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import type { Cluster } from "../dev/cluster.ts";

/** Judges a finished command. */
export type Expectation = (out: string, code: number | null) => boolean;

/** A run of steps and their tally. */
export interface Steps {
  step(name: string, command: string, args: string[], expect: Expectation, options?: SpawnSyncOptions): boolean;
  /** Prints `<label>: N passed, N failed`; returns the exit code (0 when nothing failed). */
  summary(label: string): number;
}

/** An expectation that throws (JSON.parse of a wrong answer) is a failure, not a crash. */
function judge(expect: Expectation, out: string, code: number | null): boolean {
  try {
    return expect(out, code);
  } catch {
    return false;
  }
}

/** Starts a tally; commands run in `cwd` with a 5-minute limit each. */
export function createSteps(cwd: string): Steps {
  let passed = 0;
  let failed = 0;
  return {
    step(name, command, args, expect, options = {}) {
      const t0 = performance.now();
      const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 300_000, ...options });
      const out = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? `\n${result.error.message}` : ""}`;
      const ok = judge(expect, out, result.status);
      ok ? passed++ : failed++;
      console.log(`${ok ? "PASS" : "FAIL"} ${name} (${Math.round(performance.now() - t0)} ms)`);
      if (!ok) console.log(out.split("\n").map((l) => `    ${l}`).join("\n"));
      return ok;
    },
    summary(label) {
      console.log(`${label}: ${passed} passed, ${failed} failed`);
      return failed === 0 ? 0 : 1;
    },
  };
}

/** Connection flags for `cluster`: the superuser in its own database, any other role in `posemo`. */
export function conn(cluster: Cluster, user: string): string[] {
  const base = ["-H", cluster.host, "-p", String(cluster.port), "-U", user];
  return user === "postgres" ? base : [...base, "-d", "posemo"];
}
