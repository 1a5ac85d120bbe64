/**
 * The Node.js build of the release: `posemo.mjs`, one ES module bundled by esbuild with every
 * dependency inside, for hosts where a 100 MB executable is unwelcome (`node posemo.mjs check ...`),
 * and `posemo-<version>.tgz`, an npm package holding it with a `bin` entry, so `npx posemo` works once
 * it is published (`npm publish posemo-<version>.tgz`) and `npx ./posemo-<version>.tgz` before.
 */
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./build.ts";

/** Node's oldest supported major: the bundle's syntax target and the package's `engines`. */
const NODE_MAJOR = 20;

/** Bundles mod.ts into `outfile` (executable, with a node shebang). */
export async function bundleForNode(outfile: string, commit: string): Promise<void> {
  await build({
    entryPoints: [join(root, "mod.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${NODE_MAJOR}`,
    minify: true,
    legalComments: "eof",
    define: { POSEMO_BUILD_COMMIT: JSON.stringify(commit) },
    // yaml's Node build is CommonJS and requires node builtins, which an ES module can only do
    // through a require made for it.
    banner: {
      js:
        '#!/usr/bin/env node\nimport { createRequire as posemoCreateRequire } from "node:module";\nconst require = posemoCreateRequire(import.meta.url);',
    },
    logLevel: "warning",
  });
  chmodSync(outfile, 0o755);
}

/** The published package's manifest: the bundle is self-contained, so it has no dependencies. */
function npmManifest(): object {
  const own = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  return {
    name: own.name,
    version: own.version,
    description: own.description,
    license: own.license,
    type: "module",
    bin: { posemo: "posemo.mjs" },
    files: ["posemo.mjs"],
    engines: { node: `>=${NODE_MAJOR}` },
  };
}

/** Packs `bundle` into `<destination>/posemo-<version>.tgz`; returns the file name. */
export function packForNpm(bundle: string, destination: string): string {
  const staging = join(root, "dist", "npm-package");
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, "package.json"), `${JSON.stringify(npmManifest(), null, 2)}\n`);
  copyFileSync(bundle, join(staging, "posemo.mjs"));
  copyFileSync(join(root, "packaging", "npm", "README.md"), join(staging, "README.md"));
  const packed = spawnSync("npm", ["pack", "--silent", "--pack-destination", destination], {
    cwd: staging,
    encoding: "utf8",
  });
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr.trim()}`);
  return packed.stdout.trim().split("\n").at(-1)!;
}
