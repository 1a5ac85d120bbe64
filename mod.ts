/**
 * posemo: the single entry point. Builds the CLI context from the real process, runs the command and
 * sets the exit code. This is the only file that touches `process.exitCode` and signals.
 * @module
 */
import process from "node:process";
import { run } from "@stricli/core";
import { app } from "./src/cli/app.ts";
import type { CliContext } from "./src/cli/context.ts";
import { ExitCode, processExitCode } from "./src/cli/exit-code.ts";
import { flushedStream } from "./src/cli/flushed-stdout.ts";

const stop = new AbortController();
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => stop.abort(signal));
}

// Nobody reads stdout any more: end at once and quietly, as a closed pipe ends any Unix tool (a
// database transaction in flight is rolled back by the server). A closed stderr leaves nobody to tell.
const stdout = flushedStream(process.stdout, () => process.exit(ExitCode.outputClosed));
const stderr = flushedStream(process.stderr);
const context: CliContext = {
  process: {
    stdout,
    stderr,
    env: process.env,
    exitCode: undefined,
  },
  stopSignal: stop.signal,
};

await run(app, process.argv.slice(2), context);
const code = processExitCode(context.process.exitCode);
// Exit explicitly (an idle database socket must not keep a Nagios check alive), but only once
// stdout has drained: a truncated JSON document or a missing first line is worse than a slow exit.
await Promise.all([stdout.flushed(), stderr.flushed()]);
process.exit(code);
