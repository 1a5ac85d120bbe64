import { describe, expect, test } from "bun:test";
import type { ConnectionFlags } from "../../src/config/connection.ts";
import { UserError } from "../../src/errors.ts";
import { type ConnectionEnvironment, describeConnection, resolveConnection } from "../../src/config/connection.ts";
import { runCli } from "../harness/cli.ts";

interface FakeFile {
  readonly text: string;
  readonly mode?: number;
}

function fakeEnvironment(
  options: { env?: Record<string, string>; files?: Record<string, FakeFile>; sockets?: string[] } = {},
) {
  const warnings: string[] = [];
  const files = options.files ?? {};
  const env: ConnectionEnvironment = {
    env: options.env ?? {},
    osUser: "osuser",
    homeDir: "/home/osuser",
    readFile: (path) => files[path]?.text,
    fileMode: (path) => (files[path] ? (files[path]!.mode ?? 0o600) : undefined),
    exists: (path) => (options.sockets ?? []).includes(path),
    warn: (line) => warnings.push(line),
  };
  return { env, warnings };
}

function resolve(flags: ConnectionFlags, w = fakeEnvironment(), defaults: { database?: string } = {}) {
  return resolveConnection(flags, w.env, defaults);
}

function userErrorOf(body: () => unknown): UserError {
  try {
    body();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error("expected a UserError");
}

const FULL_ENV = {
  PGHOST: "envhost",
  PGPORT: "6000",
  PGUSER: "envuser",
  PGDATABASE: "envdb",
  PGCONNECT_TIMEOUT: "7",
  PGSSLMODE: "require",
};

describe("resolveConnection() precedence", () => {
  test("defaults: localhost (no socket found), 5432, the OS user, database = user, prefer, 10 s", () => {
    expect(resolve({})).toEqual({
      host: "localhost",
      port: 5432,
      user: "osuser",
      database: "osuser",
      sslmode: "prefer",
      connectTimeoutMs: 10_000,
    });
  });

  test("the default host is the first socket directory that has the port's socket", () => {
    expect(resolve({}, fakeEnvironment({ sockets: ["/tmp/.s.PGSQL.5432"] })).host).toBe("/tmp");
    expect(resolve({}, fakeEnvironment({ sockets: ["/var/run/postgresql/.s.PGSQL.5432", "/tmp/.s.PGSQL.5432"] })).host)
      .toBe("/var/run/postgresql");
    expect(resolve({ port: 6000 }, fakeEnvironment({ sockets: ["/tmp/.s.PGSQL.5432"] })).host).toBe("localhost");
  });

  test("a default database given by the command wins over the user name, not over PGDATABASE", () => {
    expect(resolve({}, fakeEnvironment(), { database: "postgres" }).database).toBe("postgres");
    expect(resolve({}, fakeEnvironment({ env: { PGDATABASE: "envdb" } }), { database: "postgres" }).database).toBe(
      "envdb",
    );
  });

  test("environment beats defaults", () => {
    expect(resolve({}, fakeEnvironment({ env: FULL_ENV }))).toEqual({
      host: "envhost",
      port: 6000,
      user: "envuser",
      database: "envdb",
      sslmode: "require",
      connectTimeoutMs: 7000,
    });
  });

  test("--dsn beats the environment", () => {
    const s = resolve(
      { dsn: "postgresql://dsnuser@dsnhost:7000/dsndb?sslmode=disable&connect_timeout=3" },
      fakeEnvironment({ env: FULL_ENV }),
    );
    expect(s).toEqual({
      host: "dsnhost",
      port: 7000,
      user: "dsnuser",
      database: "dsndb",
      sslmode: "disable",
      connectTimeoutMs: 3000,
    });
  });

  test("--dsn may name a socket directory, percent-encoded or with ?host=, and encoded names", () => {
    expect(resolve({ dsn: "postgres://my%20user@%2Fvar%2Frun%2Fpostgresql/my%2Fdb" })).toMatchObject({
      host: "/var/run/postgresql",
      user: "my user",
      database: "my/db",
    });
    expect(resolve({ dsn: "postgres:///posemo?host=/tmp/sock" })).toMatchObject({
      host: "/tmp/sock",
      database: "posemo",
    });
  });

  test("flags beat --dsn and the environment", () => {
    const flags = {
      host: "flaghost",
      port: 8000,
      user: "flaguser",
      dbname: "flagdb",
      connectTimeout: 1500,
      dsn: "postgres://dsnuser@dsnhost:7000/dsndb",
    };
    expect(resolve(flags, fakeEnvironment({ env: FULL_ENV }))).toEqual({
      host: "flaghost",
      port: 8000,
      user: "flaguser",
      database: "flagdb",
      sslmode: "require",
      connectTimeoutMs: 1500,
    });
  });

  test("a configuration file's settings beat the environment and lose to --dsn and flags", () => {
    const file = {
      host: "filehost",
      port: 6500,
      user: "fileuser",
      dbname: "filedb",
      sslmode: "verify-full" as const,
      connectTimeoutMs: 2500,
    };
    expect(resolveConnection({}, fakeEnvironment({ env: FULL_ENV }).env, { file })).toEqual({
      host: "filehost",
      port: 6500,
      user: "fileuser",
      database: "filedb",
      sslmode: "verify-full",
      connectTimeoutMs: 2500,
    });
    expect(resolveConnection({ dsn: "postgres://dsnuser@dsnhost/dsndb" }, fakeEnvironment().env, { file }))
      .toMatchObject({ host: "dsnhost", port: 6500, user: "dsnuser", database: "dsndb" });
    expect(resolveConnection({ port: 8000, user: "flaguser" }, fakeEnvironment().env, { file })).toMatchObject({
      host: "filehost",
      port: 8000,
      user: "flaguser",
    });
  });

  test("a configuration file's password_file beats PGPASSWORD and .pgpass; --password-file beats it", () => {
    const files = { "/etc/posemo/pw": { text: "from-file\n" }, "/flag/pw": { text: "from-flag\n" } };
    const w = fakeEnvironment({ env: { PGPASSWORD: "from-env" }, files });
    expect(resolveConnection({}, w.env, { file: { passwordFile: "/etc/posemo/pw" } }).password).toBe("from-file");
    expect(
      resolveConnection({ passwordFile: "/flag/pw" }, w.env, { file: { passwordFile: "/etc/posemo/pw" } }).password,
    ).toBe("from-flag");
  });

  test("empty environment variables count as unset", () => {
    expect(resolve({}, fakeEnvironment({ env: { PGHOST: "", PGPORT: "", PGUSER: "", PGDATABASE: "" } }))).toMatchObject(
      { host: "localhost", port: 5432, user: "osuser" },
    );
  });
});

describe("resolveConnection() passwords", () => {
  const pgpass = "/home/osuser/.pgpass";
  const pgpassLine = { [pgpass]: { text: "localhost:5432:osuser:osuser:from-pgpass\n" } };

  test("~/.pgpass is read when no other password is given", () => {
    expect(resolve({}, fakeEnvironment({ files: pgpassLine })).password).toBe("from-pgpass");
  });

  test("PGPASSFILE names another file", () => {
    const w = fakeEnvironment({ env: { PGPASSFILE: "/etc/pw" }, files: { "/etc/pw": { text: "*:*:*:*:elsewhere" } } });
    expect(resolve({}, w).password).toBe("elsewhere");
  });

  test("PGPASSWORD beats .pgpass; --password-file beats both, first line only", () => {
    const files = { ...pgpassLine, "/run/pw": { text: "from-file\nsecond line\n" } };
    expect(resolve({}, fakeEnvironment({ env: { PGPASSWORD: "from-env" }, files })).password).toBe("from-env");
    expect(resolve({ passwordFile: "/run/pw" }, fakeEnvironment({ env: { PGPASSWORD: "from-env" }, files })).password)
      .toBe("from-file");
  });

  test("a .pgpass readable by group or others (0644) is ignored with a warning naming it", () => {
    const w = fakeEnvironment({ files: { [pgpass]: { text: "*:*:*:*:leaky", mode: 0o644 } } });
    expect(resolve({}, w).password).toBeUndefined();
    expect(w.warnings).toEqual([
      `posemo: ignoring password file "${pgpass}": it is readable by group or others (chmod 0600 it)`,
    ]);
  });

  test("a socket in a default directory also matches .pgpass lines for localhost; a custom one only itself", () => {
    const files = { [pgpass]: { text: "localhost:5432:*:*:local\n/srv/sock:5432:*:*:custom\n" } };
    expect(resolve({ host: "/var/run/postgresql" }, fakeEnvironment({ files })).password).toBe("local");
    expect(resolve({ host: "/srv/sock" }, fakeEnvironment({ files })).password).toBe("custom");
  });

  test("a missing or empty --password-file is an error naming the file", () => {
    expect(userErrorOf(() => resolve({ passwordFile: "/nope" })).message).toBe(
      'Cannot read password file "/nope": no such file',
    );
    expect(
      userErrorOf(() => resolve({ passwordFile: "/empty" }, fakeEnvironment({ files: { "/empty": { text: "\nx" } } })))
        .message,
    ).toBe('Cannot use password file "/empty": its first line is empty');
  });

  test("describeConnection() never shows the password", () => {
    const s = resolve(
      { passwordFile: "/run/pw" },
      fakeEnvironment({ files: { "/run/pw": { text: "hunter2-secret" } } }),
    );
    expect(describeConnection(s)).toBe("localhost:5432/osuser as osuser");
  });
});

describe("resolveConnection() refusals", () => {
  test("a password in --dsn is refused and not echoed", () => {
    const error = userErrorOf(() => resolve({ dsn: "postgres://u:hunter2-secret@h/db" }));
    expect(error.message).toStartWith("Refusing a password in --dsn");
    expect(error.message).not.toContain("hunter2-secret");
  });

  test("an unparseable --dsn is not echoed: nothing says which part of it was meant as a password", () => {
    const error = userErrorOf(() => resolve({ dsn: "postgres://u:hunter2-secret@h:99999/db" }));
    expect(error.message).toBe(
      "Cannot parse --dsn (not shown, it may hold a secret): expected postgres://user@host:port/dbname?sslmode=...; key=value connection strings are not supported",
    );
  });

  test.each([
    "postgres://u@h/db?password=hunter2",
    "postgres://u@h/db?sslmode=require&PassWord=hunter2",
    "postgres://u@h/db?pass%77ord=hunter2",
    "postgres://u@h/db?sslpassword=hunter2",
    "host=h password=hunter2 dbname=db",
    "host=h dbname=db password = 'hunter2'",
  ])("a password in any form of --dsn is refused, not echoed (%p)", (dsn) => {
    const error = userErrorOf(() => resolve({ dsn }));
    expect(error.message).toStartWith("Refusing a password in --dsn");
    expect(error.message).not.toContain("hunter2");
  });

  test.each([
    "postgres://u:hunt@er2@h:99999/db",
    "postgres://u:hunt/er2@h:99999/db",
    "postgres://u:hunt:er2@h:99999/db",
    "postgres://u:hunter2",
    "postgres://u@[h/db?password=hunter2",
    "host=h dbname=db sslkey='hunter2",
  ])("no part of a password leaks from an unparseable --dsn (%p)", (dsn) => {
    const error = userErrorOf(() => resolve({ dsn }));
    expect(error.message).not.toContain("er2");
    expect(error.message).not.toContain("hunt");
  });

  test("another scheme is refused naming it", () => {
    expect(userErrorOf(() => resolve({ dsn: "mysql://u@h/db" })).message).toBe(
      'Cannot use --dsn with scheme "mysql:": expected postgres:// or postgresql://',
    );
  });

  test.each(["abc", "0", "65536", "54 32", "-1"])("PGPORT %p is refused naming the value", (port) => {
    expect(userErrorOf(() => resolve({}, fakeEnvironment({ env: { PGPORT: port } }))).message).toBe(
      `Cannot use PGPORT "${port}": expected a whole number from 1 to 65535`,
    );
  });

  test("a bad PGCONNECT_TIMEOUT or sslmode is refused naming the value", () => {
    expect(userErrorOf(() => resolve({}, fakeEnvironment({ env: { PGCONNECT_TIMEOUT: "soon" } }))).message).toBe(
      'Cannot use PGCONNECT_TIMEOUT "soon": expected a positive number of seconds up to 2147483',
    );
    expect(userErrorOf(() => resolve({ dsn: "postgres://h/db?sslmode=maybe" })).message).toStartWith(
      'Cannot use sslmode "maybe": expected one of disable',
    );
  });
});

describe("the CLI with bad connection input", () => {
  test("`check --dsn` with a password exits 3 with one line on stderr and never echoes it", async () => {
    const out = await runCli(["check", "--dsn", "postgres://posemo:hunter2-secret@127.0.0.1:1/posemo"]);
    expect(out.exitCode).toBe(3);
    expect(out.stdout).toBe("");
    expect(out.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(out.stderr).toStartWith("posemo: Refusing a password in --dsn");
    expect(out.stderr + out.stdout).not.toContain("hunter2-secret");
  });

  test("`install` with a bad PGPORT exits with one line naming the value", async () => {
    const out = await runCli(["install"], { PGPORT: "fivefourthreetwo" });
    expect(out.exitCode).toBe(3);
    expect(out.stderr).toBe('posemo: Cannot use PGPORT "fivefourthreetwo": expected a whole number from 1 to 65535\n');
  });

  test("a bad -p is refused by the flag parser naming the value", async () => {
    const out = await runCli(["check", "-p", "70000"]);
    expect(out.exitCode).toBe(3);
    expect(out.stderr).toContain('Cannot use "70000" as a port: expected a whole number from 1 to 65535');
  });
});
