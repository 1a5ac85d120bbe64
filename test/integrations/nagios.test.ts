/**
 * Nagios 4 and the README: `nagios4 -v` accepts every block of object definitions in README.md
 * (loaded after Debian's sample templates, as on a real installation), and every service's
 * check_command, with its macros filled in as Nagios fills them, returns the expected state and
 * output against a real throwaway cluster with posemo installed, and against a dead one.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Cluster } from "../../dev/cluster.ts";
import { PERF_ITEM, perfItems } from "../output/perfdata-syntax.ts";
import { type CodeBlock, readmeBlocks, readmeExample } from "./readme-examples.ts";
import { requireTool, runTool, shell, withInstalledPosemo } from "./tools.ts";

const nagios = requireTool("nagios4", "nagios4-core");
const DEBIAN_OBJECTS = ["commands.cfg", "contacts.cfg", "timeperiods.cfg", "templates.cfg"].map((f) =>
  `/etc/nagios4/objects/${f}`
);

/** One `define <type> { key value }` object. */
type NagiosObject = { readonly type: string; readonly fields: Readonly<Record<string, string>> };

function parseObjects(text: string): NagiosObject[] {
  const objects: NagiosObject[] = [];
  for (const match of text.matchAll(/define\s+(\w+)\s*\{([^}]*)\}/g)) {
    const fields = Object.fromEntries(
      match[2]!.split("\n").map((l) => l.trim()).filter(Boolean).map((l) => {
        const [key, ...rest] = l.split(/\s+/);
        return [key!, rest.join(" ")];
      }),
    );
    objects.push({ type: match[1]!, fields });
  }
  return objects;
}

/** Expands the macros Nagios fills in for a service check; an unknown macro fails the test. */
function expand(commandLine: string, macros: Readonly<Record<string, string>>): string {
  return commandLine.replace(/\$([A-Z0-9_]+)\$/g, (whole, name: string) => {
    if (!(name in macros)) throw new Error(`macro ${whole} is not filled in by this test`);
    return macros[name]!;
  });
}

/** The command line Nagios runs for a service, with the test's posemo and the host's address. */
function serviceCommand(
  objects: readonly NagiosObject[],
  service: NagiosObject,
  address: string,
  posemo: string,
): string {
  const [name, ...args] = service.fields.check_command!.split("!");
  const command = objects.find((o) => o.type === "command" && o.fields.command_name === name);
  if (!command) throw new Error(`service "${service.fields.service_description}" uses an undefined command ${name}`);
  const macros: Record<string, string> = { HOSTADDRESS: address };
  for (let i = 1; i <= 32; i++) macros[`ARG${i}`] = args[i - 1] ?? "";
  return expand(command.fields.command_line!, macros).replaceAll("/usr/local/bin/posemo", posemo);
}

let cluster: Cluster;
let posemo: string;

const scratch = withInstalledPosemo("nagios", (installed) => ({ cluster, posemo } = installed));

/** Hosts a block's services use but the block does not define: the reader's existing hosts. */
function existingHosts(objects: string): string {
  const parsed = parseObjects(objects);
  const missing = new Set(
    parsed.filter((o) => o.type === "service").map((o) => o.fields.host_name!).filter((h) =>
      !parsed.some((o) => o.type === "host" && o.fields.host_name === h)
    ),
  );
  return [...missing].map((h) =>
    `define host {\n    use        linux-server\n    host_name  ${h}\n    address    127.0.0.1\n}\n`
  ).join("");
}

/**
 * nagios4 -v on Debian's sample objects, stand-ins for what a real installation already has (the
 * monitoring-plugins' host check, hosts the block only refers to), and `objects`.
 */
function verify(objects: string, name: string) {
  const file = join(scratch.dir, `${name}.cfg`);
  writeFileSync(file, objects);
  const stub = join(scratch.dir, `${name}-existing.cfg`);
  writeFileSync(
    stub,
    "define command {\n    command_name  check-host-alive\n    command_line  /bin/true\n}\n" + existingHosts(objects),
  );
  const main = join(scratch.dir, `${name}-nagios.cfg`);
  writeFileSync(
    main,
    [...DEBIAN_OBJECTS, stub, file].map((f) => `cfg_file=${f}`).join("\n") +
      "\nillegal_macro_output_chars=`~$&|'\"<>\n",
  );
  return runTool(nagios!, ["-v", main]);
}

