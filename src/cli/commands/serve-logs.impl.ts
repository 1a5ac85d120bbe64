/** `posemo serve-logs`: resolves flags and environment, runs the daemon until SIGTERM/SIGINT. @module */
import type { CliContext } from "../context.ts";
import { complain, say } from "../context.ts";
import { UserError } from "../../errors.ts";
import { onHangup } from "../hangup.ts";
import { logLine } from "../log-line.ts";
import { resolveServeLogsOptions } from "../serve-logs-config.ts";
import type { ServeLogsFlags } from "./serve-logs.ts";
import { runServeLogs, StartupError } from "../../logs/serve-logs.ts";
import { ServeDbError } from "../../logs/servedb/store.ts";

export default async function serveLogs(this: CliContext, flags: ServeLogsFlags): Promise<void> {
  const options = resolveServeLogsOptions(flags, this.process.env);
  const log = (line: string) => complain(this, logLine(line));
  const io = {
    log,
    announce: (line: string) => say(this, logLine(line)),
    stopSignal: this.stopSignal,
    onHangup,
  };
  await runServeLogs({ ...options, ...io }).catch((error: Error) => {
    if (error instanceof ServeDbError || error instanceof StartupError) {
      throw new UserError(error.message, "failed", { cause: error });
    }
    throw error;
  });
}
