/**
 * CI proof of `npm run release` (run by scripts/release-ci.sh): builds dist/release/, then checks what
 * a user gets: the checksums verify; `file` names the right platform for every executable; the arm64
 * executable installs and checks a real PostgreSQL under qemu-aarch64-static; the x64 one and the Node
 * bundle (system node) check it too, and the bundle forwards logs end to end (scripts/logs-demo.ts); the npm package runs offline through `npm exec`; both .debs pass
 * lintian, hold the README's files and the right executable, register the conffile when dpkg unpacks
 * them into a throwaway root, and their units pass `systemd-analyze verify` there; the man page
 * renders without warnings; the shipped posemo.yaml is valid and each unit's ExecStart starts and
 * stops cleanly. Last line: `release: N passed, N failed`.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Cluster, startCluster } from "../dev/cluster.ts";
import { buildCommit, root } from "./build.ts";
import { conn, createSteps } from "./ci-steps.ts";
import { BINARY_TARGETS } from "./release.ts";

const out = join(root, "dist", "release");
const { step, summary } = createSteps(root);
const version: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
const versionLine = `${version} (commit ${buildCommit()})`;
const nodeVersion = spawnSync("node", ["--version"], { encoding: "utf8" }).stdout?.trim() ?? "(none)";
const scratch = mkdtempSync(join(tmpdir(), "posemo-release-"));

/** What `file` must say about each executable: format, architecture, and the loader it asks for. */
const FILE_SAYS: Readonly<Record<string, RegExp>> = {
  "linux-x64": /ELF 64-bit LSB executable, x86-64,.*interpreter \/lib64\/ld-linux-x86-64\.so\.2/,
  "linux-arm64": /ELF 64-bit LSB executable, ARM aarch64,.*interpreter \/lib\/ld-linux-aarch64\.so\.1/,
  "linux-x64-musl": /ELF 64-bit LSB executable, x86-64,.*interpreter \/lib\/ld-musl-x86_64\.so\.1/,
  "linux-arm64-musl": /ELF 64-bit LSB executable, ARM aarch64,.*interpreter \/lib\/ld-musl-aarch64\.so\.1/,
  "darwin-x64": /Mach-O 64-bit x86_64 executable/,
  "darwin-arm64": /Mach-O 64-bit arm64 executable/,
};