const nagiosBlocks = (): CodeBlock[] => readmeBlocks().filter((b) => b.body.includes("define command"));

describe.skipIf(!nagios)("Nagios 4 (nagios4 -v)", () => {
  test("accepts every block of object definitions in the README, without warnings", () => {
    const blocks = nagiosBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) {
      const out = verify(block.body, `readme-${block.line}`);
      if (out.exitCode !== 0) throw new Error(`README.md:${block.line}: nagios4 -v failed:\n${out.stdout}`);
      expect(out.stdout).toContain("Total Warnings: 0");
      expect(out.stdout).toContain("Total Errors:   0");
    }
  });

  test("refuses a broken definition (the verification can fail)", () => {
    const broken = readmeExample("nagios-objects").body.replace("check_posemo!alive", "check_posemo_typo!alive");
    const out = verify(broken, "broken");
    expect(out.exitCode).not.toBe(0);
    expect(out.stdout).toContain("check_posemo_typo");
  });
});

describe("Nagios commands run as Nagios runs them", () => {
  const objects = () => parseObjects(readmeExample("nagios-objects").body);
  const service = (description: string) => {
    const found = objects().find((o) => o.type === "service" && o.fields.service_description === description);
    if (!found) throw new Error(`README has no service "${description}"`);
    return found;
  };
  const run = (description: string, address: string) =>
    shell(serviceCommand(objects(), service(description), address, posemo), {
      env: { HOME: join(scratch.dir, "home") },
    });

  test("every service's host is defined and every check_command names a defined command", () => {
    const all = objects();
    for (const s of all.filter((o) => o.type === "service")) {
      expect(all.some((o) => o.type === "host" && o.fields.host_name === s.fields.host_name)).toBe(true);
      expect(serviceCommand(all, s, "h", posemo)).toStartWith(`${posemo} check `);
    }
  });

  test("PostgreSQL alive: OK, exit 0, perfdata alive=1", async () => {
    const out = await run("PostgreSQL alive", cluster.host);
    expect([out.exitCode, out.stdout]).toEqual([0, "POSEMO OK - alive: alive true | 'alive'=1\n"]);
  }, 30_000);

  test("PostgreSQL connections: OK with the service's -w 75 -c 90 in the perfdata", async () => {
    const out = await run("PostgreSQL connections", cluster.host);
    expect(out.exitCode).toBe(0);
    const [head, perf] = out.stdout.trimEnd().split(" | ");
    expect(head).toMatch(/^POSEMO OK - connection_limit: connection_limit [\d.]+%/);
    expect(perfItems(perf!).find((p) => p.startsWith("'connection_limit.connection_limit'="))).toMatch(
      /%;75;90;0;100$/,
    );
  }, 30_000);

  test("PostgreSQL (every check): the exit code is the worst state of the checks, strict perfdata", async () => {
    const out = await run("PostgreSQL", cluster.host);
    const [first, ...rest] = out.stdout.trimEnd().split("\n");
    const match = /^POSEMO (OK|WARNING|CRITICAL|UNKNOWN) - \d+ checks: [^|]+ \| (.+)$/.exec(first!);
    if (!match) throw new Error(`unexpected first line: ${first}`);
    for (const item of perfItems(match[2]!)) expect(item).toMatch(PERF_ITEM);
    const states = rest.filter((l) => !l.startsWith("skipped")).map((l) => l.split(" ")[0]!);
    const worst = ["CRITICAL", "WARNING", "UNKNOWN", "OK"].find((s) => states.includes(s));
    expect(match[1]).toBe(worst!);
    expect(out.exitCode).toBe({ OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 }[match[1]!]!);
  }, 30_000);

  test(
    "a server that is down: alive CRITICAL (2), another single check UNKNOWN (3), the service of every check CRITICAL (2)",
    async () => {
      const dead = join(scratch.dir, "no-server");
      mkdirSync(dead, { recursive: true });
      const alive = await run("PostgreSQL alive", dead);
      expect(alive.exitCode).toBe(2);
      expect(alive.stdout).toStartWith("POSEMO CRITICAL - alive: cannot connect");
      const connections = await run("PostgreSQL connections", dead);
      expect(connections.exitCode).toBe(3);
      expect(connections.stdout).toStartWith("POSEMO UNKNOWN - connection_limit: not run: cannot connect");
      expect((await run("PostgreSQL", dead)).exitCode).toBe(2);
    },
    30_000,
  );
});
