import { describe, expect, test } from "bun:test";
import { findPgpassPassword, parsePgpass } from "../../src/config/pgpass.ts";

const want = { hosts: ["db.example"], port: 5432, database: "posemo", user: "posemo" };

describe("parsePgpass()", () => {
  test("splits host:port:database:user:password and skips comments, blanks and short lines", () => {
    const entries = parsePgpass("# comment\n\ndb.example:5432:posemo:posemo:secret\nshort:line\n");
    expect(entries).toEqual([{
      host: "db.example",
      port: "5432",
      database: "posemo",
      user: "posemo",
      password: "secret",
    }]);
  });

  test("`\\:` and `\\\\` are escapes in every field", () => {
    const [entry] = parsePgpass("/tmp/my\\:dir:5432:d\\\\b:u:pa\\:ss\\\\word");
    expect(entry).toEqual({ host: "/tmp/my:dir", port: "5432", database: "d\\b", user: "u", password: "pa:ss\\word" });
  });

  test("an unescaped colon in the password is kept (the password is the rest of the line)", () => {
    expect(parsePgpass("h:1:d:u:a:b:c")[0]!.password).toBe("a:b:c");
  });

  test("CRLF line ends do not end up in the password", () => {
    expect(parsePgpass("h:1:d:u:pw\r\nh2:1:d:u:pw2\r\n").map((e) => e.password)).toEqual(["pw", "pw2"]);
  });
});

describe("findPgpassPassword()", () => {
  test("`*` matches any value in any of the first four fields", () => {
    expect(findPgpassPassword(parsePgpass("*:*:*:*:any"), want)).toBe("any");
    expect(findPgpassPassword(parsePgpass("db.example:*:posemo:*:mixed"), want)).toBe("mixed");
  });

  test("the first matching line wins", () => {
    expect(findPgpassPassword(parsePgpass("db.example:5432:posemo:posemo:first\n*:*:*:*:second"), want)).toBe("first");
    expect(findPgpassPassword(parsePgpass("other:5432:posemo:posemo:no\n*:*:*:*:second"), want)).toBe("second");
  });

  test("a different port, database, user or host does not match", () => {
    const text = [
      "db.example:5433:posemo:posemo:a",
      "db.example:5432:other:posemo:b",
      "db.example:5432:posemo:admin:c",
      "db2:5432:posemo:posemo:d",
    ].join("\n");
    expect(findPgpassPassword(parsePgpass(text), want)).toBeUndefined();
  });

  test("any of the candidate host names may match (socket directory or localhost)", () => {
    const entries = parsePgpass("localhost:5432:posemo:posemo:local");
    expect(findPgpassPassword(entries, { ...want, hosts: ["/var/run/postgresql", "localhost"] })).toBe("local");
    expect(findPgpassPassword(entries, { ...want, hosts: ["/tmp/custom"] })).toBeUndefined();
  });
});
