import { describe, expect, test } from "bun:test";
import type { ConnectionSettings } from "../../src/db/settings.ts";
import { type FleetTarget, runFleet } from "../../src/check/fleet.ts";
import { fleetStatus, hostsByStatus } from "../../src/check/fleet-status.ts";
import type { RunOptions } from "../../src/check/run-options.ts";
import type { RunReport } from "../../src/check/result.ts";
import { fixtureCatalogue } from "../config/catalogue-fixture.ts";

const alive = fixtureCatalogue.filter((c) => c.name === "alive");
const options: RunOptions = {
  schema: "posemo",
  checks: alive,
  all: false,
  timeoutMs: 1000,
  version: "1",
  thresholds: () => ({}),
};

function settings(host: string): ConnectionSettings {
  return { host, port: 5432, user: "u", database: "d", sslmode: "disable", connectTimeoutMs: 1000 };
}

function targets(n: number): FleetTarget[] {
  return Array.from({ length: n }, (_, i) => ({ name: `db${i}`, group: "g", connection: settings(`h${i}`), options }));
}

/** A runner that records how many hosts run at once; each host finishes when released, in reverse order. */
function gatedRunner() {
  let running = 0;
  let peak = 0;
  const waiting: (() => void)[] = [];
  const run = async (s: ConnectionSettings): Promise<RunReport> => {
    running++;
    peak = Math.max(peak, running);
    await new Promise<void>((done) => waiting.push(done));
    running--;
    const status = s.host === "h1" ? "critical" : "ok";
    return {
      host: s.host,
      port: s.port,
      database: s.database,
      startedAt: new Date(),
      durationMs: 1,
      results: [{ name: "alive", description: "", status, message: status, measurements: [] }],
      skipped: [],
    };
  };
  const release = async () => {
    while (true) {
      await Bun.sleep(1);
      const next = waiting.pop();
      if (!next) return;
      next();
    }
  };
  return { run, release, peak: () => peak };
}

describe("runFleet()", () => {
  test("at most `concurrency` hosts run at once, and every host runs", async () => {
    const gate = gatedRunner();
    const fleet = runFleet(targets(7), { concurrency: 3, run: gate.run });
    await gate.release();
    const report = await fleet;
    expect(gate.peak()).toBe(3);
    expect(report.hosts).toHaveLength(7);
  });

  test("hosts keep the targets' order whatever order they finish in; names and groups are kept", async () => {
    const gate = gatedRunner();
    const fleet = runFleet(targets(5), { concurrency: 5, run: gate.run });
    await gate.release();
    const report = await fleet;
    expect(gate.peak()).toBe(5);
    expect(report.hosts.map((h) => [h.name, h.group, h.report.host])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [`db${i}`, "g", `h${i}`]),
    );
  });

  test("the fleet's state is the worst host's; hosts are counted by state", async () => {
    const gate = gatedRunner();
    const fleet = runFleet(targets(3), { run: gate.run });
    await gate.release();
    const report = await fleet;
    expect(fleetStatus(report)).toBe("critical");
    expect(hostsByStatus(report)).toEqual({ ok: ["db0", "db2"], warning: [], critical: ["db1"], unknown: [] });
  });

  test("a host whose connection could not be resolved is not contacted: every check UNKNOWN with the reason", async () => {
    let calls = 0;
    const run = async (): Promise<RunReport> => {
      calls++;
      throw new Error("must not be called");
    };
    const problem = {
      problem: 'Cannot read password file "/x": no such file',
      host: "db9",
      port: 5432,
      database: "posemo",
    };
    const report = await runFleet([{ name: "db9", connection: problem, options }], { run });
    expect(calls).toBe(0);
    expect(report.hosts[0]!.report.results).toEqual([{
      name: "alive",
      description: alive[0]!.description,
      status: "unknown",
      message: 'not run: Cannot read password file "/x": no such file',
      error: 'not run: Cannot read password file "/x": no such file',
      measurements: [],
    }]);
  });

  test("no targets: an empty fleet, OK", async () => {
    const report = await runFleet([]);
    expect(report.hosts).toEqual([]);
    expect(fleetStatus(report)).toBe("ok");
  });
});
