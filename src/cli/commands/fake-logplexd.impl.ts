/** Placeholder until the log half lands. @module */
import type { CliContext } from "../context.ts";
import { UserError } from "../user-error.ts";

export default async function (this: CliContext): Promise<void> {
  throw new UserError("fake-logplexd is not available in this build yet");
}
