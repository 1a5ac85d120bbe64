/**
 * Every duration and number a user can give is checked where it enters (flags, the configuration file,
 * the DSN, the environment): one line naming the value, exit 3, before anything starts. Durations stop
 * at 2^31-1 ms because a timer given more fires after 1 ms instead (`--request-timeout 600h` used to
 * make every request time out at once). The commands run as real processes: a value that slipped
 * through would start a daemon, which the test's kill timer turns into a failure.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnCli } from "../harness/spawn-cli.ts";

const dir = mkdtempSync(join(tmpdir(), "boundary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs every case at once (each is a separate process) and checks each one's outcome. */
async function expectRefused(
  cases: ReadonlyArray<readonly [readonly string[], RegExp]>,
  env: Record<string, string> = {},
): Promise<void> {
  const outcomes = await Promise.all(cases.map(([argv]) => spawnCli(argv, { env, timeoutMs: 20_000 })));
  outcomes.forEach((out, i) => {
    const [argv, expected] = cases[i]!;
    expect({ argv, exitCode: out.exitCode, lines: out.stderr.trim().split("\n").length }).toEqual({
      argv,
      exitCode: 3,
      lines: 1,
    });
    expect(out.stderr).toMatch(expected);
  });
}

const TOO_LONG = /it must be at most 2147483647 ms/;

describe("durations", () => {
  test("serve-logs refuses every duration over 2^31-1 ms, under 1 ms, negative or not a number", async () => {
    const db = mkdtempSync(join(dir, "db-"));
    const serveLogs = (...flags: string[]) => ["serve-logs", "--serve-db", db, ...flags];
    await expectRefused([
      [
        serveLogs("--request-timeout", "600h"),
        /--request-timeout: Cannot use "600h" as a duration: it must be at most 2147483647 ms/,
      ],
      [serveLogs("--poll-interval", "1000000h"), TOO_LONG],
      [serveLogs("--stats-interval", "2147483648ms"), TOO_LONG],
      [serveLogs("--flush-interval", "0"), /"0" as a duration: it must be at least 1 ms/],
      [serveLogs("--drain-timeout", "0.0001ms"), /at least 1 ms/],
      [serveLogs("--drain-timeout", "-5s"), /Cannot use "-5s" as a duration/],
      [serveLogs("--poll-interval", "NaN"), /Cannot use "NaN" as a duration/],
      [serveLogs("--request-timeout", "1e400"), /Cannot use "1e400" as a duration/],
      [serveLogs("--max-pending", "99999999999999999999GiB"), /at most 1TiB/],
      [serveLogs("--max-memory", "0"), /at least 1 byte/],
      [serveLogs("--max-record-bytes", "10"), /Cannot use "10" as a record cap: expected a size from 1KiB to 1MiB/],
      [serveLogs("--max-connections", "0"), /expected a whole number from 1 to 1000000/],
      [serveLogs("--frame-timeout", "600h"), TOO_LONG],
      [serveLogs("--max-in-flight", "-1"), /Cannot use "-1": expected a whole number from 1 to 1000/],
    ]);
  }, 60_000);

  test("check -t, --connect-timeout and serve-metrics --min-interval refuse 600h", async () => {
    await expectRefused([
      [["check", "-H", "/nonexistent", "-t", "600h"], TOO_LONG],
      [["check", "-H", "/nonexistent", "--connect-timeout", "100000000s"], TOO_LONG],
      [["serve-metrics", "--listen", "127.0.0.1:0", "-H", "/nonexistent", "--min-interval", "600h"], TOO_LONG],
      [["serve-metrics", "--listen", "127.0.0.1:0", "-H", "/nonexistent", "-t", "0"], /at least 1 ms/],
    ]);
  }, 60_000);

  test("fake-logplexd refuses a --delay a timer cannot hold, and NaN", async () => {
    await expectRefused([
      [
        ["fake-logplexd", "--delay", "2147483648"],
        /Cannot use "2147483648" as --delay: expected a number of milliseconds from 0 to 2147483647/,
      ],
      [["fake-logplexd", "--delay", "NaN"], /^posemo: --delay: Cannot use "NaN" as a number\n$/],
      [["fake-logplexd", "--fail-rate", "0x1"], /^posemo: --fail-rate: Cannot use "0x1" as a number\n$/],
      [["fake-logplexd", "--bogus"], /^posemo: No flag registered for --bogus/],
      // deno-lint-ignore no-control-regex -- the raw escape must not reach the terminal
      [["fake-logplexd", "--x\u001b[31m"], /^posemo: [^\u001b]*"--x\\x1b\[31m"\n$/],
      [["fake-logplexd", "--fail-rate", "NaN"], /^posemo: --fail-rate: Cannot use "NaN" as a number\n$/],
    ]);
  }, 60_000);

  test("the configuration file's timeout and connect_timeout are held to the same bounds", async () => {
    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const long = file("long.yaml", "defaults:\n  timeout: 600h\nhosts: [db1]\n");
    const zero = file("zero.yaml", "defaults:\n  connect_timeout: 0s\nhosts: [db1]\n");
    await expectRefused([
      [
        ["check", "--config", long],
        /long\.yaml:2: Cannot use "600h" as a duration for defaults\.timeout: it must be at most 2147483647 ms/,
      ],
      [
        ["check", "--config", zero],
        /zero\.yaml:2: Cannot use "0s" as a duration for defaults\.connect_timeout: it must be at least 1 ms/,
      ],
    ]);
  }, 60_000);
});

