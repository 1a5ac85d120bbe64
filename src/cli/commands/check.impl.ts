/** `posemo check`: selects checks, runs them, prints the chosen format, exits with the Nagios code. @module */
import type { CliContext } from "../context.ts";
import { complain } from "../context.ts";
import { guarded, UserError } from "../user-error.ts";
import type { CheckFlags } from "./check.ts";
import { catalogue } from "../../catalogue/catalogue.generated.ts";
import { resolveConnection } from "../../config/connection.ts";
import { realConnectionEnvironment } from "../../config/environment.ts";
import { runChecks } from "../../check/run.ts";
import { selectChecks, thresholdsFor, withJudgedColumns } from "../../check/select.ts";
import { EXIT_CODES, overallStatus } from "../../check/result.ts";
import { formatJson } from "../../output/json.ts";
import { formatList } from "../../output/list.ts";
import { formatNagios } from "../../output/nagios.ts";
import { POSEMO_VERSION } from "../../version.ts";

function plan(flags: CheckFlags) {
  const selected = selectChecks(catalogue, flags.check);
  if (typeof selected === "string") throw new UserError(selected);
  const overridden = flags.warning !== undefined || flags.critical !== undefined;
  const checks = overridden ? selected.checks.map(withJudgedColumns) : selected.checks;
  try {
    return { ...selected, checks, thresholds: thresholdsFor(checks, flags.warning, flags.critical) };
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

export default async function check(this: CliContext, flags: CheckFlags): Promise<void> {
  await guarded(this, async () => {
    if (flags.list) return void this.process.stdout.write(formatList(catalogue));
    const { checks, all, thresholds } = plan(flags);
    const world = realConnectionEnvironment(this.process.env, (line) => complain(this, line));
    const settings = resolveConnection(flags, world);
    const report = await runChecks(settings, { schema: flags.schema, checks, all, timeoutMs: flags.timeout, version: POSEMO_VERSION, thresholds });
    this.process.stdout.write(flags.format === "json" ? formatJson(report, POSEMO_VERSION) : formatNagios(report));
    this.process.exitCode = EXIT_CODES[overallStatus(report.results)];
  });
}
