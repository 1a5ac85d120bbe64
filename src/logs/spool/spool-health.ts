/**
 * What a spool has to say on /healthz: the last write problem (shown for a while after it happened,
 * since a nearly full disk fails one write in a few) and the damaged entries it skipped.
 * @module
 */

/** A write problem stays on /healthz this long after it last happened. */
const PROBLEM_SHOWN_MS = 60_000;

export class SpoolHealth {
  #problem: string | undefined;
  #problemAt = 0;
  /** Bytes of damaged or torn entries skipped, and the last such finding. */
  damagedBytes = 0;
  damage: string | undefined;

  constructor(readonly report: (kind: string, line: string) => void, readonly now: () => number) {}

  /** A write problem: shown for a minute and reported, with `consequence` appended to the report. */
  noteProblem(problem: string, consequence = ""): void {
    this.#problem = problem;
    this.#problemAt = this.now();
    this.report("write", `spool: ${problem}${consequence}`);
  }

  /** The last write problem if it is recent enough to show. */
  problem(): string | undefined {
    return this.#problem && this.now() - this.#problemAt < PROBLEM_SHOWN_MS ? this.#problem : undefined;
  }

  /** Damage found in the segment file at `path`: `bytes` of it skipped. */
  noteDamage(path: string, what: string, bytes: number): void {
    this.damagedBytes += bytes;
    this.damage = `"${path}": ${what}`;
    this.report("damage", `spool: ${this.damage}`);
  }
}

/** The errno code when there is one (ENOSPC, EACCES...), else the message; one line, no stack. */
export function errorText(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code} (${error.message.split("\n")[0]})` : error.message.split("\n")[0]!;
}
