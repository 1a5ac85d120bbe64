/**
 * The monitoring systems' own tools (Debian packages installed by scripts/ci-integrations.sh) and a
 * `posemo` executable for them to run: tests that need a missing tool skip and say why.
 * @module
 */
import { afterAll, beforeAll } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The repository root. */
export const REPO_ROOT = resolve(import.meta.dir, "../..");

/** Absolute path of a tool, looked up in PATH and the sbin directories, or undefined. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/sbin", "/usr/local/sbin"].filter((d) =>
    d.startsWith("/")
  );
  return dirs.map((d) => join(d, name)).find((p) => existsSync(p));
}

/** The tool's path, or undefined after printing why the tests that need it are skipped. */
export function requireTool(name: string, pkg: string): string | undefined {
  const path = findTool(name);
  if (!path) {
    console.log(
      `skipped: ${name} is not installed (Debian package ${pkg}; bash scripts/ci-integrations.sh installs it)`,
    );
  }
  return path;
}

/**
 * A throwaway directory, removed by `cleanup`. World-readable: run as root, nagios4 reads its
 * configuration after dropping to the nagios user.
 */
export function scratchDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `posemo-${prefix}-`));
  chmodSync(dir, 0o755);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes an executable `posemo` into `dir` that runs this checkout's CLI, as the installed binary would. */
export function posemoExecutable(dir: string): string {
  const path = join(dir, "posemo");
  writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" "${join(REPO_ROOT, "mod.ts")}" "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

/** What a shell command printed and how it exited. */
export interface ShellOutcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** Runs a command line with /bin/sh -c, as cron and Nagios do, with a small environment. */
export function shell(
  command: string,
  options: { env?: Record<string, string>; cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<ShellOutcome> {
  const child = spawn("/bin/sh", ["-c", command], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: `/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d));
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  child.stdin.end(options.input ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  return new Promise((done) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ stdout, stderr, exitCode: code ?? -1 });
    })
  );
}

/** Runs a tool synchronously (for tools that need no server of ours running in this process). */
export function runTool(path: string, args: readonly string[], input?: string): ShellOutcome {
  const result = spawnSync(path, [...args], { encoding: "utf8", input, timeout: 60_000 });
  return { stdout: result.stdout ?? "", stderr: result.stderr ?? "", exitCode: result.status ?? -1 };
}

/** What a README command is pointed at instead of a production machine. */
export interface Substitutions {
  /** The `posemo` executable (replaces /usr/local/bin/posemo and a leading bare `posemo`). */
  readonly posemo: string;
  /** The test cluster (replaces `-H /var/run/postgresql`). */
  readonly cluster: { readonly host: string; readonly port: number };
  /** Further literal replacements, e.g. output paths. */
  readonly replace?: Readonly<Record<string, string>>;
}

/** A README command line with the production paths replaced by the test's; throws when one is missing. */
export function adaptCommand(command: string, s: Substitutions): string {
  let out = command.replace(/^posemo /, "/usr/local/bin/posemo ");
  if (!out.includes("/usr/local/bin/posemo")) {
    throw new Error(`the README command does not run /usr/local/bin/posemo: ${command}`);
  }
  out = out.replaceAll("/usr/local/bin/posemo", s.posemo).replaceAll(
    "-H /var/run/postgresql",
    `-H ${s.cluster.host} -p ${s.cluster.port}`,
  );
  for (const [from, to] of Object.entries(s.replace ?? {})) {
    if (!out.includes(from)) throw new Error(`the README command has no "${from}": ${command}`);
    out = out.replaceAll(from, to);
  }
  return out;
}

/** A throwaway cluster with posemo installed, the CLI as an executable and an empty HOME for shells. */
export interface InstalledPosemo {
  readonly cluster: Cluster;
  readonly posemo: string;
  readonly home: string;
}

/** Starts a cluster, installs posemo into it and prepares `dir`. */
async function installPosemo(dir: string): Promise<InstalledPosemo> {
  const cluster = await startCluster();
  const out = await runCli(["install", ...connectionArgs(cluster, "postgres"), "--create-database"]);
  if (out.exitCode !== 0) throw new Error(`posemo install failed: ${out.stderr}`);
  const home = join(dir, "home");
  mkdirSync(home, { recursive: true });
  return { cluster, posemo: posemoExecutable(dir), home };
}

/**
 * The integration files' shared setup: registers the file's beforeAll (a scratch directory, a cluster
 * with posemo installed, handed to `ready`) and afterAll (cluster stopped, directory removed).
 */
export function withInstalledPosemo(prefix: string, ready: (installed: InstalledPosemo) => void): { dir: string } {
  const scratch = scratchDir(prefix);
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    const installed = await installPosemo(scratch.dir);
    cluster = installed.cluster;
    ready(installed);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    scratch.cleanup();
  });
  return { dir: scratch.dir };
}

/**
 * Writes a configuration file at `file` listing `up` hosts on `cluster` and one host named `down` whose
 * socket directory has no server, and returns its path: the fleet the integration tests run.
 */
export function fleetConfig(file: string, cluster: Cluster, up: readonly string[], down: string): string {
  const lines = [
    "defaults:",
    `  host: ${cluster.host}`,
    `  port: ${cluster.port}`,
    "  user: posemo",
    "  dbname: posemo",
    "  connect_timeout: 2s",
    "hosts:",
    ...up.map((name) => `  - name: ${name}`),
    `  - name: ${down}`,
    `    host: ${join(file, "..", "no-server")}`,
  ];
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}
