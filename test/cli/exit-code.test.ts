import { describe, expect, test } from "bun:test";
import { ArgumentParseError, FlagNotFoundError } from "@stricli/core";
import {
  describeArgumentError,
  describeError,
  ExitCode,
  exitCodeFor,
  processExitCode,
} from "../../src/cli/exit-code.ts";
import { UserError } from "../../src/errors.ts";

describe("exitCodeFor()", () => {
  test("a usage error exits 3 (UNKNOWN), a failed operation 1", () => {
    expect(exitCodeFor(new UserError("Cannot use --drop-roles without --uninstall"))).toBe(3);
    expect(exitCodeFor(new UserError("2 of 3 databases failed", "failed"))).toBe(1);
  });

  test("a bug exits 3 as well: exit 1 would read as WARNING to Nagios", () => {
    expect(exitCodeFor(new RangeError('Cannot use "" as an identifier: it is empty'))).toBe(ExitCode.unknown);
    expect(exitCodeFor("not even an Error")).toBe(3);
  });
});

describe("describeError()", () => {
  test("a UserError is one line prefixed posemo:, anything else goes to the fallback with its stack", () => {
    expect(describeError(new UserError('Cannot read "x": no such file'), () => "unused")).toBe(
      'posemo: Cannot read "x": no such file',
    );
    expect(describeError(new TypeError("boom"), (bug) => `Command failed, ${(bug as Error).stack}`)).toStartWith(
      "Command failed, TypeError: boom\n",
    );
  });
});

describe("describeArgumentError()", () => {
  const fallback = (error: unknown) => `scanner said: ${(error as Error).message}`;

  test("a flag parser's message follows the flag's name, once, as one posemo: line", () => {
    const refused = new ArgumentParseError("port" as never, "abc", new RangeError('Cannot use "abc" as a port'));
    expect(describeArgumentError(refused, fallback)).toBe('posemo: --port: Cannot use "abc" as a port');
  });

  test("the scanner's own messages are kept, prefixed and escaped", () => {
    const unknown = new FlagNotFoundError("x\u001b[2J\nforged", []);
    const line = describeArgumentError(unknown, fallback);
    expect(line.startsWith("posemo: scanner said: ")).toBe(true);
    // deno-lint-ignore no-control-regex -- looking for control characters is the point
    expect(line).not.toMatch(/[\u0000-\u001f]/);
  });
});

describe("processExitCode()", () => {
  test("stricli's negative usage codes become 3; a command's own code passes through", () => {
    expect([
      processExitCode(-4),
      processExitCode(-5),
      processExitCode(undefined),
      processExitCode(2),
      processExitCode("x"),
    ]).toEqual([3, 3, 0, 2, 3]);
  });
});
