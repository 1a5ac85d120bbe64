/**
 * The serve database directory, the I/O edge of the state machine (the rules live in `parse.ts`):
 * - `serves.new` valid: its text becomes `serves.loaded` atomically and durably (temp file, fsync,
 *   rename, fsync of the directory), then `serves.new`, `serves.rej` and `last_error` are removed;
 * - `serves.new` invalid: its text becomes `serves.rej` and `last_error` gets one line saying why;
 *   `serves.loaded` is untouched.
 * Every file posemo leaves here may hold tokens (or quote them), so each is made owner-only (0600)
 * whenever it is written or renamed into place, whatever mode `serves.new` was written with.
 * @module
 */
import { open, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { parseServeSet, type ServeSetContext } from "./parse.ts";
import type { Serve } from "./serve.ts";

/** File names inside the serve database directory (the original's). */
export const SERVE_DB_FILES = {
  loaded: "serves.loaded",
  new: "serves.new",
  rejected: "serves.rej",
  lastError: "last_error",
} as const;

/** `serves.loaded` is unreadable or invalid: the collector cannot know what to serve. */
export class ServeDbError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ServeDbError";
  }
}

/** What one look at `serves.new` found. */
export type PollOutcome =
  | { readonly kind: "none" }
  | { readonly kind: "accepted"; readonly serves: readonly Serve[] }
  | { readonly kind: "rejected"; readonly error: string };

/**
 * Reads `serves.loaded`; an absent file is an empty set.
 * @throws {ServeDbError} when the file cannot be read or is not a valid serve set
 */
export async function loadServes(dir: string, context: ServeSetContext): Promise<readonly Serve[]> {
  const path = join(dir, SERVE_DB_FILES.loaded);
  const text = await readIfPresent(path).catch((error: Error) => {
    throw new ServeDbError(`Cannot read "${path}": ${error.message}`, { cause: error });
  });
  if (text === undefined) return [];
  const parsed = parseServeSet(text, context);
  if (!parsed.ok) throw new ServeDbError(`Cannot load "${path}": ${parsed.error}`);
  return parsed.serves;
}

/**
 * Looks for `serves.new` and accepts or rejects it. I/O failures (permissions, a full disk) are
 * thrown and leave the files as they were, so the next poll tries again.
 */
export async function takeNewServes(dir: string, context: ServeSetContext): Promise<PollOutcome> {
  const text = await readIfPresent(join(dir, SERVE_DB_FILES.new));
  if (text === undefined) return { kind: "none" };
  const parsed = parseServeSet(text, context);
  if (!parsed.ok) {
    await reject(dir, text, parsed.error);
    return { kind: "rejected", error: parsed.error };
  }
  await accept(dir, text);
  return { kind: "accepted", serves: parsed.serves };
}

async function accept(dir: string, text: string): Promise<void> {
  await writeDurably(dir, SERVE_DB_FILES.loaded, text);
  await rm(join(dir, SERVE_DB_FILES.new), { force: true });
  await syncDirectory(dir);
  await rm(join(dir, SERVE_DB_FILES.rejected), { force: true });
  await rm(join(dir, SERVE_DB_FILES.lastError), { force: true });
}

/** Owner read and write only: the serve database's files hold logplex tokens. */
const SECRET_FILE_MODE = 0o600;

/** `serves.rej` is written afresh (not renamed from `serves.new`, whose mode and owner are the writer's). */
async function reject(dir: string, text: string, error: string): Promise<void> {
  await writeDurably(dir, SERVE_DB_FILES.rejected, text);
  await rm(join(dir, SERVE_DB_FILES.new), { force: true });
  await writeDurably(dir, SERVE_DB_FILES.lastError, error + "\n");
}

/** Writes `name` so that a crash leaves either the old or the new contents, never a torn file. */
async function writeDurably(dir: string, name: string, text: string): Promise<void> {
  const temporary = join(dir, `.${name}.${crypto.randomUUID()}.tmp`);
  const file = await open(temporary, "wx", SECRET_FILE_MODE);
  try {
    await file.chmod(SECRET_FILE_MODE);
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, join(dir, name));
  await syncDirectory(dir);
}

/** fsync of the directory makes the rename itself durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
