/**
 * Names from the server made safe by each format's own rules (issue 9), with real objects in a real
 * cluster: databases called `!TOTAL` (the summary rows' title) and `app/public.t` (how a database-scope
 * row of table public.t in database app is titled), names with a newline, `|`, `'`, `=`, `"`, a
 * backslash, an escape sequence, unicode and 63 bytes, and an application_name with a newline. Each
 * format is read by its consumer's rules: the Nagios plugin grammar (one first line, strict
 * perfdata, unique labels), Checkmk's local-check grammar, promtool and unique series, the real
 * zabbix_sender (every line accepted by a stand-in trapper), JSON (names round-trip), text (no
 * control character reaches the terminal).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { type CliOutcome, connectionArgs, runCli } from "../harness/cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";
import { type FakeTrapper, startFakeTrapper } from "../harness/fake-zabbix-trapper.ts";
import { assertCheckmkOutput, parseLocalLine } from "../output/checkmk-syntax.ts";
import { parseExposition } from "../output/exposition-syntax.ts";
import { PERF_ITEM, perfItems } from "../output/perfdata-syntax.ts";
import { posemoExecutable, requireTool, runTool, scratchDir, shell } from "./tools.ts";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const promtool = requireTool("promtool", "prometheus");
const sender = requireTool("zabbix_sender", "zabbix-agent");
const nagios = requireTool("nagios4", "nagios4-core");

const LONG = "l".repeat(49) + "é"; // with "dätenbänk ", 63 bytes: the longest name PostgreSQL keeps
const DATABASES = [
  "!TOTAL",
  "app/public.t",
  "app",
  "new\nline db",
  `quote's "db" = | x\\`,
  `quote_s "db" _ _ x\\`, // what the one above became when Nagios labels mapped ', = and | to _
  `quote_s _db_ = | x\\`, // and what it became when Checkmk service names mapped ' and " to _
  "esc\u001b[31mred",
  `dätenbänk ${LONG}`,
];
const SEQUENCES = ["t", "seq\nwith|pipe'and=eq", "!TOTAL"];
const CHECKS = "db_size,sequences,xid_wraparound,cache_hit_ratio,idle_in_transaction";

let cluster: Cluster;
let trapper: FakeTrapper;
let idle: postgres.Sql;
const scratch = scratchDir("hostile");

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

beforeAll(async () => {
  cluster = await startCluster();
  for (const db of DATABASES) await cluster.exec(`CREATE DATABASE ${ident(db)}`);
  await cluster.exec(SEQUENCES.map((s) => `CREATE SEQUENCE public.${ident(s)};`).join(""), "app");
  const out = await runCli(["install", ...connectionArgs(cluster, "postgres"), "--create-database"]);
  if (out.exitCode !== 0) throw new Error(`posemo install failed: ${out.stderr}`);
  await cluster.exec("GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO posemo_admin", "app");
  // The server shows application_name's non-printable characters as "?" (\xNN from 18); a database name keeps them.
  idle = postgres({
    host: cluster.host,
    port: cluster.port,
    user: "postgres",
    database: "esc\u001b[31mred",
    max: 1,
    connection: { application_name: "evil\nline\\n |x\u001b[31m" },
  });
  await idle.unsafe("BEGIN");
  trapper = await startFakeTrapper();
}, 90_000);

afterAll(async () => {
  await idle?.end({ timeout: 1 });
  await cluster?.stop();
  await trapper?.close();
  scratch.cleanup();
});

function run(format: string): Promise<CliOutcome> {
  return runCli(["check", ...connectionArgs(cluster, "posemo", "posemo"), "--check", CHECKS, "--format", format]);
}

describe("hostile names, per format", () => {
  test(
    "the rows exist as the server names them (JSON round-trips them, and keeps !TOTAL and app/public.t apart)",
    async () => {
      const doc = JSON.parse((await run("json")).stdout) as {
        hosts: { checks: { name: string; values: { row?: string; label: string }[] }[] }[];
      };
      const checks = doc.hosts[0]!.checks;
      const dbRows = new Set(checks.find((c) => c.name === "db_size")!.values.map((v) => v.row));
      for (const db of DATABASES) expect(dbRows.has(db.startsWith("!") ? `!${db}` : db)).toBe(true);
      expect(dbRows.has("!TOTAL")).toBe(true);
      const seqRows = new Set(checks.find((c) => c.name === "sequences")!.values.map((v) => v.row));
      expect(seqRows.has("app")).toBe(true);
      expect(seqRows.has("app/public.t")).toBe(true);
      expect(seqRows.has("app\\/public.t")).toBe(true);
      for (const c of checks) expect(new Set(c.values.map((v) => v.label)).size).toBe(c.values.length);
    },
    30_000,
  );

  test("Nagios: one first line with strict perfdata and unique labels; every other line is a check line", async () => {
    const out = await run("nagios");
    const [first, ...rest] = out.stdout.trimEnd().split("\n");
    const match = /^POSEMO (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]*) \| (.+)$/.exec(first!);
    expect(match).not.toBeNull();
    const items = perfItems(match![3]!);
    for (const item of items) expect(item).toMatch(PERF_ITEM);
    const labels = items.map((i) => i.slice(0, i.indexOf("'=") + 1));
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels).toContain("'db_size.!TOTAL'");
    expect(labels).toContain("'db_size.!!TOTAL'");
    expect(labels).toContain("'db_size.new\\x0aline db'");
    // deno-lint-ignore no-control-regex
    for (const line of rest) expect(line).toMatch(/^(OK|WARNING|CRITICAL|UNKNOWN) [a-z_]+: [^\x00-\x1f\x7f|]*$/);
  }, 30_000);

  test.skipIf(!nagios)(
    "Nagios: the real nagios4 runs the check and keeps the first line, every perfdata label and the check lines apart",
    async () => {
      const status = await nagiosServiceStatus(
        `${
          posemoExecutable(scratch.dir)
        } check -H '${cluster.host}' -p ${cluster.port} -U posemo -d posemo --check ${CHECKS}`,
      );
      expect(status.plugin_output).toMatch(/^POSEMO (OK|WARNING|CRITICAL|UNKNOWN) - 5 checks: /);
      const items = perfItems(status.performance_data!);
      for (const item of items) expect(item).toMatch(PERF_ITEM);
      const labels = items.map((i) => i.slice(0, i.indexOf("'=") + 1));
      expect(new Set(labels).size).toBe(labels.length);
      expect(labels).toContain(String.raw`'db_size.quote\x27s "db" \x3d \x7c x\x5c'`);
      expect(labels).toContain(String.raw`'db_size.quote_s "db" _ _ x\x5c'`);
      expect(items).toContainEqual(expect.stringMatching(/^'db_size\.new\\x0aline db'=\d+B(;|$)/));
      expect(items).toContainEqual(expect.stringMatching(/^'db_size\.!!TOTAL'=\d+B(;|$)/));
      expect(status.long_plugin_output!.split("\\n").map((l) => l.split(":")[0])).toEqual(
        ["OK cache_hit_ratio", "OK db_size", "OK idle_in_transaction", "OK sequences", "OK xid_wraparound"].map((l) =>
          expect.stringMatching(new RegExp(`^[A-Z]+ ${l.split(" ")[1]}$`))
        ),
      );
    },
    60_000,
  );

  test(
    "Checkmk: every line in the local-check grammar, unique services, app/public.t its own database service, no name starts details",
    async () => {
      const out = await runCli([
        "check",
        ...connectionArgs(cluster, "posemo", "posemo"),
        "--check",
        "idle_in_transaction",
        "--format",
        "checkmk",
        "-w",
        "0",
      ]);
      assertCheckmkOutput(out.stdout);
      const idleLine = parseLocalLine(
        out.stdout.split("\n").find((l) => l.includes('"PostgreSQL idle_in_transaction"'))!,
      );
      expect(idleLine.state).toBe(1);
      expect(idleLine.text).not.toContain("\\n");
      // The server shows application_name's control characters as "?" (as \xNN from 18); a literal backslash-n stays one.
      expect(idleLine.text).toMatch(/postgres@esc\\x1b\[31mred \(evil(\?|\\x5cx0a)line\\x5cn \|x(\?|\\x5cx1b)\[31m\)/);
      const all = await run("checkmk");
      assertCheckmkOutput(all.stdout);
      const services = all.stdout.split("\n").filter((l) => /^[0-3] "/.test(l)).map((l) => parseLocalLine(l).service);
      expect(new Set(services).size).toBe(services.length);
      expect(services).toContain("PostgreSQL sequences app/public.t");
      expect(services).toContain("PostgreSQL sequences app");
    },
    30_000,
  );

  test.skipIf(!promtool)("Prometheus: promtool accepts it and no two samples share a series", async () => {
    const out = await run("prometheus");
    const checked = runTool(promtool!, ["check", "metrics"], out.stdout);
    expect({ exit: checked.exitCode, says: checked.stdout + checked.stderr }).toEqual({ exit: 0, says: "" });
    const sampleLines = out.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    expect(parseExposition(out.stdout).samples.size).toBe(sampleLines.length);
    expect(out.stdout).toContain('database="!TOTAL"');
    expect(out.stdout).toContain('database="!!TOTAL"');
    expect(out.stdout).toContain('database="new\\nline db"');
  }, 30_000);

  test.skipIf(!sender)("Zabbix: the real zabbix_sender sends every line, none refused", async () => {
    const posemo = posemoExecutable(scratch.dir);
    const before = trapper.received.length;
    const command =
      `${posemo} check -H '${cluster.host}' -p ${cluster.port} -U posemo -d posemo --check ${CHECKS} --format zabbix | zabbix_sender -z 127.0.0.1 -p ${trapper.port} -s db1 -i -`;
    const out = await shell(command, { env: { HOME: scratch.dir } });
    expect(out.stdout).toMatch(/sent: (\d+); skipped: 0; total: \1/);
    expect(out.exitCode).toBe(0);
    const keys = trapper.received.slice(before).map((v) => v.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toContain('posemo.value["db_size","new\\x0aline db","size"]');
    expect(keys).toContain('posemo.value["db_size","quote\'s \\"db\\" = | x\\x5c","size"]');
  }, 30_000);

  test("text: no control character reaches the terminal", async () => {
    const out = await runCli([
      "check",
      ...connectionArgs(cluster, "posemo", "posemo"),
      "--check",
      "idle_in_transaction",
      "--format",
      "text",
      "-w",
      "0",
    ]);
    expect(out.stdout).toMatch(/postgres@esc\\x1b\[31mred \(evil(\?|\\x0a)line\\n \|x(\?|\\x1b)\[31m\)/);
    // deno-lint-ignore no-control-regex
    expect(out.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
  }, 30_000);
});

/**
 * Runs the real nagios4 daemon (as root it needs nagios_user=root) with one service whose command
 * is `command`, until the service has been checked once; returns its servicestatus fields.
 */
