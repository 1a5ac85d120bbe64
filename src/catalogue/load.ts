/**
 * Reads check folders (`<dir>/<name>/`: check.yaml and pgNN.sql files) and the install SQL (`sql/`)
 * from disk. The one loader of checks: scripts/gen-catalogue.ts builds the binary's catalogue with it
 * (a directory scan does not survive `bun build --compile`, so the binary carries its output) and
 * `install --checks-dir` loads a DBA's own checks with it, so both get the same strict validation.
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { CheckDefinition, SqlVariant } from "./definition.ts";
import { SUPPORTED_MAJORS } from "./definition.ts";
import { CatalogueError, type CheckMetadata, parseCheckYaml } from "./parse.ts";

const VARIANT_FILE = /^pg(\d+)\.sql$/;
const ALLOWED_FILES = /^(check\.yaml|setup\.sql|teardown\.sql|pg\d+\.sql|README\.md)$/;

function fingerprint(
  meta: CheckMetadata,
  body: string,
  setup: string | undefined,
  teardown: string | undefined,
): string {
  return createHash("sha256").update(JSON.stringify({ meta, body, setup, teardown })).digest("hex").slice(0, 16);
}

/** A file's text; an unreadable file (a directory, no permission) is a CatalogueError naming it, not a stack trace. */
function readText(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    throw new CatalogueError(`cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, file);
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    throw new CatalogueError(`cannot list: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, dir);
  }
}

function optionalFile(dir: string, name: string): string | undefined {
  const file = join(dir, name);
  return existsSync(file) ? readText(file) : undefined;
}

function readVariants(dir: string, meta: CheckMetadata): SqlVariant[] {
  const setup = optionalFile(dir, "setup.sql");
  const teardown = optionalFile(dir, "teardown.sql");
  if (setup && !teardown) throw new CatalogueError("setup.sql needs a teardown.sql that removes what it creates", dir);
  const variants: SqlVariant[] = [];
  for (const file of listDir(dir)) {
    if (!ALLOWED_FILES.test(file)) {
      throw new CatalogueError(
        `unexpected file "${file}" (allowed: check.yaml, setup.sql, teardown.sql, pgNN.sql)`,
        join(dir, file),
      );
    }
    const match = VARIANT_FILE.exec(file);
    if (!match) continue;
    const minMajor = Number(match[1]);
    if (!(SUPPORTED_MAJORS as readonly number[]).includes(minMajor)) {
      throw new CatalogueError(
        `"${file}" names PostgreSQL ${minMajor}; supported: ${SUPPORTED_MAJORS.join(", ")}`,
        join(dir, file),
      );
    }
    const body = readText(join(dir, file));
    if (body === "") throw new CatalogueError("the file is empty: it must hold the check's query", join(dir, file));
    if (body.includes("$posemo$")) {
      throw new CatalogueError(`"$posemo$" is reserved for quoting the body`, join(dir, file));
    }
    variants.push({
      minMajor,
      body,
      ...(setup ? { setup, teardown } : {}),
      hash: fingerprint(meta, body, setup, teardown),
    });
  }
  if (variants.length === 0) throw new CatalogueError("no pgNN.sql file", dir);
  return variants;
}

/** Loads one check folder; `custom` allows the keys only a DBA's own checks have. */
export function loadCheckFolder(dir: string, name: string, custom = false): CheckDefinition {
  const yamlFile = join(dir, "check.yaml");
  if (!existsSync(yamlFile)) throw new CatalogueError("missing check.yaml", dir);
  const meta = parseCheckYaml(name, readText(yamlFile), yamlFile, custom);
  return { ...meta, variants: readVariants(dir, meta) };
}

/**
 * Whether `name` in `checksDir` is a check folder. A symlink counts as what it points to: skipping a
 * symlinked folder would make install remove that check as if its folder had been deleted. Hidden
 * entries (`.git`, editor state) are not checks.
 */
function isCheckFolder(checksDir: string, name: string): boolean {
  if (name.startsWith(".")) return false;
  const path = join(checksDir, name);
  try {
    return statSync(path).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new CatalogueError(`cannot follow: ${code} (a dangling symlink?)`, path);
  }
}

/** Loads every check folder under `checksDir` (hidden entries skipped), sorted by name. */
export function loadCatalogue(checksDir: string, custom = false): CheckDefinition[] {
  if (!existsSync(checksDir)) throw new CatalogueError("no such directory", checksDir);
  if (!statSync(checksDir).isDirectory()) throw new CatalogueError("not a directory", checksDir);
  return listDir(checksDir)
    .filter((name) => isCheckFolder(checksDir, name))
    .map((name) => loadCheckFolder(join(checksDir, name), name, custom));
}

/** Loads the install SQL templates (`sql/<step>.sql`) keyed by step name. */
export function loadInstallSql(sqlDir: string): Record<string, string> {
  const templates: Record<string, string> = {};
  for (const file of readdirSync(sqlDir).sort()) {
    if (file.endsWith(".sql")) templates[file.slice(0, -4)] = readFileSync(join(sqlDir, file), "utf8");
  }
  return templates;
}
