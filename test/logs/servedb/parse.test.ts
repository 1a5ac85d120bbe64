import { describe, expect, test } from "bun:test";
import { parseServeSet, type ServeSetContext } from "../../../src/logs/servedb/parse.ts";
import { type LogplexTarget, parseLogplexUrl, redactUrl } from "../../../src/logs/servedb/logplex-url.ts";

const SECRET = "t.s3cr3t-token";
const withLogplexUrl: ServeSetContext = {
  logplexUrl: parseLogplexUrl("https://logplex.example/logs") as LogplexTarget,
};
const noLogplexUrl: ServeSetContext = {};

function serveSet(...serves: unknown[]): string {
  return JSON.stringify({ serves, other: "sibling keys are fine" });
}

function errorOf(text: string, context: ServeSetContext = withLogplexUrl): string {
  const result = parseServeSet(text, context);
  if (result.ok) throw new Error("expected an invalid serve set");
  expect(result.error).not.toContain(SECRET);
  expect(result.error.split("\n")).toHaveLength(1);
  return result.error;
}

describe("parseServeSet() accepts", () => {
  test("a url serve, taking the token from the URL password", () => {
    const result = parseServeSet(
      serveSet({ i: "db1", p: "/run/pg/db1.sock", url: `https://token:${SECRET}@logplex.example/logs`, extra: 1 }),
      noLogplexUrl,
    );
    expect(result).toEqual({
      ok: true,
      serves: [{
        identity: "db1",
        socketPath: "/run/pg/db1.sock",
        endpoint: "https://logplex.example/logs",
        user: "token",
        token: SECRET,
      }],
    });
  });

  test("a t serve, posting to LOGPLEX_URL", () => {
    const result = parseServeSet(
      serveSet({ i: "db2", p: "/run/pg/db2.sock", t: SECRET, name: "shiny", format: "heroku" }),
      withLogplexUrl,
    );
    expect(result).toEqual({
      ok: true,
      serves: [{
        identity: "db2",
        socketPath: "/run/pg/db2.sock",
        endpoint: "https://logplex.example/logs",
        user: "token",
        token: SECRET,
        name: "shiny",
        format: "heroku",
      }],
    });
  });

  test("an empty identity and an empty serve list", () => {
    expect(parseServeSet(serveSet({ i: "", p: "/a.sock", t: SECRET }), withLogplexUrl).ok).toBe(true);
    expect(parseServeSet(serveSet(), noLogplexUrl)).toEqual({ ok: true, serves: [] });
  });

  test("a percent-encoded token in the URL", () => {
    const result = parseServeSet(serveSet({ i: "x", p: "/a.sock", url: "https://token:a%2Fb@h/logs" }), noLogplexUrl);
    expect(result.ok && result.serves[0]?.token).toBe("a/b");
  });
});

