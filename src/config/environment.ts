/**
 * The real `ConnectionEnvironment`: files, sockets and the OS user. Thin edge around node:fs/node:os.
 * @module
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import type { ConnectionEnvironment } from "./connection.ts";
import { UserError } from "../errors.ts";

function readFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UserError(`Cannot read "${path}": ${(error as Error).message}`);
  }
}

function fileMode(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
}

/** Builds the environment from the real process, with `env` and `warn` from the CLI context. */
export function realConnectionEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  warn: (line: string) => void,
): ConnectionEnvironment {
  const home = env.HOME ?? homedir();
  return { env, osUser: userInfo().username, homeDir: home, readFile, fileMode, exists: existsSync, warn };
}
