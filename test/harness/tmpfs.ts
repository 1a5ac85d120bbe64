/**
 * A small tmpfs for the full-disk tests (root only): a file system that really fills up.
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** True when this process may mount a tmpfs (root, and mount works here). */
export function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = mkdtempSync(join(tmpdir(), "spool-mount-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
    execFileSync("umount", [dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(dir);
  }
}

/** Mounts a tmpfs of `size` (mount's syntax: "1m") with an empty `spool` directory in it; returns the mount point. */
export function mountTmpfs(size: string): string {
  const dir = mkdtempSync(join(tmpdir(), "spool-full-disk-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  mkdirSync(join(dir, "spool"));
  return dir;
}

/** Unmounts (lazily, should a file still be open) and removes the mount point. */
export function unmountTmpfs(dir: string): void {
  execFileSync("umount", ["-l", dir], { stdio: "ignore" });
  rmdirSync(dir);
}
