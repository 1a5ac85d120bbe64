/** `posemo check`: selects hosts and checks, runs them, renders the chosen format, exits with the Nagios code. @module */
import type { CliContext } from "../context.ts";
import { complain } from "../context.ts";
import type { CheckFlags } from "./check.ts";
import { writeFileAtomically } from "../atomic-write.ts";
import { checkTargets, commandLineChecks, fleetConcurrency } from "../../check/targets.ts";
import type { CheckDefinition } from "../../catalogue/definition.ts";
import { lateCustom, lateVerdict, runCatalogue } from "../custom-catalogue.ts";
import { learnDuringRun } from "../../check/targets.ts";
import { withCustomChecks } from "../../catalogue/custom.ts";
import { realConnectionEnvironment } from "../../config/environment.ts";
import { runFleet } from "../../check/fleet.ts";
import { fleetStatus } from "../../check/fleet-status.ts";
import { type FleetReport, STATUS_CODES } from "../../check/result.ts";
import { formatFleet } from "../../output/formats.ts";
import { formatList } from "../../output/list.ts";
import { colorWanted } from "../../output/text.ts";
import { POSEMO_VERSION } from "../../version.ts";

/** Colour only for people at a terminal: never into --output files or pipes. */
function render(
  context: CliContext,
  flags: CheckFlags,
  fleet: FleetReport,
  catalogue: readonly CheckDefinition[],
): string {
  const isTTY = flags.output === undefined && (context.process.stdout as { isTTY?: boolean }).isTTY;
  return formatFleet(flags.format, fleet, {
    posemoVersion: POSEMO_VERSION,
    color: colorWanted(isTTY, context.process.env),
    catalogue,
  });
}

export default async function check(this: CliContext, flags: CheckFlags): Promise<void> {
  const connectionEnv = realConnectionEnvironment(this.process.env, (text) => complain(this, text));
  const sources = { env: this.process.env, connectionEnv, version: POSEMO_VERSION, listing: flags.list };
  const known = await runCatalogue(flags, sources);
  const { catalogue, config } = known;
  if (flags.list) return void this.process.stdout.write(formatList(catalogue));
  const plan = (checks: readonly CheckDefinition[]) =>
    commandLineChecks(checks, flags.check, flags.warning, flags.critical, flags.arg, flags.column);
  // Until a host told its custom checks, -w/-c and --arg cannot be fitted to them: its own plan does that.
  const commandLine = known.late ? commandLineChecks(catalogue, flags.check) : plan(catalogue);
  const learnt = new Map<string, CheckDefinition>();
  const found = lateCustom();
  const targets = learnDuringRun(
    checkTargets(flags, { config, connectionEnv, commandLine, version: POSEMO_VERSION }),
    catalogue,
    learnt,
    known.late?.(plan, found),
  );
  const fleet = await runFleet(targets, { concurrency: fleetConcurrency(flags, config) });
  lateVerdict(flags, this.process.env, found);
  const text = render(this, flags, fleet, withCustomChecks(catalogue, [...found.learnt.values(), ...learnt.values()]));
  if (flags.output !== undefined) writeFileAtomically(flags.output, text);
  else this.process.stdout.write(text);
  this.process.exitCode = STATUS_CODES[fleetStatus(fleet)];
}
