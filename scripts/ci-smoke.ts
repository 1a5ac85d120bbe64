/**
 * CI smoke steps beyond `bun test`: types check, the tree is formatted and lint-clean, the catalogue
 * index is fresh, the CLI runs under Deno and executes a real check against a throwaway cluster, and
 * the compiled binary does the same. Prints one line per
 * step and a final `smoke: N passed, N failed` line that .ci/run adds to the totals.
 */
import { resolve } from "node:path";
import { startCluster } from "../dev/cluster.ts";
import { conn, createSteps } from "./ci-steps.ts";

const root = resolve(import.meta.dirname, "..");
const bin = (name: string) => resolve(root, "node_modules/.bin", name);
const { step, summary } = createSteps(root);

const cluster = await startCluster();
try {
  step("type check (tsc --noEmit)", bin("tsc"), ["--noEmit", "-p", "."], (_, code) => code === 0);
  step("formatted (deno fmt --check)", bin("deno"), ["fmt", "--check"], (_, code) => code === 0);
  step("lint (deno lint)", bin("deno"), ["lint"], (_, code) => code === 0);
  step("catalogue index is fresh", bin("bun"), ["scripts/gen-catalogue.ts", "--check"], (_, code) => code === 0);
  step("docs/checks.md is fresh", bin("bun"), ["scripts/gen-docs.ts", "--check"], (_, code) => code === 0);
  step("Zabbix template is fresh", bin("bun"), ["scripts/gen-zabbix-template.ts", "--check"], (_, code) => code === 0);
  step(
    "install (bun, source)",
    bin("bun"),
    ["mod.ts", "install", ...conn(cluster, "postgres"), "--create-database"],
    (out, code) => code === 0 && out.includes("installed"),
  );
  step("deno run: check alive", bin("deno"), [
    "run",
    "-A",
    "mod.ts",
    "check",
    ...conn(cluster, "posemo"),
    "--check",
    "alive",
  ], (out, code) => code === 0 && out.startsWith("POSEMO OK"));
  step("build dist/posemo", bin("bun"), ["scripts/build.ts"], (_, code) => code === 0);
  step(
    "binary: check alive",
    resolve(root, "dist/posemo"),
    ["check", ...conn(cluster, "posemo"), "--check", "alive"],
    (out, code) => code === 0 && out.startsWith("POSEMO OK"),
  );
  step("binary: check all (json)", resolve(root, "dist/posemo"), [
    "check",
    ...conn(cluster, "posemo"),
    "--format",
    "json",
  ], (out, code) => code !== null && code <= 2 && JSON.parse(out).schema === "posemo.check/2");
} finally {
  await cluster.stop();
}
process.exit(summary("smoke"));
