import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { flushedStream } from "../../src/cli/flushed-stdout.ts";
import { POSEMO_COMMAND, REPO_ROOT } from "../harness/spawn-cli.ts";

describe("flushedStream()", () => {
  test("flushed() waits for every earlier write's callback, in any order of completion", async () => {
    const callbacks: (() => void)[] = [];
    const stream = flushedStream({ write: (_chunk, cb) => (callbacks.push(() => cb?.()), true) });
    stream.write("a");
    stream.write("b");
    let flushed = false;
    const waiting = stream.flushed().then(() => (flushed = true));
    callbacks[1]!();
    await new Promise((resolve) => setImmediate(resolve)); // every pending promise reaction has run
    expect(flushed).toBe(false);
    callbacks[0]!();
    await waiting;
    expect(flushed).toBe(true);
  });
});

describe("flushedStream() with a closed reader", () => {
  test("EPIPE from a write callback or an 'error' event reports closed once; the write still settles", async () => {
    const epipe = Object.assign(new Error("broken pipe"), { code: "EPIPE" });
    let emit: (error: Error) => void = () => {};
    let closedCount = 0;
    const stream = flushedStream({
      write: (_chunk, cb) => (cb?.(epipe), false),
      on: (_event, listener) => (emit = listener),
    }, () => closedCount++);
    stream.write("a");
    stream.write("b");
    emit(epipe);
    await stream.flushed();
    expect(closedCount).toBe(1);
    expect(() => emit(new Error("disk full"))).toThrow("disk full");
  });
});

describe("flushedStream() colour", () => {
  test("reports colour only at a terminal, whatever depth the runtime claims for a pipe", () => {
    const stream = (isTTY: boolean) => flushedStream({ write: () => true, isTTY, getColorDepth: () => 8 });
    expect([stream(true).getColorDepth!(), stream(false).getColorDepth!()]).toEqual([8, 1]);
  });
});

describe("posemo output through a slow pipe", () => {
  test("a large output reaches a reader that starts late, complete (not cut at the 64 KiB pipe buffer)", () => {
    const [bun, ...args] = [...POSEMO_COMMAND, "install", "--dry-run", "--server-version", "18"];
    const direct = spawnSync(bun!, args, { cwd: REPO_ROOT, encoding: "utf8" });
    expect(direct.status).toBe(0);
    expect(direct.stdout.length).toBeGreaterThan(65536);
    const piped = spawnSync("bash", ["-c", `"${bun}" ${args.join(" ")} | (sleep 0.5; cat)`], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    expect(piped.stdout).toBe(direct.stdout);
  }, 30_000);
});
