/**
 * Finding and reading the configuration file: the I/O edge around `parseConfig`. The search happens
 * when a command runs, never at module load, and finding nothing is not an error (the original died
 * at startup when its default file was missing, B17).
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import type { CheckDefinition } from "../catalogue/definition.ts";
import { UserError } from "../errors.ts";
import { parseConfig, type PosemoConfig } from "./parse.ts";

/**
 * Where to look without `--config`, first existing file wins: `./posemo.yaml`, then
 * `$XDG_CONFIG_HOME/posemo/posemo.yaml` (`~/.config/posemo/posemo.yaml`), then `/etc/posemo/posemo.yaml`.
 */
export function configCandidates(env: Readonly<Record<string, string | undefined>>): string[] {
  const configHome = env.XDG_CONFIG_HOME || (env.HOME ? `${env.HOME}/.config` : undefined);
  return ["./posemo.yaml", ...(configHome ? [`${configHome}/posemo/posemo.yaml`] : []), "/etc/posemo/posemo.yaml"];
}

/** The first candidate that exists, or undefined. */
export function findConfigFile(
  candidates: readonly string[],
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  return candidates.find((path) => exists(path));
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (error as Error).message;
    throw new UserError(`Cannot read configuration "${path}": ${why}`);
  }
}

/**
 * Reads and validates a configuration file.
 * @throws UserError when the file cannot be read; ConfigError (file:line: ...) when it is invalid.
 */
export function loadConfig(path: string, catalogue: readonly CheckDefinition[], unknown?: string[]): PosemoConfig {
  return parseConfig(readText(path), path, catalogue, unknown);
}
