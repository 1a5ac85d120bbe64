/**
 * The check_mk local-check grammar as the README documents it, as regular expressions the tests hold
 * every line to: `<state> "<service>" <metrics> <text>`, metrics `name=value;warn;crit;min;max`
 * joined by `|` (or `-`), levels `N`, `N:` or `L:U`, plain decimal numbers only.
 * @module
 */
const NUMBER = String.raw`-?\d+(?:\.\d+)?`;
const LEVEL = String.raw`(?:${NUMBER}|${NUMBER}:|${NUMBER}:${NUMBER})?`;
const METRIC = String.raw`[A-Za-z0-9_]+=${NUMBER}(?:;${LEVEL}(?:;${LEVEL}(?:;(?:${NUMBER})?(?:;(?:${NUMBER})?)?)?)?)?`;

/** One local-check line: state 0-3, a quoted service name without quotes, metrics or `-`, a text. */
export const LOCAL_LINE = new RegExp(String.raw`^([0-3]) "([^"'\p{Cc}]+)" (-|${METRIC}(?:\|${METRIC})*) (\S.*)$`, "u");

/** A section header or piggyback marker. */
export const CHECKMK_HEADER = /^(?:<<<local:sep\(0\)>>>|<<<<[A-Za-z0-9._-]+>>>>|<<<<>>>>)$/;

/** Parses one line into its parts, or throws naming the line. */
export function parseLocalLine(line: string): { state: number; service: string; metrics: string[]; text: string } {
  const match = LOCAL_LINE.exec(line);
  if (!match) throw new Error(`not a local-check line: ${line}`);
  return {
    state: Number(match[1]),
    service: match[2]!,
    metrics: match[3] === "-" ? [] : match[3]!.split("|"),
    text: match[4]!,
  };
}

/** Checks a whole agent output: headers and local lines only, piggyback sections balanced. */
export function assertCheckmkOutput(text: string): void {
  if (!text.endsWith("\n")) throw new Error("output does not end with a newline");
  let open = false;
  for (const line of text.slice(0, -1).split("\n")) {
    if (CHECKMK_HEADER.test(line)) {
      if (line.startsWith("<<<<")) {
        if (open === (line !== "<<<<>>>>")) throw new Error(`unbalanced piggyback marker: ${line}`);
        open = !open;
      }
      continue;
    }
    parseLocalLine(line);
  }
  if (open) throw new Error("a piggyback section is not closed");
}
