/**
 * A strict reading of the Prometheus text exposition format 0.0.4 for the tests: every line is a
 * HELP, a TYPE or a sample with escaped label values; a family's samples are contiguous.
 * @module
 */

/** The samples keyed `name{labels}` (labels as written) and each family's TYPE. */
export interface Exposition {
  readonly samples: Map<string, string>;
  readonly types: Map<string, string>;
}

const META = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/;
const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/;

/** Parses the text or throws naming the first bad line. */
export function parseExposition(text: string): Exposition {
  const samples = new Map<string, string>();
  const types = new Map<string, string>();
  const seen: string[] = [];
  for (const line of text.trimEnd().split("\n")) {
    const meta = META.exec(line);
    if (meta) {
      if (meta[1] === "TYPE") types.set(meta[2]!, meta[3]!);
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`not an exposition line: ${line}`);
    if (seen.at(-1) !== sample[1] && seen.includes(sample[1]!)) {
      throw new Error(`family ${sample[1]} is not contiguous`);
    }
    seen.push(sample[1]!);
    samples.set(`${sample[1]}${sample[2] ?? ""}`, sample[3]!);
  }
  return { samples, types };
}
