/**
 * Errors a user can fix (a bad flag value, an unreadable file, a refused connection). They are printed
 * as one line without a stack trace; anything else is a bug and is printed in full.
 * @module
 */
import { complain, type CliContext } from "./context.ts";
import { ExitCode } from "./exit-code.ts";

/** A mistake or an environment problem the user can fix; `exitCode` defaults to UNKNOWN (3). */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = ExitCode.unknown, options?: ErrorOptions) {
    super(message, options);
    this.name = "UserError";
  }
}

/**
 * Runs a command body and turns a thrown `UserError` into one line on stderr and its exit code.
 * Unexpected errors keep their stack: they are bugs and the trace is what a report needs.
 */
export async function guarded(context: CliContext, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    complain(context, `posemo: ${error.message}`);
    context.process.exitCode = error.exitCode;
  }
}