/** The paths the README's install table promises (`| \`/usr/bin/posemo\` | ...`), without the leading slash. */
function readmeInstalledPaths(): string[] {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  return [...readme.matchAll(/^\| `\/([^`]+)` \|/gm)].map((m) => m[1]!);
}

/** The executables, posemo.mjs, the npm package and the two .debs. */
const releaseFiles = Object.keys(BINARY_TARGETS).length + 4;

const ok = (_: string, code: number | null) => code === 0;

function buildAndBinaries(): void {
  // --prebuilt: check the dist/release/ that is there (for working on this script; the -V steps
  // pass only when it was built from the tree as it is now).
  if (!process.argv.includes("--prebuilt")) {
    step("npm run release", process.execPath, ["scripts/release.ts"], ok, {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 1_200_000,
    });
  }
  step(
    "SHA256SUMS verifies every file",
    "sha256sum",
    ["--strict", "-c", "SHA256SUMS"],
    (o, code) => code === 0 && (o.match(/: OK$/gm) ?? []).length === releaseFiles,
    { cwd: out },
  );
  for (const suffix of Object.keys(BINARY_TARGETS)) {
    step(
      `file: posemo-${suffix}`,
      "file",
      ["-b", join(out, `posemo-${suffix}`)],
      (o, code) => code === 0 && FILE_SAYS[suffix]!.test(o),
    );
  }
}

function againstPostgres(cluster: Cluster): void {
  const arm64 = ["qemu-aarch64-static", join(out, "posemo-linux-arm64")] as const;
  step(
    "arm64 (qemu): -V names the version and commit",
    arm64[0],
    [arm64[1], "-V"],
    (o, code) => code === 0 && o.trim() === versionLine,
  );
  step(
    "arm64 (qemu): install",
    arm64[0],
    [arm64[1], "install", ...conn(cluster, "postgres"), "--create-database"],
    (o, code) => code === 0 && o.includes(`posemo ${version} installed`),
  );
  step(
    "arm64 (qemu): check all (json)",
    arm64[0],
    [arm64[1], "check", ...conn(cluster, "posemo"), "--format", "json"],
    (o, code) => code !== null && code <= 2 && JSON.parse(o).hosts.length === 1,
  );
  step("linux-x64: check alive", join(out, "posemo-linux-x64"), [
    "check",
    ...conn(cluster, "posemo"),
    "--check",
    "alive",
  ], (o, code) => code === 0 && o.startsWith("POSEMO OK"));
  step(
    `node ${nodeVersion} posemo.mjs: -V`,
    "node",
    [join(out, "posemo.mjs"), "-V"],
    (o, code) => code === 0 && o.trim() === versionLine,
  );
  step("node posemo.mjs: check alive", "node", [
    join(out, "posemo.mjs"),
    "check",
    ...conn(cluster, "posemo"),
    "--check",
    "alive",
  ], (o, code) => code === 0 && o.startsWith("POSEMO OK"));
  step("node posemo.mjs: check all (json)", "node", [
    join(out, "posemo.mjs"),
    "check",
    ...conn(cluster, "posemo"),
    "--format",
    "json",
  ], (o, code) => code !== null && code <= 2 && JSON.parse(o).schema === "posemo.check/2");
  // serve-logs and fake-logplexd under Node (the bundle's shebang): unix sockets, hono over node:http, fetch.
  step("node posemo.mjs: serve-logs to fake-logplexd end to end (logs-demo)", process.execPath, [
    "scripts/logs-demo.ts",
    "--posemo",
    join(out, "posemo.mjs"),
  ], (o, code) => code === 0 && /received=18 forwarded=18/.test(o));
}

function npmPackage(): void {
  const cwd = join(scratch, "npx");
  mkdirSync(cwd);
  const tarball = join(out, `posemo-${version}.tgz`);
  step(
    "npm exec --offline the package: posemo -V",
    "npm",
    ["exec", "--offline", "--yes", `--package=${tarball}`, "--", "posemo", "-V"],
    (o, code) => code === 0 && o.includes(versionLine),
    { cwd, env: { ...process.env, npm_config_cache: join(scratch, "npm-cache") } },
  );
}

/** Unpacks `deb` into a fresh directory with `dpkg-deb -x`; returns it. */
function extract(deb: string, arch: string): string {
  const tree = join(scratch, `x-${arch}`);
  mkdirSync(tree);
  spawnSync("dpkg-deb", ["-x", deb, tree]);
  return tree;
}

/** systemd-analyze verify --root needs the units and programs the posemo units refer to inside the root. */
function addSystemdBasics(tree: string): void {
  // cp -a keeps the host's masked units what they are: symlinks to /dev/null.
  spawnSync("cp", ["-an", "/lib/systemd/system/.", join(tree, "lib/systemd/system")]);
  mkdirSync(join(tree, "bin"), { recursive: true });
  cpSync("/bin/kill", join(tree, "bin/kill"), { dereference: true });
}

/**
 * A unit's ExecStart as argv, with its Environment= defaults expanded, unset `$VARS` empty, and the
 * package's paths moved to `paths` (the listen port to 0, so nothing else on the machine is in the way).
 */
function execStart(unitFile: string, paths: Record<string, string>): string[] {
  const unit = readFileSync(unitFile, "utf8");
  const env = Object.fromEntries([...unit.matchAll(/^Environment=([A-Z_]+)=(\S*)$/gm)].map((m) => [m[1]!, m[2]!]));
  const line = unit.match(/^ExecStart=(.*)$/m)![1]!.replace(/\$\{?([A-Z_]+)\}?/g, (_, name: string) => env[name] ?? "");
  return line.split(/\s+/).filter((w) => w !== "").map((w) => paths[w] ?? w);
}

/** Runs each unit's ExecStart for 4 s (then SIGTERM, as systemctl stop does) against `cluster`. */
function unitCommandLines(tree: string, cluster: Cluster): void {
  const dir = join(scratch, "units");
  mkdirSync(join(dir, "serve-db"), { recursive: true });
  writeFileSync(
    join(dir, "posemo.yaml"),
    `hosts:\n  - name: local\n    host: ${cluster.host}\n    port: ${cluster.port}\n    user: posemo\n    dbname: posemo\n`,
  );
  const paths = {
    "/usr/bin/posemo": join(tree, "usr/bin/posemo"),
    "/etc/posemo/posemo.yaml": join(dir, "posemo.yaml"),
    "/var/lib/posemo/serve-db": join(dir, "serve-db"),
    "127.0.0.1:9816": "127.0.0.1:0",
  };
  const expected: Record<string, RegExp> = {
    "posemo-serve-metrics.service": /^http:\/\/127\.0\.0\.1:\d+\/metrics$/m,
    "posemo-serve-logs.service": /serve-logs: ready/,
  };
  step("the packaged /etc/posemo/posemo.yaml is valid", paths["/usr/bin/posemo"], [
    "config",
    "check",
    "--config",
    join(tree, "etc/posemo/posemo.yaml"),
  ], ok);
  for (const [unit, says] of Object.entries(expected)) {
    const argv = execStart(join(tree, "lib/systemd/system", unit), paths);
    step(`${unit}: its ExecStart runs and stops on SIGTERM`, "timeout", [
      "--preserve-status",
      "-s",
      "TERM",
      "4",
      ...argv,
    ], (o, code) => code === 0 && says.test(o));
  }
}

function debianPackage(arch: string, binary: string): string {
  const deb = join(out, `posemo_${version}_${arch}.deb`);
  step(`lintian: posemo_${version}_${arch}.deb`, "lintian", [
    "--fail-on",
    "error,warning",
    "--suppress-tags",
    "spelling-error-in-binary",
    deb,
  ], (o, code) => code === 0 && !/^[EW]: /m.test(o));
  const tree = extract(deb, arch);
  const paths = readmeInstalledPaths();
  step(
    `${arch}.deb holds the README's ${paths.length} files`,
    "ls",
    paths.map((p) => join(tree, p)),
    (_, code) => code === 0 && paths.length >= 6,
  );
  step(`${arch}.deb: /usr/bin/posemo is posemo-${binary}`, "cmp", [
    join(tree, "usr/bin/posemo"),
    join(out, `posemo-${binary}`),
  ], ok);
  addSystemdBasics(tree);
  const units = ["posemo-serve-logs.service", "posemo-serve-metrics.service"].map((u) =>
    join(tree, "lib/systemd/system", u)
  );
  step(
    `${arch}.deb: systemd-analyze verify`,
    "systemd-analyze",
    ["verify", "--man=no", `--root=${tree}`, ...units],
    (o, code) => code === 0 && o.trim() === "",
  );
  return tree;
}

