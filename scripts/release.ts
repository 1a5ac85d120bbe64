/**
 * `npm run release`: writes dist/release/ with everything a release publishes:
 *   posemo-{linux-x64,linux-arm64,linux-x64-musl,linux-arm64-musl,darwin-x64,darwin-arm64} (bun --compile;
 *     bun fetches each foreign target's runtime, @oven/bun-<target>, from the npm registry),
 *   posemo.mjs and posemo-<version>.tgz (the Node.js build and its npm package),
 *   posemo_<version>_{amd64,arm64}.deb, and SHA256SUMS over all of them.
 * The version is package.json's; every artifact names the commit it was built from (`posemo -V`).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildCommit, compile, root, run } from "./build.ts";
import { buildDeb } from "./release-deb.ts";
import { manPage } from "./release-man.ts";
import { bundleForNode, packForNpm } from "./release-node.ts";

/**
 * Release file name suffix → bun target. x64 builds use bun's baseline (pre-AVX2) runtime: database
 * hosts include old Xeons and virtual machines whose CPU model hides AVX2, where the default one dies
 * of SIGILL, and posemo's speed does not depend on it.
 */
export const BINARY_TARGETS: Readonly<Record<string, string>> = {
  "linux-x64": "bun-linux-x64-baseline",
  "linux-arm64": "bun-linux-arm64",
  "linux-x64-musl": "bun-linux-x64-musl-baseline",
  "linux-arm64-musl": "bun-linux-arm64-musl",
  "darwin-x64": "bun-darwin-x64-baseline",
  "darwin-arm64": "bun-darwin-arm64",
};

/** Debian architecture → the glibc binary it packages. */
const DEB_BINARIES: Readonly<Record<string, string>> = { amd64: "posemo-linux-x64", arm64: "posemo-linux-arm64" };

const out = join(root, "dist", "release");

function git(...args: string[]): string {
  const result = spawnSync("git", args, { cwd: root, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : "";
}

/** The commit's time in seconds (now outside a git checkout): the date on the man page and in the .deb. */
function commitEpoch(): number {
  return Number(git("log", "-1", "--format=%ct")) || Math.floor(Date.now() / 1000);
}

/** The .deb's Maintainer: DEBFULLNAME and DEBEMAIL (Debian's convention) when set, else the commit's author. */
function maintainer(): string {
  const { DEBFULLNAME, DEBEMAIL } = process.env;
  const found = DEBFULLNAME && DEBEMAIL ? `${DEBFULLNAME} <${DEBEMAIL}>` : git("log", "-1", "--format=%an <%ae>");
  if (!found) {
    throw new Error("release: no maintainer for the .deb: set DEBFULLNAME and DEBEMAIL outside a git checkout");
  }
  return found;
}

/** `<sha256>  <name>` lines over every file in the release, as `sha256sum -c` reads them. */
function writeChecksums(): void {
  const names = readdirSync(out).filter((n) => n !== "SHA256SUMS").sort();
  const line = (n: string) => `${createHash("sha256").update(readFileSync(join(out, n))).digest("hex")}  ${n}\n`;
  writeFileSync(join(out, "SHA256SUMS"), names.map(line).join(""));
}

function step(label: string, body: () => void | Promise<void>): Promise<void> {
  const t0 = performance.now();
  return Promise.resolve(body()).then(() =>
    console.log(`release: ${label} (${((performance.now() - t0) / 1000).toFixed(1)} s)`)
  );
}

if (import.meta.main) {
  const version: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  const commit = buildCommit();
  const epochSeconds = commitEpoch();
  run(process.execPath, ["scripts/gen-catalogue.ts", "--check"]);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const [suffix, target] of Object.entries(BINARY_TARGETS)) {
    await step(`posemo-${suffix} (${target})`, () => compile(target, join(out, `posemo-${suffix}`), commit));
  }
  await step("posemo.mjs (Node.js)", () => bundleForNode(join(out, "posemo.mjs"), commit));
  await step("npm package", () => void packForNpm(join(out, "posemo.mjs"), out));
  const page = manPage(version, new Date(epochSeconds * 1000).toISOString().slice(0, 10));
  for (const [arch, binary] of Object.entries(DEB_BINARIES)) {
    await step(
      `posemo_${version}_${arch}.deb`,
      () =>
        void buildDeb({
          arch,
          binary: join(out, binary),
          version,
          commit,
          manPage: page,
          maintainer: maintainer(),
          epochSeconds,
        }, out),
    );
  }
  writeChecksums();
  console.log(
    `release: posemo ${version} (commit ${commit}) in dist/release:\n${readFileSync(join(out, "SHA256SUMS"), "utf8")}`,
  );
}
