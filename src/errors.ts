/**
 * The one error a user is shown as a single line (`posemo: ...`, no stack trace): a mistake or an
 * environment problem they can fix. Any layer may throw it; src/cli/exit-code.ts is the one place
 * that turns it, and every other error, into an exit code. An error that is not a UserError is a bug
 * and keeps its stack trace, because that is what a bug report needs.
 * @module
 */

/**
 * What stopped the command: `usage` (the command line, a file or the environment is wrong, so posemo
 * could not tell; exit 3) or `failed` (the operation was attempted and failed; exit 1).
 */
export type Failure = "usage" | "failed";

/** A mistake or an environment problem the user can fix; a `usage` failure unless said otherwise. */
export class UserError extends Error {
  constructor(message: string, readonly failure: Failure = "usage", options?: ErrorOptions) {
    super(message, options);
    this.name = "UserError";
  }
}