function dpkgUnpack(): void {
  const tree = join(scratch, "dpkg-root");
  mkdirSync(join(tree, "var/lib/dpkg/updates"), { recursive: true });
  mkdirSync(join(tree, "var/lib/dpkg/info"), { recursive: true });
  writeFileSync(join(tree, "var/lib/dpkg/status"), "");
  const deb = join(out, `posemo_${version}_amd64.deb`);
  step("dpkg --root --unpack amd64.deb (throwaway root)", "dpkg", [
    `--root=${tree}`,
    "--force-depends",
    "--unpack",
    deb,
  ], ok);
  step(
    "dpkg --root: /etc/posemo/posemo.yaml is a conffile",
    "dpkg-query",
    [`--root=${tree}`, "-s", "posemo"],
    (o, code) =>
      code === 0 && /^Conffiles:\n \/etc\/posemo\/posemo\.yaml /m.test(o) && existsSync(join(tree, "usr/bin/posemo")),
  );
  const page = join(scratch, "x-amd64/usr/share/man/man1/posemo.1.gz");
  step(
    "man page renders without warnings",
    "man",
    ["--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", page],
    (o, code) => code === 0 && o.trim() === "",
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LC_ALL: "C.UTF-8", MANWIDTH: "80" } },
  );
}

try {
  buildAndBinaries();
  const cluster = await startCluster();
  try {
    againstPostgres(cluster);
    npmPackage();
    unitCommandLines(debianPackage("amd64", "linux-x64"), cluster);
    debianPackage("arm64", "linux-arm64");
    dpkgUnpack();
  } finally {
    await cluster.stop();
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(summary("release"));