describe("DSN and environment", () => {
  test("connect_timeout in --dsn must be whole seconds a timer can hold", async () => {
    const dsn = (timeout: string) => ["check", "--dsn", `postgres://u@localhost/db?connect_timeout=${timeout}`];
    const expected = (timeout: string) =>
      new RegExp(
        `Cannot use connect_timeout "${timeout}" in --dsn: expected a whole number of seconds from 1 to 2147483`,
      );
    await expectRefused([
      [dsn("abc"), expected("abc")],
      [dsn("NaN"), expected("NaN")],
      [dsn("-1"), expected("-1")],
      [dsn(""), expected("")],
      [dsn("99999999"), expected("99999999")],
    ]);
  }, 60_000);

  test("PGCONNECT_TIMEOUT over the bound is refused naming it", async () => {
    await expectRefused([[
      ["check", "-H", "/nonexistent"],
      /Cannot use PGCONNECT_TIMEOUT "3000000": expected a positive number of seconds up to 2147483/,
    ]], { PGCONNECT_TIMEOUT: "3000000" });
  }, 60_000);
});

describe("PostgreSQL names", () => {
  const longName = "a".repeat(64);
  const longMessage = `Cannot use "${longName}" as a name: it is 64 bytes long, PostgreSQL allows at most 63`;

  test("check, serve-metrics and install refuse an empty or 64-byte schema or role name", async () => {
    await expectRefused([
      [
        ["check", "-H", "/nonexistent", "--schema", ""],
        /^posemo: --schema: Cannot use "" as a name: it is empty\n$/,
      ],
      [["check", "-H", "/nonexistent", "--schema", longName], new RegExp(`--schema: ${longMessage}\n$`)],
      [
        ["serve-metrics", "--listen", "127.0.0.1:0", "-H", "/nonexistent", "--schema", ""],
        /--schema: Cannot use "" as a name: it is empty/,
      ],
      [["install", "-H", "/nonexistent", "--schema", longName], new RegExp(`--schema: ${longMessage}`)],
      [["install", "-H", "/nonexistent", "--owner-role", ""], /--owner-role: Cannot use "" as a name: it is empty/],
      [
        ["install", "-H", "/nonexistent", "--monitoring-role", longName],
        new RegExp(`--monitoring-role: ${longMessage}`),
      ],
      [["install", "-H", "/nonexistent", "--database", ""], /--database: Cannot use "" as a name: it is empty/],
    ]);
  }, 60_000);

  test("the configuration file's schema is held to the same rule, naming file and line", async () => {
    const path = join(dir, "schema.yaml");
    writeFileSync(path, `defaults:\n  schema: ${longName}\nhosts: [db1]\n`);
    await expectRefused([[
      ["check", "--config", path],
      new RegExp(
        `schema\\.yaml:2: Cannot use "${longName}" as defaults\\.schema: it is 64 bytes long, PostgreSQL allows at most 63`,
      ),
    ]]);
  }, 60_000);
});
