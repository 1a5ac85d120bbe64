/**
 * `--output FILE`: the file is either the complete new output or the previous one, never a torn
 * write, so a monitoring agent that reads it while cron runs `posemo check` sees a whole document.
 * The text goes to a temporary file in the same directory (rename is atomic only within one file
 * system), is flushed to disk, and then renamed over the target.
 * @module
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UserError } from "../errors.ts";

function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

/** Best effort: makes the rename itself durable; some platforms cannot open a directory. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // The file's data is already on disk; only the directory entry's durability is at stake.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === "ENOENT") return "its directory does not exist";
  if (e.code === "EACCES" || e.code === "EPERM") return "permission denied";
  if (e.code === "EISDIR") return "it is a directory";
  return e.message;
}

/**
 * Writes `text` to `path` atomically (temp file, fsync, rename).
 * @throws UserError naming the path when it cannot be written; the temporary file is removed.
 */
export function writeFileAtomically(path: string, text: string): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${crypto.randomUUID()}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "wx", 0o644);
    writeAll(fd, new TextEncoder().encode(text));
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw new UserError(`Cannot write "${path}": ${reason(error)}`);
  }
  syncDirectory(dir);
}
