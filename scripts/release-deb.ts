/**
 * posemo_<version>_<arch>.deb from a compiled linux binary and packaging/debian/: the executable in
 * /usr/bin, the hardened systemd units, the commented /etc/posemo/posemo.yaml (a conffile), the man
 * page, the copyright file and the maintainer scripts that create the posemo user. Built with
 * `dpkg-deb --root-owner-group`, so it needs neither root nor fakeroot.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { root } from "./build.ts";

const packaging = join(root, "packaging", "debian");
const UNITS = ["posemo-serve-logs.service", "posemo-serve-metrics.service"];

/** What one package is made of. */
export interface DebInput {
  /** Debian architecture: amd64 or arm64. */
  readonly arch: string;
  /** The compiled posemo for that architecture. */
  readonly binary: string;
  readonly version: string;
  readonly commit: string;
  /** posemo(1) in roff. */
  readonly manPage: string;
  /** Maintainer field and changelog signature, `Name <address>`. */
  readonly maintainer: string;
  /** The commit's time, for the changelog and file times (reproducible builds). */
  readonly epochSeconds: number;
}

function place(tree: string, path: string, content: string | Buffer, mode: number): void {
  const target = join(tree, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  chmodSync(target, mode);
}

/** gzip -9n: no name, no time stamp, so the same input gives the same bytes. */
const gzip = (text: string) => gzipSync(Buffer.from(text), { level: 9 });

function changelog(input: DebInput): string {
  const date = new Date(input.epochSeconds * 1000).toUTCString().replace("GMT", "+0000");
  return `posemo (${input.version}) unstable; urgency=medium\n\n  * Release ${input.version}, built from commit ${input.commit}.\n\n -- ${input.maintainer}  ${date}\n`;
}

/** Every regular file under `tree`, relative to it, sorted. */
function filesUnder(tree: string): string[] {
  return readdirSync(tree, { recursive: true, encoding: "utf8" }).filter((p) => statSync(join(tree, p)).isFile())
    .sort();
}

function layFiles(tree: string, input: DebInput): void {
  mkdirSync(join(tree, "usr/bin"), { recursive: true });
  copyFileSync(input.binary, join(tree, "usr/bin/posemo"));
  chmodSync(join(tree, "usr/bin/posemo"), 0o755);
  for (const unit of UNITS) place(tree, `lib/systemd/system/${unit}`, readFileSync(join(packaging, unit)), 0o644);
  place(tree, "etc/posemo/posemo.yaml", readFileSync(join(packaging, "posemo.yaml")), 0o644);
  place(tree, "usr/share/man/man1/posemo.1.gz", gzip(input.manPage), 0o644);
  place(tree, "usr/share/doc/posemo/copyright", readFileSync(join(packaging, "copyright")), 0o644);
  place(tree, "usr/share/doc/posemo/changelog.gz", gzip(changelog(input)), 0o644);
  place(tree, "usr/share/lintian/overrides/posemo", readFileSync(join(packaging, "lintian-overrides")), 0o644);
}

function installedSizeKiB(tree: string): number {
  return filesUnder(tree).reduce((sum, p) => sum + Math.ceil(statSync(join(tree, p)).size / 1024), 0);
}

function layControl(tree: string, input: DebInput): void {
  const payload = filesUnder(tree);
  const fields: Record<string, string> = {
    VERSION: input.version,
    ARCH: input.arch,
    MAINTAINER: input.maintainer,
    INSTALLED_SIZE: String(installedSizeKiB(tree)),
  };
  const control = readFileSync(join(packaging, "control.in"), "utf8").replace(
    /@([A-Z_]+)@/g,
    (_, key: string) => fields[key]!,
  );
  const md5 = (p: string) => createHash("md5").update(readFileSync(join(tree, p))).digest("hex");
  place(tree, "DEBIAN/control", control, 0o644);
  place(tree, "DEBIAN/conffiles", "/etc/posemo/posemo.yaml\n", 0o644);
  place(tree, "DEBIAN/md5sums", payload.map((p) => `${md5(p)}  ${p}\n`).join(""), 0o644);
  for (const script of ["postinst", "prerm", "postrm"]) {
    place(tree, `DEBIAN/${script}`, readFileSync(join(packaging, script)), 0o755);
  }
}

/** Builds the package into `outDir`; returns its file name. */
export function buildDeb(input: DebInput, outDir: string): string {
  const tree = join(root, "dist", `deb-${input.arch}`);
  rmSync(tree, { recursive: true, force: true });
  layFiles(tree, input);
  layControl(tree, input);
  const name = `posemo_${input.version}_${input.arch}.deb`;
  const env = { ...process.env, SOURCE_DATE_EPOCH: String(input.epochSeconds) };
  const built = spawnSync("dpkg-deb", ["--root-owner-group", "-Zgzip", "-z6", "--build", tree, join(outDir, name)], {
    encoding: "utf8",
    env,
  });
  if (built.status !== 0) {
    throw new Error(`dpkg-deb failed for ${input.arch}: ${(built.stderr || built.stdout).trim()}`);
  }
  rmSync(tree, { recursive: true, force: true });
  return name;
}

/** The files the package installs, as the README lists them (relative paths). */
export const INSTALLED_FILES = [
  "usr/bin/posemo",
  ...UNITS.map((u) => `lib/systemd/system/${u}`),
  "etc/posemo/posemo.yaml",
  "usr/share/man/man1/posemo.1.gz",
  "usr/share/doc/posemo/copyright",
];
