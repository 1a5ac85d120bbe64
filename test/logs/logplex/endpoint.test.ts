import { expect, test } from "bun:test";
import { parseLogplexEndpoint, redactUrl, scrubSecrets } from "../../../src/logs/logplex/endpoint.ts";

test("parseLogplexEndpoint() moves the URL credentials into a Basic header", () => {
  const endpoint = parseLogplexEndpoint("https://token:t.abc@logplex.example:8601/logs");
  expect(endpoint.url).toBe("https://logplex.example:8601/logs");
  expect(endpoint.redacted).toBe("https://logplex.example:8601/logs");
  expect(endpoint.authorization).toBe(`Basic ${btoa("token:t.abc")}`);
});

test("parseLogplexEndpoint() uses the token option as password and token as user", () => {
  const endpoint = parseLogplexEndpoint("https://logplex.example/logs", "t.xyz");
  expect(endpoint.authorization).toBe(`Basic ${btoa("token:t.xyz")}`);
  expect(endpoint.secrets).toContain("t.xyz");
});

test("parseLogplexEndpoint() decodes a percent-encoded password and lists both spellings as secrets", () => {
  const endpoint = parseLogplexEndpoint("https://token:p%40ss%2Fword@host/logs");
  expect(endpoint.authorization).toBe(`Basic ${btoa("token:p@ss/word")}`);
  expect(endpoint.secrets).toEqual(expect.arrayContaining(["p@ss/word", "p%40ss%2Fword"]));
});

test("parseLogplexEndpoint() encodes a non-Latin-1 token as UTF-8", () => {
  const endpoint = parseLogplexEndpoint("https://host/logs", "tøken€");
  const decoded = new TextDecoder().decode(
    Uint8Array.from(atob(endpoint.authorization.slice(6)), (c) => c.charCodeAt(0)),
  );
  expect(decoded).toBe("token:tøken€");
});

test("redactUrl() drops userinfo, query and fragment, even from a URL that does not parse", () => {
  expect(redactUrl("https://token:secret@host/logs?x=1#y")).toBe("https://host/logs");
  expect(redactUrl("https://token:se/cr@t@host:99999/logs")).toBe("https://host:99999/logs");
  expect(redactUrl("token:secret@host")).toBe("host");
});

test("scrubSecrets() replaces every occurrence of every secret", () => {
  expect(scrubSecrets("a s1 b s2 c s1", ["s1", "s2"])).toBe("a *** b *** c ***");
});

test("parseLogplexEndpoint() lists a query string as a secret: a key may travel there, and errors may quote the URL", () => {
  const endpoint = parseLogplexEndpoint("https://token:t.abc@host/logs?api_key=K3Y");
  expect(endpoint.secrets).toContain("api_key=K3Y");
  expect(scrubSecrets(`POST ${endpoint.url} failed`, endpoint.secrets)).toBe("POST https://host/logs?*** failed");
  expect(endpoint.redacted).toBe("https://host/logs");
});
