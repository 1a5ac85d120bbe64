import { describe, expect, test } from "bun:test";
import { createFebeDecoder } from "../../../src/logs/febe/decode.ts";
import { formatRecord, type FormatServe, type LogFormat } from "../../../src/logs/logplex/format.ts";
import { FrameBuffer, MAX_MESSAGE_BYTES } from "../../../src/logs/logplex/frame.ts";
import type { LogplexMessage } from "../../../src/logs/logplex/message.ts";
import type { LogRecord } from "../../../src/logs/record.ts";
import { fixtureNames, readFixture } from "../../../dev/fixtures.ts";
import { sampleRecord } from "../../../dev/sample-record.ts";

const RECEIVED = Date.UTC(2026, 10, 21, 4, 18, 47, 500);
const at = { receivedAt: RECEIVED };

function serve(format: LogFormat, extra: Partial<FormatServe> = {}): FormatServe {
  return { format, identity: "e2e identity", name: "web", major: 15, token: "t.TOKEN", ...extra };
}

function fixtureRecords(name: string): LogRecord[] {
  return createFebeDecoder().push(readFixture(name)).flatMap((e) => (e.type === "L" ? [e.record] : []));
}

const allRecords = fixtureNames().flatMap(fixtureRecords);

/** The message as frame.ts sends it, after the octet count. */
function syslogText(m: LogplexMessage): string {
  return `<${m.pri}>1 ${m.timestamp} ${m.hostname} ${m.appName} ${m.procId} - - ${m.body}`;
}

const bytes = (text: string) => new TextEncoder().encode(text).length;

describe("formatRecord() legacy", () => {
  test("writes the original collector's message byte for byte", () => {
    expect(formatRecord(sampleRecord(), serve("legacy"), at)).toEqual([{
      pri: 134,
      timestamp: "2026-11-21T04:18:47Z",
      hostname: "postgres",
      appName: "t.TOKEN",
      procId: "postgres.5634",
      body:
        "[web] duplicate key value violates unique constraint \"t_pkey\"\nDetail: Key (id)=(1) already exists.\nQuery: insert into t values (1,'dup');\n",
    }]);
  });

  test("leaves out the name when the serve has none, and absent fields", () => {
    const record = sampleRecord({ errDetail: null, userQuery: null, errHint: "try harder", errContext: "ignored" });
    const [message] = formatRecord(record, serve("legacy", { name: undefined }), at);
    expect(message!.body).toBe('duplicate key value violates unique constraint "t_pkey"\nHint: try harder\n');
  });

  test("keeps PRI 134 whatever the level", () => {
    for (const eLevel of [10, 15, 19, 21, 22, 23]) {
      expect(formatRecord(sampleRecord({ eLevel }), serve("legacy"), at)[0]!.pri).toBe(134);
    }
  });
});

