/**
 * A password never rides on a command line, and no error echoes one: `--dsn` with a password in any
 * form (URI userinfo, `?password=`, `?sslpassword=`, a key=value connection string) is refused, and
 * a DSN that cannot be parsed is not echoed at all. Through the real CLI, for each command taking --dsn.
 */
import { describe, expect, test } from "bun:test";
import { runCli } from "../harness/cli.ts";

const SECRET = "hunter2-Secret";

const WITH_PASSWORD = [
  `postgresql://posemo:${SECRET}@127.0.0.1:1/posemo`,
  `postgresql://posemo@127.0.0.1:1/posemo?password=${SECRET}`,
  `postgresql://posemo@127.0.0.1:1/posemo?sslmode=require&pass%77ord=${SECRET}`,
  `postgresql://posemo@127.0.0.1:1/posemo?sslpassword=${SECRET}`,
  `host=127.0.0.1 port=1 user=posemo password=${SECRET} dbname=posemo`,
  `host=127.0.0.1 password = '${SECRET}'`,
];

const UNPARSEABLE = [
  `postgresql://posemo:${SECRET}@127.0.0.1:99999/posemo`,
  `postgresql://posemo:hunt@er2-${SECRET}@[::1/posemo`,
  `postgresql://posemo@[bad/posemo?password=${SECRET}`,
  `host=127.0.0.1 sslkey='${SECRET}`,
];

const COMMANDS = [["check"], ["install", "--dry-run"], ["serve-metrics", "--listen", "127.0.0.1:0"]];

function expectOneLineWithout(out: { stdout: string; stderr: string; exitCode: number }, start: string): void {
  expect(out.exitCode).not.toBe(0);
  expect(out.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(out.stderr).toStartWith(start);
  expect(out.stdout + out.stderr).not.toContain(SECRET);
  expect(out.stdout + out.stderr).not.toContain("hunter2");
}

describe("--dsn with a password is refused and never echoed", () => {
  for (const command of COMMANDS) {
    test.each(WITH_PASSWORD)(`${command[0]} --dsn %p`, async (dsn) => {
      const out = await runCli([...command, "--dsn", dsn]);
      expectOneLineWithout(out, "posemo: Refusing a password in --dsn");
    });
  }

  test("check exits 3 (UNKNOWN, a usage error)", async () => {
    expect((await runCli(["check", "--dsn", WITH_PASSWORD[1]!])).exitCode).toBe(3);
  });
});

describe("an unparseable --dsn is not echoed", () => {
  for (const command of COMMANDS) {
    test.each(UNPARSEABLE)(`${command[0]} --dsn %p`, async (dsn) => {
      const out = await runCli([...command, "--dsn", dsn]);
      expectOneLineWithout(out, "posemo: ");
    });
  }
});
