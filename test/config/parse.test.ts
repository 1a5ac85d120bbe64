import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/parse.ts";
import { ConfigError } from "../../src/config/config-error.ts";
import { fixtureCatalogue } from "./catalogue-fixture.ts";

const FILE = "/etc/posemo/posemo.yaml";

function parse(text: string) {
  return parseConfig(text, FILE, fixtureCatalogue);
}

/** The one-line message parsing fails with. */
function problem(text: string): string {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("the configuration was accepted");
}

describe("parseConfig() accepts", () => {
  test("defaults, ungrouped hosts and groups, with typed settings", () => {
    const config = parse([
      "concurrency: 4",
      "defaults:",
      "  user: posemo",
      "  dbname: posemo",
      "  sslmode: require",
      "  connect_timeout: 2s",
      "  timeout: 500ms",
      "  schema: mon",
      "  password_file: secrets/posemo.pw",
      "hosts:",
      "  - db1.example.com",
      "  - name: db2",
      "    host: 10.0.0.2",
      "    port: 5433",
      "groups:",
      "  reporting:",
      "    connect_timeout: 5",
      "    hosts:",
      "      - name: db3",
      "        host: /var/run/postgresql",
    ].join("\n"));
    expect(config.concurrency).toBe(4);
    expect(config.defaults).toEqual({
      user: "posemo",
      dbname: "posemo",
      sslmode: "require",
      connectTimeoutMs: 2000,
      timeoutMs: 500,
      schema: "mon",
      passwordFile: "/etc/posemo/secrets/posemo.pw",
      checks: {},
    });
    expect(config.hosts).toEqual([
      { name: "db1.example.com", host: "db1.example.com", checks: {} },
      { name: "db2", host: "10.0.0.2", port: 5433, checks: {} },
    ]);
    expect(config.groups).toEqual([{
      name: "reporting",
      connectTimeoutMs: 5000,
      checks: {},
      hosts: [{ name: "db3", host: "/var/run/postgresql", checks: {} }],
    }]);
  });

  test("an empty file (or only comments) configures nothing", () => {
    expect(parse("# nothing yet\n")).toEqual({ file: FILE, defaults: { checks: {} }, hosts: [], groups: [] });
  });

  test("check settings: enabled, ranges converted into each column's unit, per column and per row", () => {
    const config = parse([
      "defaults:",
      "  checks:",
      "    backup_age: { enabled: false }",
      "    standby_lag: { warning: 5m, critical: 1h }",
      "    cache_hit_ratio:",
      "      warning: '90%:'",
      "      rows:",
      "        reporting: { warning: '50:', critical: '30%:' }",
      "        '!TOTAL': { columns: { cache_hit_ratio: { critical: '95:' } } }",
      "    mixed:",
      "      warning: 10",
      "      columns:",
      "        bytes: { critical: 1GB }",
      "        seconds: { critical: 2m }",
      "    activity:",
      "      columns:",
      "        idle_in_transaction: { warning: 5, critical: 10k }",
    ].join("\n"));
    const checks = config.defaults.checks;
    expect(checks.backup_age).toEqual({ enabled: false });
    expect(checks.standby_lag?.warning?.text).toBe("300");
    expect(checks.standby_lag?.critical?.text).toBe("3600");
    expect(checks.cache_hit_ratio?.warning?.text).toBe("90:");
    expect(checks.cache_hit_ratio?.rows?.reporting?.critical?.text).toBe("30:");
    expect(checks.cache_hit_ratio?.rows?.["!TOTAL"]?.columns?.cache_hit_ratio?.critical?.text).toBe("95:");
    expect(checks.mixed?.warning?.text).toBe("10");
    expect(checks.mixed?.columns?.bytes?.critical?.text).toBe("1073741824");
    expect(checks.mixed?.columns?.seconds?.critical?.text).toBe("120");
    expect(checks.activity?.columns?.idle_in_transaction?.critical?.text).toBe("10000");
  });
});

