/**
 * The `--spool-dir` directory: one subdirectory per serve, named after the serve's label and a hash
 * of everything that makes it that serve (a changed serve gets a new spool, and the old one drains to
 * the old destination), holding `serve.json` (the serve, token included, mode 0600: a spool whose
 * serve left the serve database still knows where to send), the segments and the cursor. A `lock`
 * file with the owner's pid keeps two serve-logs processes off one spool.
 * @module
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Serve } from "../servedb/serve.ts";
import { createDiskBudget, type DiskBudget } from "./disk-budget.ts";
import { openSpool, type OverflowPolicy, type Spool, type SpoolCounters } from "./spool.ts";

/** The spool flags of serve-logs. */
export interface SpoolSettings {
  readonly dir: string;
  /** Bytes one serve's spool may hold. */
  readonly maxServeBytes: number;
  /** Bytes all spools together may hold. */
  readonly maxTotalBytes: number;
  readonly overflow: OverflowPolicy;
  readonly commitIntervalMs: number;
  /** 0: no limit. */
  readonly maxAgeMs: number;
}

/** The spool directory in use. */
export interface SpoolRoot {
  readonly settings: SpoolSettings;
  readonly budget: DiskBudget;
  /** Opens (resuming) the spool of `serve`, recording the serve beside it. */
  open(serve: Serve, counters: SpoolCounters, log: (kind: string, line: string) => void): Spool;
  /** The directory of `serve`'s spool. */
  dirOf(serve: Serve): string;
  /** The serves of every spool directory present (from their serve.json), for resuming those no longer served. */
  spooledServes(): Serve[];
  /** Deletes the spool directory of `serve` (it is empty). */
  remove(serve: Serve): void;
  /** Releases the lock. */
  close(): void;
}

/** Another process holds the spool directory. */
export class SpoolLockedError extends Error {
  override name = "SpoolLockedError";
}

/**
 * Takes the spool directory (created 0700 when missing). A directory that cannot be created is not
 * fatal: every serve's spool then reports the problem on /healthz and counts what it drops.
 * @throws {SpoolLockedError} when another running process holds it
 */
export function openSpoolRoot(settings: SpoolSettings, log: (line: string) => void): SpoolRoot {
  const budget = createDiskBudget(settings.maxTotalBytes);
  const locked = lock(settings.dir, log);
  const dirOf = (serve: Serve) => join(settings.dir, spoolDirName(serve));
  return {
    settings,
    budget,
    dirOf,
    open(serve, counters, spoolLog) {
      const dir = dirOf(serve);
      const spool = openSpool({
        dir,
        counters,
        maxBytes: settings.maxServeBytes,
        budget,
        overflow: settings.overflow,
        commitIntervalMs: settings.commitIntervalMs,
        maxAgeMs: settings.maxAgeMs,
        log: spoolLog,
      });
      recordServe(dir, serve, spoolLog);
      return spool;
    },
    spooledServes: () => listServes(settings.dir, log),
    remove: (serve) => rmSync(dirOf(serve), { recursive: true, force: true }),
    close: () => {
      if (locked) unlinkQuietly(join(settings.dir, "lock"));
    },
  };
}

/** `<label>-<hash>`: readable, and unique per serve definition. */
export function spoolDirName(serve: Serve): string {
  const label = (serve.name ?? serve.identity).replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 40) || "serve";
  const hash = createHash("sha256").update(JSON.stringify(serve, Object.keys(serve).sort())).digest("hex").slice(0, 16);
  return `${label}-${hash}`;
}

/** Takes the lock file; false when the directory cannot be used at all (reported, not fatal). */
function lock(dir: string, log: (line: string) => void): boolean {
  const path = join(dir, "lock");
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const holder = Number(readText(path));
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
      throw new SpoolLockedError(
        `Cannot use spool directory "${dir}": process ${holder} uses it (another serve-logs?)`,
      );
    }
    writeFileSync(path, `${process.pid}\n`, { mode: 0o600 });
    return true;
  } catch (error) {
    if (error instanceof SpoolLockedError) throw error;
    log(
      `serve-logs: cannot use spool directory "${dir}": ${
        (error as NodeJS.ErrnoException).code ?? (error as Error).message
      }; records that need the spool will be dropped and counted`,
    );
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return "";
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function recordServe(dir: string, serve: Serve, log: (kind: string, line: string) => void): void {
  try {
    writeFileSync(join(dir, "serve.json"), JSON.stringify(serve) + "\n", { mode: 0o600 });
  } catch (error) {
    log(
      "serve-file",
      `spool: cannot write "${join(dir, "serve.json")}": ${
        (error as NodeJS.ErrnoException).code ?? (error as Error).message
      }`,
    );
  }
}

function listServes(root: string, log: (line: string) => void): Serve[] {
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const serve = parseServe(readText(join(root, name, "serve.json")));
    if (!serve) log(`serve-logs: spool directory "${join(root, name)}" has no valid serve.json; left alone`);
    return serve && spoolDirName(serve) === name ? [serve] : [];
  });
}

function parseServe(text: string): Serve | undefined {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const strings = ["identity", "socketPath", "endpoint", "user", "token"].every((key) =>
      typeof value[key] === "string"
    );
    return strings ? (value as unknown as Serve) : undefined;
  } catch {
    return undefined;
  }
}