describe("formatRecord() heroku", () => {
  test("writes PostgreSQL's syslog lines with Heroku's prefix, one message per line", () => {
    const header = {
      pri: 132,
      timestamp: "2026-11-21T04:18:46.972000+00:00",
      hostname: "web",
      appName: "t.TOKEN",
      procId: "postgres.5634",
    };
    expect(formatRecord(sampleRecord(), serve("heroku"), at)).toEqual([
      {
        ...header,
        body: '[web] [6-1]  sql_error_code = 23505 ERROR:  duplicate key value violates unique constraint "t_pkey"',
      },
      { ...header, body: "[web] [6-2]  sql_error_code = 23505 DETAIL:  Key (id)=(1) already exists." },
      { ...header, body: "[web] [6-3]  sql_error_code = 23505 STATEMENT:  insert into t values (1,'dup');" },
    ]);
  });

  test("orders DETAIL, HINT, QUERY, CONTEXT, LOCATION, STATEMENT and appends the error position", () => {
    const record = sampleRecord({
      errHint: "h",
      internalQuery: "SELECT * from missing_tbl",
      internalQueryPos: 15,
      errContext: "c",
      fileErrPos: "parserOpenTable, parse_relation.c:1392",
    });
    expect(formatRecord(record, serve("heroku", { name: "" }), at).map((m) => m.body)).toEqual([
      '[6-1]  sql_error_code = 23505 ERROR:  duplicate key value violates unique constraint "t_pkey" at character 15',
      "[6-2]  sql_error_code = 23505 DETAIL:  Key (id)=(1) already exists.",
      "[6-3]  sql_error_code = 23505 HINT:  h",
      "[6-4]  sql_error_code = 23505 QUERY:  SELECT * from missing_tbl",
      "[6-5]  sql_error_code = 23505 CONTEXT:  c",
      "[6-6]  sql_error_code = 23505 LOCATION:  parserOpenTable, parse_relation.c:1392",
      "[6-7]  sql_error_code = 23505 STATEMENT:  insert into t values (1,'dup');",
    ]);
    expect(formatRecord(sampleRecord({ userQueryPos: 8 }), serve("heroku"), at)[0]!.body).toEndWith(" at character 8");
  });

  test("continues a multi-line value on tab-led lines without the prefix", () => {
    const record = sampleRecord({
      eLevel: 15,
      sqlState: "00000",
      errMessage: "statement: SELECT 1\nFROM t",
      errDetail: null,
      userQuery: null,
    });
    expect(formatRecord(record, serve("heroku"), at).map((m) => m.body)).toEqual([
      "[web] [6-1]  sql_error_code = 00000 LOG:  statement: SELECT 1",
      "[web] [6-2] \tFROM t",
    ]);
  });

  test("every line of every capture matches the pganalyze Heroku parser", () => {
    const pganalyze = /^\[(\w+)\] \[\d+-(\d+)\] ( sql_error_code = \w+ (\w+): {2})?(.+)/;
    for (const record of allRecords) {
      for (const message of formatRecord(record, serve("heroku"), at)) expect(message.body).toMatch(pganalyze);
    }
  });
});

describe("formatRecord() json", () => {
  test("writes jsonlog's keys in jsonlog's order, leaving NULLs out", () => {
    const [message] = formatRecord(sampleRecord(), serve("json"), at);
    expect(message).toMatchObject({
      pri: 132,
      timestamp: "2026-11-21T04:18:46.972000+00:00",
      hostname: "web",
      procId: "postgres.5634",
    });
    expect(message!.body).toBe(
      '{"name":"web","timestamp":"2026-11-21 04:18:46.972 UTC","user":"postgres","dbname":"postgres","pid":5634,' +
        '"remote_host":"[local]","session_id":"6b011ba6.1602","line_num":6,"ps":"INSERT","session_start":"2026-11-21 04:18:46 UTC",' +
        '"vxid":"3/9","txid":726,"error_severity":"ERROR","state_code":"23505",' +
        '"message":"duplicate key value violates unique constraint \\"t_pkey\\"","detail":"Key (id)=(1) already exists.",' +
        '"statement":"insert into t values (1,\'dup\');","application_name":"psql"}',
    );
  });

  test("follows jsonlog's rules for ports, positions, 00000, empty application_name and verbose locations", () => {
    const record = sampleRecord({
      clientAddr: "::1:54321",
      userQueryPos: 8,
      internalQuery: "q",
      internalQueryPos: 3,
      sqlState: "00000",
      applicationName: "",
      fileErrPos: "parserOpenTable, parse_relation.c:1392",
      userName: null,
    });
    const json = JSON.parse(formatRecord(record, serve("json", { name: undefined }), at)[0]!.body);
    expect(json).toMatchObject({
      remote_host: "::1",
      remote_port: 54321,
      cursor_position: 8,
      internal_query: "q",
      internal_position: 3,
      func_name: "parserOpenTable",
      file_name: "parse_relation.c",
      file_line_num: 1392,
    });
    for (const absent of ["name", "user", "state_code", "application_name", "hint", "context"]) {
      expect(json).not.toHaveProperty(absent);
    }
  });

  test("every capture record is one parseable object with only jsonlog keys", () => {
    const keys = new Set([
      "name",
      "timestamp",
      "user",
      "dbname",
      "pid",
      "remote_host",
      "remote_port",
      "session_id",
      "line_num",
      "ps",
      "session_start",
      "vxid",
      "txid",
      "error_severity",
      "state_code",
      "message",
      "detail",
      "hint",
      "internal_query",
      "internal_position",
      "context",
      "statement",
      "cursor_position",
      "func_name",
      "file_name",
      "file_line_num",
      "application_name",
    ]);
    for (const record of allRecords) {
      const messages = formatRecord(record, serve("json"), at);
      expect(messages).toHaveLength(1);
      const parsed = JSON.parse(messages[0]!.body);
      for (const key of Object.keys(parsed)) expect(keys.has(key)).toBe(true);
      expect(parsed.line_num).toBe(record.seqNum);
    }
  });
});

