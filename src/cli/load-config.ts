/**
 * The configuration file of a command: `--config FILE` (which must exist), else the first file of the
 * default search, else none. An invalid file is a one-line `file:line: ...` error.
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import { configCandidates, findConfigFile, loadConfig } from "../config/load.ts";
import type { PosemoConfig } from "../config/parse.ts";
import { ConfigError } from "../config/config-error.ts";
import { type Failure, UserError } from "../errors.ts";

/** Where the configuration comes from; `invalid` is what kind of failure an invalid file is. */
export interface ConfigSource {
  readonly path?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly catalogue: readonly CheckDefinition[];
  /** Collects checks the catalogue does not know instead of refusing them (custom checks, learnt from a server). */
  readonly unknown?: string[];
  /** @default "usage" (exit 3, UNKNOWN) */
  readonly invalid?: Failure;
}

/** The path `--config` gave or the default search found, or undefined. */
export function configPath(source: Pick<ConfigSource, "path" | "env">): string | undefined {
  return source.path ?? findConfigFile(configCandidates(source.env));
}

/** Loads the configuration; throws UserError for an unreadable or invalid file. */
export function commandConfig(source: ConfigSource): PosemoConfig | undefined {
  const path = configPath(source);
  if (path === undefined) return undefined;
  try {
    return loadConfig(path, source.catalogue, source.unknown);
  } catch (error) {
    if (error instanceof ConfigError) throw new UserError(error.message, source.invalid ?? "usage");
    throw error;
  }
}
