import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFakeLogplexd } from "../../../src/fake-logplexd/app.ts";
import { type HttpServer, serveHttp } from "../../../src/http/serve.ts";
import { createLogplexSender, type LogplexSenderOptions } from "../../../src/logs/logplex/sender.ts";
import { countersBalance, emptyCounters } from "../../../src/logs/stats.ts";
import { expectNoSecrets, message, TOKEN } from "./sender-helpers.ts";

let dir = "";
let caFile = "";
let https: HttpServer;
let http: HttpServer;
const httpsFake = createFakeLogplexd({ token: TOKEN });
const httpFake = createFakeLogplexd({ token: TOKEN });

/** Runs openssl in the temp dir; throws with its stderr on failure. */
function openssl(...args: string[]): void {
  const run = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`openssl ${args[0]} failed: ${run.stderr}`);
}

/** A throwaway CA and a leaf for 127.0.0.1 signed by it (rustls, under Deno, refuses a CA used as the leaf). */
function makeCertificates(): { cert: string; key: string } {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=posemo test CA");
  openssl("req", ...ec, "-keyout", "key.pem", "-out", "leaf.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(join(dir, "leaf.ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
  openssl(
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "cert.pem",
    "-days",
    "1",
    "-extfile",
    "leaf.ext",
  );
  return { cert: readFileSync(join(dir, "cert.pem"), "utf8"), key: readFileSync(join(dir, "key.pem"), "utf8") };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sender-https-"));
  caFile = join(dir, "ca.pem");
  https = await serveHttp(httpsFake.app.fetch, { hostname: "127.0.0.1", port: 0, tls: makeCertificates() });
  http = await serveHttp(httpFake.app.fetch, { hostname: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await https?.close();
  await http?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends one record to `base` and returns the counters and log lines once closed. */
async function sendOne(base: string, options: Partial<LogplexSenderOptions> = {}) {
  const counters = emptyCounters();
  const logs: string[] = [];
  const sender = createLogplexSender({
    url: base.replace("://", `://token:${TOKEN}@`) + "/logs",
    counters,
    log: (l) => logs.push(l),
    maxAttempts: 1,
    requestTimeoutMs: 5000,
    ...options,
  });
  counters.received++;
  sender.enqueue([message("over the wire")]);
  await sender.close(10_000);
  expect(countersBalance(counters)).toBe(true);
  expectNoSecrets(logs);
  return { counters, logs };
}

describe("createLogplexSender() over loopback", () => {
  test("createLogplexSender() delivers to fake-logplexd over real HTTP", async () => {
    const { counters } = await sendOne(http.url);
    expect(counters.forwarded).toBe(1);
    expect(httpFake.messages.at(-1)?.body).toBe("over the wire");
  });

  test("createLogplexSender() counts a refused connection as failed", async () => {
    const gone = await serveHttp(() => new Response(null), { hostname: "127.0.0.1", port: 0 });
    await gone.close();
    const { counters, logs } = await sendOne(gone.url);
    expect(counters.failed).toBe(1);
    expect(logs.join("\n")).toContain("request failed");
  });

  test("createLogplexSender() verifies the server against caFile", async () => {
    const before = httpsFake.messages.length;
    const { counters } = await sendOne(https.url, { caFile });
    expect(counters.forwarded).toBe(1);
    expect(httpsFake.messages.length).toBe(before + 1);
  });

  test("createLogplexSender() refuses a certificate from an unknown CA", async () => {
    const before = httpsFake.messages.length;
    const { counters, logs } = await sendOne(https.url);
    expect(counters.failed).toBe(1);
    expect(httpsFake.messages.length).toBe(before);
    expect(logs.join("\n")).toContain("request failed");
  });

  test("createLogplexSender() accepts an unknown CA only when insecure", async () => {
    const { counters } = await sendOne(https.url, { insecure: true });
    expect(counters.forwarded).toBe(1);
  });
});