describe("formatRecord() headers", () => {
  test("takes PRI from ELevel with PostgreSQL's syslog mapping (local0)", () => {
    const pri = (eLevel: number, major = 15) =>
      formatRecord(sampleRecord({ eLevel }), serve("heroku", { major }), at)[0]!.pri;
    expect([12, 15, 17, 18, 19, 21, 22, 23].map((n) => pri(n))).toEqual([135, 134, 134, 133, 133, 132, 131, 130]);
    expect(pri(20, 13)).toBe(132);
    expect(pri(24, 19)).toBe(130);
  });

  test("uses the identity as HOSTNAME without a name, with spaces replaced", () => {
    expect(formatRecord(sampleRecord(), serve("json", { name: undefined }), at)[0]!.hostname).toBe("e2e-identity");
    expect(formatRecord(sampleRecord(), serve("json", { name: "", identity: "" }), at)[0]!.hostname).toBe("-");
  });

  test("sends APP-NAME - when no token is given", () => {
    expect(formatRecord(sampleRecord(), serve("legacy", { token: undefined }), at)[0]!.appName).toBe("-");
  });

  test("keeps LogTime with a numeric zone and falls back to the receive time for named zones", () => {
    const stamp = (logTime: string) => formatRecord(sampleRecord({ logTime }), serve("heroku"), at)[0]!.timestamp;
    expect(stamp("2026-11-21 07:18:46.972 +03")).toBe("2026-11-21T07:18:46.972000+03:00");
    expect(stamp("2026-11-21 04:18:46.972 CEST")).toBe("2026-11-21T04:18:47.500000+00:00");
  });
});

describe("formatRecord() splits long bodies", () => {
  const longStatement = `statement: select '${"x".repeat(20_000)}';`;

  for (const format of ["legacy", "heroku", "json"] as const) {
    test(`${format}: a 20,000-character statement becomes several messages within logplex's limit`, () => {
      const record = sampleRecord({ errMessage: longStatement, userQuery: longStatement });
      const messages = formatRecord(record, serve(format), at);
      expect(messages.length).toBeGreaterThan(2);
      for (const m of messages) expect(bytes(syslogText(m))).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
      const buffer = new FrameBuffer();
      buffer.append(messages);
      expect(buffer.messageCount).toBe(messages.length);
      expect(new Set(messages.map((m) => `${m.pri} ${m.timestamp} ${m.procId}`)).size).toBe(1);
    });
  }

  test("legacy pieces join back into the original body", () => {
    const record = sampleRecord({ errMessage: longStatement, errDetail: null, userQuery: null });
    expect(formatRecord(record, serve("legacy"), at).map((m) => m.body).join("")).toBe(`[web] ${longStatement}\n`);
  });

  test("heroku numbers the pieces of a long line as further chunks", () => {
    const record = sampleRecord({ errMessage: longStatement, errDetail: null, userQuery: null });
    const bodies = formatRecord(record, serve("heroku"), at).map((m) => m.body);
    expect(bodies.map((b) => /^\[web\] \[6-(\d+)\] /.exec(b)?.[1])).toEqual(bodies.map((_, i) => String(i + 1)));
    expect(bodies.map((b) => b.replace(/^\[web\] \[6-\d+\] /, "")).join("")).toBe(
      ` sql_error_code = 23505 ERROR:  ${longStatement}`,
    );
  });

  test("never cuts a multi-byte character or a surrogate pair", () => {
    const text = "日本語✓😀é".repeat(3000);
    for (const format of ["legacy", "json"] as const) {
      const messages = formatRecord(sampleRecord({ errMessage: text }), serve(format), at);
      expect(messages.length).toBeGreaterThan(1);
      for (const m of messages) {
        expect(m.body).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
        expect(bytes(syslogText(m))).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
      }
      expect(messages.map((m) => m.body).join("")).toContain(text);
    }
  });
});
