import { afterAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { writeFileAtomically } from "../../src/cli/atomic-write.ts";
import { UserError } from "../../src/errors.ts";

const root = mkdtempSync(join(tmpdir(), "posemo-atomic-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh directory per test, so one test's leftovers cannot pass or fail another. */
function freshDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  return dir;
}

const moduleUrl = resolve(import.meta.dir, "../../src/cli/atomic-write.ts");
const A = "A".repeat(2_000_000) + "\n";
const B = "B".repeat(3_000_000) + "\n";

/**
 * A child process that writes A and B alternately to `file` until killed or done, and prints a dot
 * after each write; `firstWrite` resolves at the first dot.
 */
function writer(file: string, rounds: number) {
  const script = `import { writeFileAtomically } from ${JSON.stringify(moduleUrl)};
const a = "A".repeat(2_000_000) + "\\n", b = "B".repeat(3_000_000) + "\\n";
for (let i = 0; i < ${rounds}; i++) { writeFileAtomically(${
    JSON.stringify(file)
  }, i % 2 ? b : a); process.stdout.write("."); }`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "ignore"] });
  const firstWrite = new Promise<void>((done) => child.stdout.once("data", () => done()));
  child.stdout.resume();
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return { child, exited, firstWrite };
}

function readOrAbsent(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

describe("writeFileAtomically()", () => {
  test("writes the text, replaces an existing file, and leaves no temporary file", () => {
    const dir = freshDir("replace");
    const file = join(dir, "out.txt");
    writeFileSync(file, "old\n");
    writeFileAtomically(file, "new\n");
    expect(readFileSync(file, "utf8")).toBe("new\n");
    expect(readdirSync(dir).filter((n) => n.includes(".tmp"))).toEqual([]);
  });

  test("a reader never sees a partial file while another process rewrites it", async () => {
    const file = join(freshDir("busy"), "busy.txt");
    const { exited } = writer(file, 60);
    let done = false;
    void exited.then(() => (done = true));
    const seen = new Set<string>();
    while (!done) {
      const text = readOrAbsent(file);
      seen.add(text === undefined ? "absent" : text === A ? "A" : text === B ? "B" : `partial (${text.length} bytes)`);
      await Bun.sleep(0);
    }
    expect(await exited).toBe(0);
    expect([...seen].filter((s) => s.startsWith("partial"))).toEqual([]);
    expect(readFileSync(file, "utf8")).toBe(B);
  }, 60_000);

  test("a writer killed mid-run leaves the previous complete file (or none), never a torn one", async () => {
    const dir = freshDir("killed");
    const file = join(dir, "killed.txt");
    const { child, exited, firstWrite } = writer(file, 1000);
    await firstWrite;
    child.kill("SIGKILL");
    await exited;
    const text = readOrAbsent(file);
    expect(text === undefined || text === A || text === B).toBe(true);
    // What a kill can leave besides: its own temporary file, never anything under the target's name.
    for (const name of readdirSync(dir)) {
      expect(name === "killed.txt" || /^\.killed\.txt\.[0-9a-f-]{36}\.tmp$/.test(name)).toBe(true);
    }
  }, 60_000);

  test("an unwritable target is a one-line error naming it; no temporary file is left", () => {
    const dir = freshDir("unwritable");
    const missing = join(dir, "no-such-dir", "out.txt");
    expect(() => writeFileAtomically(missing, "x")).toThrow(
      new UserError(`Cannot write "${missing}": its directory does not exist`),
    );
    const target = join(dir, "a-directory");
    mkdirSync(target);
    expect(() => writeFileAtomically(target, "x")).toThrow(UserError);
    expect(readdirSync(dir).filter((n) => n.includes(".tmp"))).toEqual([]);
  });
});
