import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { frameMessages } from "../../src/logs/logplex/frame.ts";
import { runCli } from "../harness/cli.ts";
import { startCli } from "../harness/spawn-cli.ts";

/** POSTs one frame to the URL the fake printed, credentials taken from it. */
async function postTo(printed: string, body: string) {
  const url = new URL(printed);
  const auth = `Basic ${btoa(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`)}`;
  const frame = frameMessages([{
    pri: 134,
    timestamp: "2026-11-21T04:23:21Z",
    hostname: "postgres",
    appName: decodeURIComponent(url.password),
    procId: "postgres.1",
    body,
  }]);
  url.username = "";
  url.password = "";
  return fetch(url, {
    method: "POST",
    headers: { Authorization: auth, "Content-Type": "application/logplex-1", "Logplex-Msg-Count": "1" },
    body: frame,
  });
}

describe("posemo fake-logplexd", () => {
  test("fake-logplexd prints its URL first, prints what it receives and exits 0 on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fake-logplexd-cli-"));
    try {
      const record = join(dir, "record.jsonl");
      const run = startCli(["fake-logplexd", "--token", "t.cli-token", "--record", record]);
      const url = await run.firstLine;
      expect(url).toMatch(/^http:\/\/token:t\.cli-token@127\.0\.0\.1:\d+\/logs$/);
      expect((await postTo(url, "hello from the test")).status).toBe(204);
      run.child.kill("SIGTERM");
      const { code, stdout } = await run.exited;
      expect(code).toBe(0);
      expect(stdout.split("\n")[1]).toBe("2026-11-21T04:23:21Z postgres app[postgres.1]: hello from the test");
      expect(JSON.parse(readFileSync(record, "utf8"))).toEqual({
        pri: 134,
        timestamp: "2026-11-21T04:23:21Z",
        hostname: "postgres",
        app: "app",
        procid: "postgres.1",
        msg: "hello from the test",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fake-logplexd makes up a token when none is given and refuses others", async () => {
    const run = startCli(["fake-logplexd", "--quiet", "--status", "503"]);
    const url = await run.firstLine;
    expect(url).toMatch(/^http:\/\/token:t\.[0-9a-f-]{36}@127\.0\.0\.1:\d+\/logs$/);
    expect((await postTo(url.replace(/token:[^@]+@/, "token:wrong@"), "x")).status).toBe(401);
    expect((await postTo(url, "x")).status).toBe(503);
    run.child.kill("SIGINT");
    const { code, stdout } = await run.exited;
    expect(code).toBe(0);
    expect(stdout.trim().split("\n")).toHaveLength(1);
  });

  test("fake-logplexd says which address it cannot listen on", async () => {
    const run = startCli(["fake-logplexd", "--quiet"]);
    const port = new URL(await run.firstLine).port;
    const outcome = await runCli(["fake-logplexd", "--port", port]);
    run.child.kill("SIGTERM");
    expect(outcome.stderr).toBe(`posemo: Cannot listen on 127.0.0.1:${port}: address in use (or not available)\n`);
    expect(outcome.exitCode).toBe(3);
    expect((await run.exited).code).toBe(0);
  });

  const invalid: [string[], string][] = [
    [["--status", "600"], 'posemo: Cannot use "600" as --status: expected an HTTP status from 100 to 599'],
    [["--status", "20.5"], 'posemo: Cannot use "20.5" as --status'],
    [["--fail-rate", "1.5"], 'posemo: Cannot use "1.5" as --fail-rate: expected a probability from 0 to 1'],
    [["--delay", "-1"], 'posemo: Cannot use "-1" as --delay'],
    [["--tls-cert", "/nonexistent/cert.pem"], "posemo: Cannot use --tls-cert without --tls-key"],
    [["--tls-key", "/nonexistent/key.pem"], "posemo: Cannot use --tls-key without --tls-cert"],
    [
      ["--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem"],
      'posemo: Cannot read --tls-cert "/nonexistent/cert.pem": no such file',
    ],
    [
      ["--record", "/nonexistent/dir/record.jsonl"],
      'posemo: Cannot write --record "/nonexistent/dir/record.jsonl": no such file',
    ],
    [["--token", ""], 'posemo: Cannot use "" as --token: it must not be empty'],
    [["--refuse", ""], 'posemo: Cannot use "" as --refuse: it would refuse every request (use --status 400)'],
  ];
  for (const [args, error] of invalid) {
    test(`fake-logplexd rejects ${args.join(" ")} in one line`, async () => {
      const outcome = await runCli(["fake-logplexd", ...args]);
      expect(outcome.stderr.trim().split("\n")).toHaveLength(1);
      expect(outcome.stderr).toStartWith(error);
      expect(outcome.exitCode).toBe(3);
      expect(outcome.stdout).toBe("");
    });
  }
});
