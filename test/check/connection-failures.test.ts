/**
 * How `posemo check` words a server that will not serve it, through the real CLI against a real
 * cluster: a server that refuses service or goes away is down for its users (alive CRITICAL, in
 * libpq's words); a monitoring set-up problem is UNKNOWN naming the fix. On PostgreSQL 16+ the
 * monitoring role gets in through reserved_connections when every ordinary slot is taken.
 * The cluster is shut down by the last tests, so they run in this order.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createConnection, createServer, type Socket } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { type CliOutcome, connectionArgs, runCli } from "../harness/cli.ts";
import { spawnCli } from "../harness/spawn-cli.ts";
import { type Cluster, startCluster } from "../../dev/cluster.ts";

interface JsonCheck {
  name: string;
  status: string;
  message: string;
  values: { label: string; value: number | boolean | null }[];
}

let cluster: Cluster;
let scratch: string;
const ORDINARY_ROLES = "postgres,posemo,app,ghost";
const reserved = () => cluster.major >= 16;

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "posemo-conn-"));
  cluster = await startCluster({
    settings: { max_connections: 10, superuser_reserved_connections: 1 },
    // pwrole and expired need a password; "rejected" meets a reject line; "nohba" matches no line; every other role is trusted.
    hba: `local all rejected reject\nlocal all pwrole,expired scram-sha-256\nlocal all ${ORDINARY_ROLES} trust\n`,
  });
  if (reserved()) {
    await cluster.exec("ALTER SYSTEM SET reserved_connections = 2");
    await cluster.restart();
  }
  const out = await runCli(["install", ...connectionArgs(cluster, "postgres"), "--create-database"]);
  if (out.exitCode !== 0) throw new Error(`posemo install failed: ${out.stderr}`);
  await cluster.exec("CREATE ROLE app LOGIN; CREATE ROLE pwrole LOGIN PASSWORD 'right'; CREATE ROLE nohba LOGIN");
  await cluster.exec("CREATE ROLE rejected LOGIN; CREATE ROLE expired LOGIN PASSWORD 'right' VALID UNTIL '2000-01-01'");
  await cluster.exec("CREATE DATABASE locked");
  await cluster.exec("REVOKE CONNECT ON DATABASE locked FROM PUBLIC");
  writeFileSync(join(scratch, "wrong"), "wrong\n", { mode: 0o600 });
  writeFileSync(join(scratch, "right"), "right\n", { mode: 0o600 });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function checks(out: CliOutcome): JsonCheck[] {
  return (JSON.parse(out.stdout) as { hosts: { checks: JsonCheck[] }[] }).hosts[0]!.checks;
}

function byName(out: CliOutcome, name: string): JsonCheck {
  return checks(out).find((c) => c.name === name)!;
}

function check(user: string, database: string, ...args: string[]): Promise<CliOutcome> {
  return runCli(["check", ...connectionArgs(cluster, user, database), "--format", "json", ...args]);
}

/** Opens sessions as `app` until the server refuses one (53300); they stay open until `close`. */
async function takeEveryOrdinarySlot(): Promise<{ taken: number; close: () => Promise<void> }> {
  const held: postgres.Sql[] = [];
  for (;;) {
    const sql = postgres({
      host: cluster.host,
      port: cluster.port,
      user: "app",
      database: "postgres",
      max: 1,
      onnotice: () => {},
    });
    const refused = await sql`SELECT 1`.then(() => false, (e: { code?: string }) => e.code === "53300");
    if (refused) {
      await sql.end({ timeout: 1 });
      break;
    }
    held.push(sql);
  }
  return { taken: held.length, close: async () => void (await Promise.all(held.map((s) => s.end({ timeout: 1 })))) };
}