describe("parseServeSet() rejects", () => {
  const cases: Array<[string, string, RegExp, ServeSetContext?]> = [
    [
      "bad JSON",
      `{"serves": [{"i": "x", "url": "https://token:${SECRET}@h/logs",}]}`,
      /^Cannot parse the serve set: not valid JSON/,
    ],
    ["a document without serves", `{"serve": []}`, /expected an object with a "serves" array/],
    ["a serve that is not an object", serveSet("x"), /serves\[0\]: expected an object, got a string/],
    ["a missing identity", serveSet({ p: "/a.sock", t: SECRET }), /serves\[0\]: missing key "i"/],
    ["a missing socket path", serveSet({ i: "x", t: SECRET }), /serves\[0\] \("x"\): missing key "p"/],
    ["a missing destination", serveSet({ i: "x", p: "/a.sock" }), /missing key "url" \(or "t" with LOGPLEX_URL\)/],
    ["a wrong type", serveSet({ i: "x", p: 7, t: SECRET }), /"p" must be a string, got a number/],
    [
      "a wrong type for name",
      serveSet({ i: "x", p: "/a.sock", t: SECRET, name: ["n"] }),
      /"name" must be a string, got an array/,
    ],
    [
      "a relative socket path",
      serveSet({ i: "x", p: "run/a.sock", t: SECRET }),
      /Cannot use socket path "run\/a.sock" for serves\[0\] \("x"\): it must be absolute/,
    ],
    [
      "a socket path too long for a unix socket",
      serveSet({ i: "x", p: "/" + "s".repeat(107), t: SECRET }),
      /it is 108 bytes, the limit is 107/,
    ],
    [
      "a duplicate socket path",
      serveSet({ i: "x", p: "/a.sock", t: SECRET }, { i: "y", p: "/a.sock", t: SECRET }),
      /Cannot use socket path "\/a.sock" for serves\[1\]: serves\[0\] already uses it/,
    ],
    [
      "an unknown format",
      serveSet({ i: "x", p: "/a.sock", t: SECRET, format: "xml" }),
      /Cannot use format "xml" for serves\[0\] \("x"\): expected legacy, heroku, json/,
    ],
    [
      "a token with a space",
      serveSet({ i: "x", p: "/a.sock", t: "t.a b" }),
      /Cannot use the token of serves\[0\] \("x"\): it must be 1 to 48 printable ASCII characters without spaces/,
    ],
    [
      "a token of 49 characters",
      serveSet({ i: "x", p: "/a.sock", t: `t.${"a".repeat(47)}` }),
      /Cannot use the token of serves\[0\]/,
    ],
    [
      "a url token with a newline",
      serveSet({ i: "x", p: "/a.sock", url: "https://token:t.a%0Ab@logplex.example/logs" }),
      /Cannot use the token of serves\[0\]/,
    ],
    [
      "a record cap too small",
      serveSet({ i: "x", p: "/a.sock", t: SECRET, max_record_bytes: 10 }),
      /Cannot use "max_record_bytes" 10 for serves\[0\] \("x"\): expected a whole number of bytes from 1024 to 1048576/,
    ],
    [
      "a record cap that is a string",
      serveSet({ i: "x", p: "/a.sock", t: SECRET, max_record_bytes: "64KiB" }),
      /Cannot use "max_record_bytes" "64KiB"/,
    ],
    [
      "a record cap of 1e400",
      '{"serves":[{"i":"x","p":"/a.sock","t":"t.1","max_record_bytes":1e400}]}',
      /Cannot use "max_record_bytes" Infinity/,
    ],
    [
      "a t serve without LOGPLEX_URL",
      serveSet({ i: "x", p: "/a.sock", t: SECRET }),
      /gives a token \("t"\) but LOGPLEX_URL is not set/,
      noLogplexUrl,
    ],
    ["an empty token", serveSet({ i: "x", p: "/a.sock", t: "" }), /"t" is empty/],
    [
      "both t and url",
      serveSet({ i: "x", p: "/a.sock", t: SECRET, url: `https://token:${SECRET}@h/logs` }),
      /has both "t" and "url"/,
    ],
    [
      "a url without a token",
      serveSet({ i: "x", p: "/a.sock", url: "https://h/logs" }),
      /Cannot use "url" "https:\/\/h\/logs" for serves\[0\] \("x"\): it has no token/,
    ],
    [
      "a url that is not a URL",
      serveSet({ i: "x", p: "/a.sock", url: `token:${SECRET}` }),
      /Cannot use "url" \(not an http URL\) for serves\[0\] \("x"\): it is not an http or https URL/,
    ],
    [
      "a url with spaces",
      serveSet({ i: "x", p: "/a.sock", url: `https://token:${SECRET}@h h/logs` }),
      /Cannot use "url" \(unparseable URL\) for serves\[0\] \("x"\): it is not an absolute URL/,
    ],
    [
      "a url with another scheme",
      serveSet({ i: "x", p: "/a.sock", url: `ftp://token:${SECRET}@h/logs` }),
      /Cannot use "url" \(not an http URL\) for serves\[0\] \("x"\): it is not an http or https URL/,
    ],
  ];
  for (const [what, text, expected, context] of cases) {
    test(`${what} in one line without the token`, () => {
      expect(errorOf(text, context)).toMatch(expected);
    });
  }
});

describe("redactUrl()", () => {
  test("hides the password and never echoes an unparseable URL", () => {
    expect(redactUrl(`https://token:${SECRET}@h/logs`)).toBe("https://token:***@h/logs");
    expect(redactUrl(`nope ${SECRET}`)).toBe("(unparseable URL)");
    expect(redactUrl(`token:${SECRET}`)).toBe("(not an http URL)");
  });
});
