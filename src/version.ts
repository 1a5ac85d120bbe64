/**
 * posemo's version and the commit it was built from. The version is written in one place,
 * package.json; install records it and check compares the installed functions against it. The commit
 * is stamped in by the build (`--define POSEMO_BUILD_COMMIT=...`); run from source there is none.
 * @module
 */
import packageJson from "../package.json" with { type: "json" };

/** Replaced by a string literal at build time; an undeclared global (typeof "undefined") from source. */
declare const POSEMO_BUILD_COMMIT: string | undefined;

/** The release version, e.g. `0.1.0`. */
export const POSEMO_VERSION: string = packageJson.version;

/** The commit this build was made from (`-dirty` when the tree had changes), or how it was run. */
export const POSEMO_COMMIT: string = typeof POSEMO_BUILD_COMMIT === "string"
  ? POSEMO_BUILD_COMMIT
  : "none: run from source";

/** What `posemo -V` prints: `0.1.0 (commit 1a2b3c4d5e6f)`. */
export const POSEMO_VERSION_LINE = `${POSEMO_VERSION} (commit ${POSEMO_COMMIT})`;
