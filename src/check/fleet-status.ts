/**
 * States of hosts and fleets, for every output format: a host's state is its worst check, a fleet's
 * its worst host (what `check` exits with). Pure.
 * @module
 */
import { type FleetReport, type HostReport, overallStatus, type Status, worse } from "./result.ts";

/** Severity order for listing, worst first. */
export const STATUS_ORDER: readonly Status[] = ["critical", "warning", "unknown", "ok"];

/** The worst check of one host (ok when it ran none). */
export function hostStatus(host: HostReport): Status {
  return overallStatus(host.report.results);
}

/** The worst host of a fleet. */
export function fleetStatus(fleet: FleetReport): Status {
  return fleet.hosts.reduce<Status>((acc, h) => worse(acc, hostStatus(h)), "ok");
}

/** Host names per state, in fleet order. */
export function hostsByStatus(fleet: FleetReport): Readonly<Record<Status, readonly string[]>> {
  const out: Record<Status, string[]> = { ok: [], warning: [], critical: [], unknown: [] };
  for (const host of fleet.hosts) out[hostStatus(host)].push(host.name);
  return out;
}