describe("parseConfig() refuses, naming file, line and value", () => {
  test.each([
    [
      "an unknown top-level key",
      "defaults: {}\nhost: db1\n",
      `${FILE}:2: unknown key "host" in the configuration (allowed: concurrency, defaults, hosts, groups, checks_dirs)`,
    ],
    [
      "an unknown key in a host",
      "hosts:\n  - name: db1\n    hots: x\n",
      `${FILE}:3: unknown key "hots" in hosts[0] (allowed: name, host, port, user, dbname, sslmode, connect_timeout, password_file, timeout, schema, checks)`,
    ],
    [
      "a misspelt threshold",
      "groups:\n  prod:\n    checks:\n      cache_hit_ratio:\n        warnig: 5\n",
      `${FILE}:5: unknown key "warnig" in groups.prod.checks.cache_hit_ratio (allowed: enabled, warning, critical, columns, rows, arguments)`,
    ],
    [
      "a port that is not a number",
      "defaults:\n  port: '5432'\n",
      `${FILE}:2: defaults.port must be a whole number from 1 to 65535: got "5432"`,
    ],
    [
      "a port out of range",
      "hosts:\n  - { host: db1, port: 70000 }\n",
      `${FILE}:2: hosts[0].port must be a whole number from 1 to 65535: got 70000`,
    ],
    [
      "an unknown sslmode",
      "defaults:\n  sslmode: always\n",
      `${FILE}:2: Cannot use sslmode "always" for defaults.sslmode: expected one of disable, allow, prefer, require, verify-ca, verify-full`,
    ],
    [
      "a bad duration",
      "defaults:\n  connect_timeout: soon\n",
      `${FILE}:2: Cannot use "soon" as a duration for defaults.connect_timeout: expected a number with an optional unit ms, s, m or h (e.g. 10s)`,
    ],
    [
      "a user that is a list",
      "defaults:\n  user: [a, b]\n",
      `${FILE}:2: defaults.user must be a non-empty string: got a list`,
    ],
    [
      "an unknown check",
      "defaults:\n  checks:\n    cache_hit: {}\n",
      `${FILE}:3: unknown check "cache_hit" in defaults.checks (see posemo check --list)`,
    ],
    [
      "an unknown column",
      "defaults:\n  checks:\n    activity:\n      columns:\n        idle_xact: { warning: 5 }\n",
      `${FILE}:5: unknown column "idle_xact" in defaults.checks.activity.columns (columns of activity: active, idle, idle_in_transaction)`,
    ],
    [
      "a unit that does not fit the column",
      "defaults:\n  checks:\n    cache_hit_ratio:\n      critical: 5m\n",
      `${FILE}:4: Cannot use "5m" as a range for defaults.checks.cache_hit_ratio.critical: unit "m" (minutes) does not fit the column's unit "%" (percent)`,
    ],
    [
      "a unit for columns of different units",
      "defaults:\n  checks:\n    mixed: { warning: 5m }\n",
      `${FILE}:3: Cannot use "5m" as a range for defaults.checks.mixed.warning: its columns have different units, so write a bare number or set the range per column`,
    ],
    [
      "a start above the end",
      "defaults:\n  checks:\n    db_size:\n      rows:\n        app: { critical: '2GB:1GB' }\n",
      `${FILE}:5: Cannot use "2GB:1GB" as a range for defaults.checks.db_size.rows.app.critical: start 2GB is greater than end 1GB`,
    ],
    [
      "rows on a single-row check",
      "defaults:\n  checks:\n    alive:\n      rows: { x: { critical: 0 } }\n",
      `${FILE}:4: alive has one row: "rows" does not apply (use warning, critical or columns)`,
    ],
    [
      "enabled that is not a boolean",
      "defaults:\n  checks:\n    alive: { enabled: 'no' }\n",
      `${FILE}:3: defaults.checks.alive.enabled must be true or false: got "no"`,
    ],
    [
      "an unquoted range ending in a colon",
      "defaults:\n  checks:\n    cache_hit_ratio:\n      warning: 80:\n",
      `${FILE}:4: Nested mappings are not allowed in compact mappings (quote ranges such as "80:" or "@10:20")`,
    ],
    [
      "an unquoted inside range",
      "defaults:\n  checks:\n    db_size: { critical: @1:2 }\n",
      `${FILE}:3: Plain value cannot start with reserved character @ (quote ranges such as "80:" or "@10:20")`,
    ],
    ["a key given twice", "defaults:\n  user: a\n  user: b\n", `${FILE}:3: Map keys must be unique`],
    [
      "two hosts of the same name",
      "hosts:\n  - db1\ngroups:\n  g:\n    hosts:\n      - { name: db1, host: other }\n",
      `${FILE}:6: host name "db1" is used twice (first at line 2): give each host a unique name`,
    ],
    ["a host with neither name nor host", "hosts:\n  - port: 5433\n", `${FILE}:2: hosts[0] needs a name or a host`],
    [
      "a name with a space",
      "hosts:\n  - { name: 'db 1', host: x }\n",
      `${FILE}:2: Cannot use host name "db 1": names may not contain spaces, quotes, =, |, comma or backslash`,
    ],
    ["a concurrency of 0", "concurrency: 0\n", `${FILE}:1: concurrency must be a whole number from 1 to 1000: got 0`],
    ["groups as a list", "groups:\n  - prod\n", `${FILE}:2: groups must be a mapping: got a list`],
  ])("%s", (_, text, message) => {
    expect(problem(text)).toBe(message);
  });

  test.each(["password", "passwd"])("a plain %p, without printing it", (key) => {
    const message = problem(`hosts:\n  - host: db1\n    ${key}: s3cret-value\n`);
    expect(message).toBe(
      `${FILE}:3: Refusing key "${key}" in hosts[0]: plain passwords are not accepted; use password_file, PGPASSWORD or ~/.pgpass`,
    );
    expect(message).not.toContain("s3cret");
  });
});
