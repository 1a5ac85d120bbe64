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
import { constants } from "node:fs";
import { type FileHandle, open, rename, rm } from "node:fs/promises";
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
    const why = error instanceof UnusableFile ? error.why : error.message;
    throw new ServeDbError(`Cannot read "${path}": ${why}`, { cause: error });
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
  let text: string | undefined;
  try {
    text = await readIfPresent(join(dir, SERVE_DB_FILES.new));
  } catch (error) {
    if (!(error instanceof UnusableFile)) throw error;
    const why = `Cannot read ${SERVE_DB_FILES.new}: ${error.why}`;
    await reject(dir, undefined, why);
    return { kind: "rejected", error: why };
  }
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

/**
 * `serves.rej` is written afresh (not renamed from `serves.new`, whose mode and owner are the writer's);
 * without a text (serves.new was not a file that could be read) an older `serves.rej` is removed.
 */
async function reject(dir: string, text: string | undefined, error: string): Promise<void> {
  if (text === undefined) await rm(join(dir, SERVE_DB_FILES.rejected), { force: true });
  else await writeDurably(dir, SERVE_DB_FILES.rejected, text);
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

/** A serve set larger than this is refused unread: 10,000 serves take about 3 MB. */
export const MAX_SERVE_SET_BYTES = 16 * 1024 * 1024;

/** The file is there but is no serve set one could read: not a regular file, or too large. */
class UnusableFile extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = "UnusableFile";
  }
}

/**
 * The file's text, or undefined when it is absent. Whoever can write the directory could put a link
 * to /dev/zero or a FIFO there: only a regular file of at most {@link MAX_SERVE_SET_BYTES} is read
 * (opened non-blocking, so a FIFO without a writer does not hold the poll).
 * @throws {UnusableFile} for anything else there
 */
async function readIfPresent(path: string): Promise<string | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const stat = await handle.stat();
    // A directory cannot be removed like a rejected file: an I/O failure, reported until fixed.
    if (stat.isDirectory()) throw Object.assign(new Error("EISDIR: it is a directory"), { code: "EISDIR" });
    if (!stat.isFile()) throw new UnusableFile("it is not a regular file");
    const bytes = new Uint8Array(Math.min(stat.size, MAX_SERVE_SET_BYTES) + 1);
    let size = 0;
    for (let read = -1; read !== 0 && size < bytes.length;) {
      read = (await handle.read(bytes, size, bytes.length - size, null)).bytesRead;
      size += read;
    }
    const length = Math.max(size, stat.size);
    if (length > MAX_SERVE_SET_BYTES) {
      throw new UnusableFile(`it is ${length} bytes, the limit is ${MAX_SERVE_SET_BYTES}`);
    }
    return new TextDecoder().decode(bytes.subarray(0, size));
  } finally {
    await handle.close();
  }
}