describe("a monitoring set-up problem is UNKNOWN naming the fix (alive included), never CRITICAL", () => {
  test.each([
    [
      "a wrong password (28P01)",
      "pwrole",
      "posemo",
      ["--password-file", "WRONG"],
      'password authentication failed for user "pwrole": give the monitoring role\'s password with --password-file, PGPASSWORD or ~/.pgpass',
    ],
    [
      "the right password past its VALID UNTIL (28P01)",
      "expired",
      "posemo",
      ["--password-file", "RIGHT"],
      "a password past its VALID UNTIL fails the same way",
    ],
    ["no pg_hba.conf line (28000)", "nohba", "posemo", [], "no pg_hba.conf entry"],
    [
      "a pg_hba.conf reject line (28000)",
      "rejected",
      "posemo",
      [],
      "a reject line in pg_hba.conf matches the monitoring role from this host: put a line allowing it above that one",
    ],
    ["no such role (28000)", "ghost", "posemo", [], 'role "ghost" does not exist: pass -U with the monitoring role'],
    [
      "no such database (3D000)",
      "posemo",
      "nope",
      [],
      'database "nope" does not exist: pass -d with the database posemo is installed in',
    ],
    [
      "no CONNECT on the database (42501)",
      "posemo",
      "locked",
      [],
      'permission denied for database "locked": the monitoring role needs CONNECT on the database',
    ],
  ])("%s", async (_, user, database, extra, expected) => {
    const args = extra.map((
      a,
    ) => (a === "WRONG" ? join(scratch, "wrong") : a === "RIGHT" ? join(scratch, "right") : a));
    const out = await check(user, database, "--check", "alive,connection_limit", ...args);
    expect(out.exitCode).toBe(3);
    for (const c of checks(out)) {
      expect({ name: c.name, status: c.status }).toEqual({ name: c.name, status: "unknown" });
      expect(c.message).toContain(expected);
    }
    if (expected === "no pg_hba.conf entry") {
      expect(byName(out, "alive").message).toContain("add a pg_hba.conf line for the monitoring role");
    }
  });
});

