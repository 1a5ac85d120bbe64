/** `posemo check`: selects hosts and checks, runs them, renders the chosen format, exits with the Nagios code. @module */
import type { CliContext } from "../context.ts";
import { complain } from "../context.ts";
import { guarded, UserError } from "../user-error.ts";
import type { CheckFlags } from "./check.ts";
import { writeFileAtomically } from "../atomic-write.ts";
import { checkTargets } from "../check-targets.ts";
import { commandConfig } from "../load-config.ts";
import { catalogue } from "../../catalogue/catalogue.generated.ts";
import { realConnectionEnvironment } from "../../config/environment.ts";
import type { CommandLineChecks } from "../../config/host-checks.ts";
import { DEFAULT_CONCURRENCY, runFleet } from "../../check/fleet.ts";
import { fleetStatus } from "../../check/fleet-status.ts";
import { flagRanges, selectChecks, thresholdsFor, withJudgedColumns } from "../../check/select.ts";
import { EXIT_CODES, type FleetReport } from "../../check/result.ts";
import { formatFleet } from "../../output/formats.ts";
import { formatList } from "../../output/list.ts";
import { colorWanted } from "../../output/text.ts";
import { POSEMO_VERSION } from "../../version.ts";

function commandLineChecks(flags: CheckFlags): CommandLineChecks {
  const selected = selectChecks(catalogue, flags.check);
  if (typeof selected === "string") throw new UserError(selected);
  const overridden = flags.warning !== undefined || flags.critical !== undefined;
  const checks = overridden ? selected.checks.map(withJudgedColumns) : selected.checks;
  try {
    thresholdsFor(checks, flags.warning, flags.critical);
    return { checks, all: selected.all, defaults: thresholdsFor(checks), flags: flagRanges(flags.warning, flags.critical) };
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

/** Colour only for people at a terminal: never into --output files or pipes. */
function render(context: CliContext, flags: CheckFlags, fleet: FleetReport): string {
  const isTTY = flags.output === undefined && (context.process.stdout as { isTTY?: boolean }).isTTY;
  return formatFleet(flags.format, fleet, { posemoVersion: POSEMO_VERSION, color: colorWanted(isTTY, context.process.env) });
}

export default async function check(this: CliContext, flags: CheckFlags): Promise<void> {
  await guarded(this, async () => {
    if (flags.list) return void this.process.stdout.write(formatList(catalogue));
    const line = commandLineChecks(flags);
    const config = commandConfig({ path: flags.config, env: this.process.env, catalogue });
    const world = realConnectionEnvironment(this.process.env, (text) => complain(this, text));
    const targets = checkTargets(flags, { config, world, line, version: POSEMO_VERSION });
    const fleet = await runFleet(targets, { concurrency: flags.concurrency ?? config?.concurrency ?? DEFAULT_CONCURRENCY });
    const text = render(this, flags, fleet);
    if (flags.output !== undefined) writeFileAtomically(flags.output, text);
    else this.process.stdout.write(text);
    this.process.exitCode = EXIT_CODES[fleetStatus(fleet)];
  });
}
