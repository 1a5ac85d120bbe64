/**
 * serve-logs keeps the tokens of its serve database owner-only, and its own log cannot be forged:
 * `serves.loaded`, `serves.rej` and `last_error` are 0600 whatever mode `serves.new` was written
 * with, and stay so when rewritten; an identity (or any other text a serve database or a peer
 * chose) holding a newline, a carriage return or an escape sequence is logged escaped, on one line.
 * Through the real `posemo serve-logs` process.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Child, startFakeLogplexd, startServeLogs, tempServeDirs, waitFor } from "../../dev/log-processes.ts";

const TOKEN = "t.secret-token";
const cleanups: Array<() => Promise<unknown> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startSetup() {
  const setup = tempServeDirs("serve-logs-secrets-");
  cleanups.push(() => setup.cleanup());
  return setup;
}

function track(child: Child): Child {
  cleanups.push(() => child.stop("SIGKILL"));
  return child;
}

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

/** Writes `serves.new` world-readable, as a careless writer would, and asks serve-logs to look now. */
function offer(db: string, text: string, hangup: () => void): void {
  writeFileSync(join(db, ".serves.new.tmp"), text, { mode: 0o644 });
  renameSync(join(db, ".serves.new.tmp"), join(db, "serves.new"));
  hangup();
}

describe("the serve database's files are owner-only", () => {
  test("serves.loaded, serves.rej and last_error are 0600, and stay 0600 across rewrites", async () => {
    const setup = startSetup();
    const logplex = await startFakeLogplexd(setup.root, [], TOKEN);
    track(logplex.child);
    const url = logplex.url;
    writeFileSync(join(setup.db, "serves.loaded"), JSON.stringify({ serves: [] }), { mode: 0o644 });
    const sl = await startServeLogs(setup.db);
    track(sl.child);
    const serve = (name: string) => ({ i: name, p: setup.socket(name), url, name });

    offer(setup.db, JSON.stringify({ serves: [serve("a")] }), sl.hangup);
    await waitFor(() => sl.listening(setup.socket("a")), 10_000, () => "serve a");
    expect(modeOf(join(setup.db, "serves.loaded"))).toBe("600");

    offer(setup.db, JSON.stringify({ serves: [{ ...serve("b"), format: "xml" }] }), sl.hangup);
    await waitFor(
      () => !existsSync(join(setup.db, "serves.new")) && existsSync(join(setup.db, "last_error")),
      10_000,
      () => "rejection",
    );
    expect({ rej: modeOf(join(setup.db, "serves.rej")), lastError: modeOf(join(setup.db, "last_error")) }).toEqual({
      rej: "600",
      lastError: "600",
    });

    offer(setup.db, JSON.stringify({ serves: [serve("a"), serve("c")] }), sl.hangup);
    await waitFor(() => sl.listening(setup.socket("c")), 10_000, () => "serve c");
    expect(modeOf(join(setup.db, "serves.loaded"))).toBe("600");
    expect(sl.child.stderr()).not.toContain(TOKEN);
  }, 60_000);
});

describe("serve-logs' own log lines cannot be forged", () => {
  test(
    "an identity with a newline, a carriage return and an escape sequence is logged escaped, on its own line",
    async () => {
      const setup = startSetup();
      const logplex = await startFakeLogplexd(setup.root, [], TOKEN);
      track(logplex.child);
      const forged = "x\nserve-logs: stats [victim] received=0 forwarded=0\r\u001b[2Kserve-logs: stopped";
      writeFileSync(
        join(setup.db, "serves.loaded"),
        JSON.stringify({ serves: [{ i: forged, p: setup.socket("f"), url: logplex.url }] }),
      );
      const sl = await startServeLogs(setup.db);
      track(sl.child);
      await sl.child.stop("SIGTERM"); // started: its serves were logged before "ready"
      const stderr = sl.child.stderr();
      // deno-lint-ignore no-control-regex
      expect(stderr).not.toMatch(/[\r\u001b]/);
      const lines = stderr.split("\n").filter(Boolean);
      expect(lines.filter((l) => l.startsWith("serve-logs: stats [victim]"))).toEqual([]);
      expect(lines.filter((l) => l === "serve-logs: stopped")).toHaveLength(1); // the real one only
      expect(
        lines.some((l) =>
          l.includes("x\\x0aserve-logs: stats [victim]") || l.includes("x\\nserve-logs: stats [victim]")
        ),
      ).toBe(true);
    },
    60_000,
  );
});