describe("the server refusing service makes alive CRITICAL", () => {
  test(
    "every ordinary slot taken: on 16+ posemo still gets in (reserved_connections) and connection_limit is 100% CRITICAL; before 16 alive is CRITICAL (53300)",
    async () => {
      const slots = await takeEveryOrdinarySlot();
      try {
        const out = await check("posemo", "posemo", "--check", "alive,connection_limit");
        expect(out.exitCode).toBe(2);
        if (reserved()) {
          expect(byName(out, "alive").status).toBe("ok");
          const limit = byName(out, "connection_limit");
          expect(limit.status).toBe("critical");
          expect(limit.values.find((v) => v.label === "connection_limit.connection_limit")!.value).toBe(100);
          expect(limit.values.find((v) => v.label === "connection_limit.connections")!.value).toBe(slots.taken);
        } else {
          expect(byName(out, "alive")).toMatchObject({
            status: "critical",
            message: expect.stringMatching(
              /^the server refuses connections: remaining connection slots are reserved for/,
            ),
          });
          expect(byName(out, "connection_limit")).toMatchObject({
            status: "unknown",
            message: expect.stringContaining("not run: the server refuses connections"),
          });
        }
      } finally {
        await slots.close();
      }
    },
    30_000,
  );

  test("the session ended by the server mid-run (57P01): alive CRITICAL saying so", async () => {
    const admin = cluster.sql("posemo");
    const out = await admin.begin(async (tx) => {
      await tx.unsafe("LOCK TABLE posemo.posemo_checks IN ACCESS EXCLUSIVE MODE");
      const running = check("posemo", "posemo", "--check", "alive,connection_limit", "-t", "20");
      let ended = 0;
      for (let i = 0; i < 200 && ended === 0; i++) {
        const rows = await cluster.exec(
          "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = 'posemo' AND wait_event_type = 'Lock'",
        );
        ended = rows.length;
        if (ended === 0) await Bun.sleep(25);
      }
      expect(ended).toBe(1);
      return running;
    });
    await admin.end();
    expect(out.exitCode).toBe(2);
    // postgres.js may see the socket close before it reads the server's FATAL message: either is libpq's wording.
    expect(byName(out, "alive")).toMatchObject({
      status: "critical",
      message: expect.stringMatching(
        /^connection lost: (terminating connection due to administrator command|server closed the connection unexpectedly)$/,
      ),
    });
    expect(byName(out, "connection_limit").status).toBe("unknown");
  }, 30_000);

  test("a server that freezes after the login: alive CRITICAL when the run's deadline passes", async () => {
    const frozen = await freezingProxy(cluster);
    try {
      const out = await spawnCli([
        "check",
        "--dsn",
        `postgres://posemo@127.0.0.1:${frozen.port}/posemo?sslmode=disable`,
        "--connect-timeout",
        "1",
        "-t",
        "1",
        "--check",
        "alive,connection_limit",
      ], { timeoutMs: 30_000 });
      expect(frozen.loggedIn()).toBe(true);
      expect(out.exitCode).toBe(2);
      expect(out.stdout).toContain("CRITICAL alive: the server stopped answering: no answer within 4 s");
      expect(out.stdout).toContain("UNKNOWN connection_limit: the server stopped answering");
    } finally {
      frozen.close();
    }
  }, 40_000);

  test("a server shutting down (57P03): alive CRITICAL in the server's words", async () => {
    const held = cluster.sql("postgres");
    await held`SELECT 1`;
    // A smart shutdown waits for the held session; meanwhile the server refuses every new one. The
    // program reads the row first: one that exits before COPY writes it fails the COPY with a broken
    // pipe (seen under load).
    await cluster.exec("COPY (SELECT 1) TO PROGRAM 'cat >/dev/null; kill -TERM $(head -1 postmaster.pid)'");
    let out: CliOutcome | undefined;
    try {
      for (let i = 0; i < 100; i++) {
        out = await check("posemo", "posemo", "--check", "alive,connection_limit");
        if (byName(out, "alive").status !== "ok") break;
        await Bun.sleep(50);
      }
    } finally {
      await held.end({ timeout: 1 });
    }
    expect(byName(out!, "alive")).toMatchObject({
      status: "critical",
      message: "the server refuses connections: the database system is shutting down",
    });
    expect(out!.exitCode).toBe(2);
  }, 30_000);

  test("no server on the socket any more: alive CRITICAL saying what libpq says, not connect ENOENT", async () => {
    for (
      let i = 0;
      i < 200 && !(await check("posemo", "posemo", "--check", "alive")).stdout.includes("no server running");
      i++
    ) await Bun.sleep(50);
    const out = await check("posemo", "posemo", "--check", "alive,connection_limit");
    expect(out.exitCode).toBe(2);
    const socket = join(cluster.host, ".s.PGSQL.5432");
    expect(byName(out, "alive")).toMatchObject({
      status: "critical",
      message: `cannot connect: no server running on socket "${socket}" (the socket file does not exist)`,
    });
    expect(out.stdout).not.toContain("ENOENT");
  }, 30_000);
});

/**
 * A TCP proxy to the cluster's socket that passes the login through and then forwards nothing
 * more: a server that froze after accepting the session.
 */
async function freezingProxy(target: Cluster): Promise<{ port: number; loggedIn: () => boolean; close: () => void }> {
  const sockets: Socket[] = [];
  let ready = false;
  const server = createServer((client) => {
    const upstream = createConnection(join(target.host, `.s.PGSQL.${target.port}`));
    sockets.push(client, upstream);
    let pending = Buffer.alloc(0);
    upstream.on("data", (chunk: Buffer) => {
      if (ready) return;
      client.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5) {
        const length = pending.readUInt32BE(1);
        if (pending.length < 1 + length) break;
        if (pending[0] === 0x5a) ready = true; // ReadyForQuery: logged in
        pending = pending.subarray(1 + length);
      }
    });
    client.on("data", (chunk: Buffer) => void (ready ? undefined : upstream.write(chunk)));
    client.on("error", () => {});
    upstream.on("error", () => {});
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return {
    port: (server.address() as { port: number }).port,
    loggedIn: () => ready,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
