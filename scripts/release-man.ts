/**
 * posemo(1), generated from the command help so the man page cannot drift from the CLI: the top-level
 * help, then each command's `--help` verbatim in a no-fill block, then the files the Debian package
 * installs.
 */
import { spawnSync } from "node:child_process";
import { root } from "./build.ts";

/** Every command, as typed after `posemo`. */
const COMMANDS = [["install"], ["check"], ["config", "check"], ["serve-logs"], ["serve-metrics"], ["fake-logplexd"]];

/** The help the CLI prints for `posemo <command> --help`. */
function helpOf(command: string[]): string {
  const result = spawnSync(process.execPath, ["mod.ts", ...command, "--help"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (result.status !== 0) {
    throw new Error(`posemo ${command.join(" ")} --help exited ${result.status}: ${result.stderr.trim()}`);
  }
  return result.stdout.trimEnd();
}

/** Escapes text for roff: backslashes, minus signs, and control characters at a line's start. */
function roffEscape(line: string): string {
  const escaped = line.replaceAll("\\", "\\e").replaceAll("-", "\\-");
  return /^[.']/.test(escaped) ? `\\&${escaped}` : escaped;
}

/** Breaks `words` into lines of at most `width`, continuation lines starting with `indent`. */
function wrap(first: string, words: string[], indent: string, width: number): string[] {
  const out: string[] = [];
  let current = first;
  for (const word of words) {
    if (current.trim() !== "" && current.length + word.length + 1 > width) {
      out.push(current);
      current = indent + word;
    } else current = current.trim() === "" ? current + word : `${current} ${word}`;
  }
  return [...out, current];
}

/**
 * Folds a help line wider than `width`: a usage line before its `[...]` groups, a flag line between
 * words with the continuation under the flag's description (its padded `[default = ...]` pulled in).
 */
function fold(line: string, width = 78): string[] {
  const text = line.replace(/ {2,}(\[default = [^\]]*\])$/, " $1");
  if (text.length <= width) return [text];
  const lead = text.match(/^ */)![0];
  if (text.trimStart().startsWith("posemo ")) {
    const [command, ...groups] = text.trimStart().split(/ (?=[[(])/);
    return wrap(lead + command, groups, `${lead}    `, width);
  }
  const column = text.match(/^ *\S.*?\S {2,}(?=\S)/)?.[0].length;
  if (column === undefined) return wrap(lead, text.trimStart().split(" "), `${lead}    `, width);
  return wrap(text.slice(0, column - 1), text.slice(column).split(" "), " ".repeat(column), width);
}

function verbatim(text: string): string[] {
  return [".nf", ...text.split("\n").flatMap((l) => fold(l)).map(roffEscape), ".fi"];
}

const FILES = [
  [".B /etc/posemo/posemo.yaml", "Configuration read by check, config check and the posemo-serve-metrics service."],
  [
    ".B /lib/systemd/system/posemo\\-serve\\-logs.service",
    "Runs serve\\-logs with its serve database in /var/lib/posemo/serve\\-db and its sockets in /run/posemo.",
  ],
  [
    ".B /lib/systemd/system/posemo\\-serve\\-metrics.service",
    "Runs serve\\-metrics on 127.0.0.1:9816 with /etc/posemo/posemo.yaml.",
  ],
];

/** The whole page; `date` is the build's date (YYYY-MM-DD), so the same commit gives the same page. */
export function manPage(version: string, date: string): string {
  const lines = [
    `.TH POSEMO 1 "${date}" "posemo ${version}" "User Commands"`,
    ".SH NAME",
    "posemo \\- PostgreSQL secure monitoring and log forwarding",
    ".SH SYNOPSIS",
    ...verbatim(helpOf([])),
    ".SH COMMANDS",
    ...COMMANDS.flatMap((command) => [`.SS posemo ${command.join(" ")}`, ...verbatim(helpOf(command))]),
    ".SH FILES",
    ...FILES.flatMap(([name, text]) => [".TP", name!, text!]),
    ".SH EXIT STATUS",
    "check exits with the Nagios code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for usage errors).",
    "install exits 0 on success, 1 when the install failed or was refused, 3 for a usage error.",
    "config check exits 0 when the file is valid, 1 when it is not, 3 when there is no file.",
  ];
  return `${lines.join("\n")}\n`;
}