async function nagiosServiceStatus(command: string): Promise<Record<string, string>> {
  const dir = join(scratch.dir, "nagios");
  mkdirSync(join(dir, "checkresults"), { recursive: true });
  const always = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"].map((d) =>
    `  ${d} 00:00-24:00`
  ).join("\n");
  const block = (type: string, fields: string[]) => `define ${type} {\n${fields.map((f) => `  ${f}`).join("\n")}\n}\n`;
  writeFileSync(
    join(dir, "objects.cfg"),
    [
      `define timeperiod {\n  timeperiod_name 24x7\n  alias 24x7\n${always}\n}\n`,
      block("command", ["command_name dummy", "command_line /bin/true"]),
      block("command", ["command_name posemo_check", `command_line ${command}`]),
      block("contact", [
        "contact_name nobody",
        "host_notifications_enabled 0",
        "service_notifications_enabled 0",
        "host_notification_period 24x7",
        "service_notification_period 24x7",
        "host_notification_options n",
        "service_notification_options n",
        "host_notification_commands dummy",
        "service_notification_commands dummy",
      ]),
      block("host", [
        "host_name db1",
        "address 127.0.0.1",
        "max_check_attempts 1",
        "check_period 24x7",
        "contacts nobody",
        "notification_interval 0",
        "notification_period 24x7",
      ]),
      block("service", [
        "host_name db1",
        "service_description PostgreSQL",
        "check_command posemo_check",
        "max_check_attempts 1",
        "check_interval 60",
        "retry_interval 60",
        "check_period 24x7",
        "contacts nobody",
        "notification_interval 0",
        "notification_period 24x7",
      ]),
    ].join(""),
  );
  const settings = {
    log_file: "nagios.log",
    cfg_file: "objects.cfg",
    status_file: "status.dat",
    temp_file: "nagios.tmp",
    lock_file: "nagios.lock",
    check_result_path: "checkresults",
    object_cache_file: "objects.cache",
    precached_object_file: "objects.precache",
    state_retention_file: "retention.dat",
  };
  const lines = [
    ...Object.entries(settings).map(([k, v]) => `${k}=${join(dir, v)}`),
    `temp_path=${dir}`,
    "status_update_interval=1",
    "retain_state_information=0",
    "nagios_user=root",
    "nagios_group=root",
    "check_external_commands=0",
    "interval_length=1",
    "service_inter_check_delay_method=n",
    "host_inter_check_delay_method=n",
    "max_service_check_spread=1",
    "check_result_reaper_frequency=1",
  ];
  writeFileSync(join(dir, "nagios.cfg"), lines.join("\n") + "\n");
  const daemon = spawn(nagios!, [join(dir, "nagios.cfg")], { stdio: "ignore" });
  try {
    for (let i = 0; i < 400; i++) {
      const fields = serviceStatus(join(dir, "status.dat"));
      if (fields?.has_been_checked === "1") return fields;
      await Bun.sleep(50);
    }
    throw new Error(
      `nagios4 did not check the service: ${
        existsSync(join(dir, "nagios.log")) ? readFileSync(join(dir, "nagios.log"), "utf8") : "(no log)"
      }`,
    );
  } finally {
    daemon.kill("SIGTERM");
  }
}

function serviceStatus(path: string): Record<string, string> | undefined {
  if (!existsSync(path)) return undefined;
  const block = /servicestatus \{\n([\s\S]*?)\n\t\}/.exec(readFileSync(path, "utf8"));
  if (!block) return undefined;
  return Object.fromEntries(
    block[1]!.split("\n").map((l) => l.trim()).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}
