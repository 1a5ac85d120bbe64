/**
 * The sender against a logplex that misbehaves on purpose, over real loopback HTTP: raw sockets that
 * answer redirects to another host, endless bodies, control characters, echoed credentials and bytes
 * that are not HTTP. The token must never follow a redirect nor reach a log line, memory must stay
 * bounded whatever the answer's size, and every record must be counted.
 */
import { afterEach, expect, test } from "bun:test";
import { createServer, type Server, type Socket } from "node:net";
import { once } from "node:events";
import { createLogplexSender, type LogplexSenderOptions } from "../../../src/logs/logplex/sender.ts";
import { countersBalance, emptyCounters } from "../../../src/logs/stats.ts";
import { message, TOKEN, until } from "./sender-helpers.ts";

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

/** What a raw server saw: the request heads it read. */
interface RawServer {
  readonly port: number;
  readonly heads: string[];
}

/** A TCP server on 127.0.0.1 that reads each request head and lets `answer` write what it likes. */
async function rawServer(answer: (socket: Socket, head: string) => void): Promise<RawServer> {
  const heads: string[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    let buffered = "";
    socket.on("data", (chunk) => {
      buffered += chunk.toString("latin1");
      const end = buffered.indexOf("\r\n\r\n");
      if (end < 0 || buffered === "") return;
      const head = buffered.slice(0, end);
      buffered = "";
      heads.push(head);
      answer(socket, head);
    });
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { port: (server.address() as { port: number }).port, heads };
}

/** A sender to `port` with one record sent, closed within `deadlineMs`; returns its counters and log. */
async function sendOne(port: number, options: Partial<LogplexSenderOptions> = {}, deadlineMs = 10_000) {
  const counters = emptyCounters();
  const logs: string[] = [];
  const sender = createLogplexSender({
    url: `http://token:${TOKEN}@127.0.0.1:${port}/logs`,
    counters,
    log: (line) => logs.push(line),
    logIntervalMs: 0,
    maxAttempts: 1,
    requestTimeoutMs: 5000,
    ...options,
  });
  counters.received++;
  sender.enqueue([message("hello")]);
  sender.flush();
  await until(() => counters.pending === 0, "the record to settle", deadlineMs);
  await sender.close(1000);
  expect(countersBalance(counters)).toBe(true);
  return { counters, logs, stats: sender.stats() };
}

const base64Credentials = btoa(`token:${TOKEN}`);

function expectNoSecret(lines: readonly string[]): void {
  for (const line of lines) {
    expect(line).not.toContain(TOKEN);
    expect(line).not.toContain(base64Credentials);
  }
}

test("a redirect to another host is not followed: the credentials go nowhere else, the records are rejected", async () => {
  const elsewhere = await rawServer((socket) => socket.end("HTTP/1.1 204 No Content\r\n\r\n"));
  for (const status of [301, 302, 303, 307, 308]) {
    const logplex = await rawServer((socket) =>
      socket.end(
        `HTTP/1.1 ${status} Moved\r\nLocation: http://localhost:${elsewhere.port}/steal\r\nContent-Length: 0\r\n\r\n`,
      )
    );
    const { counters, logs } = await sendOne(logplex.port);
    expect(counters).toMatchObject({ received: 1, rejected: 1, forwarded: 0 });
    expect(logs.join("\n")).toContain(`HTTP ${status}`);
    expectNoSecret(logs);
  }
  expect(elsewhere.heads).toEqual([]);
});

test("an endless error body is read only so far: the refusal is counted at once, not after the deadline", async () => {
  const chunk = Buffer.alloc(64 * 1024, "x");
  const logplex = await rawServer((socket) => {
    socket.write("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n");
    const pour = () => {
      while (!socket.destroyed && socket.write(chunk));
      if (!socket.destroyed) socket.once("drain", pour);
    };
    pour();
  });
  const { counters, logs, stats } = await sendOne(logplex.port, { requestTimeoutMs: 60_000 });
  expect(counters).toMatchObject({ received: 1, rejected: 1 });
  expect(stats.timeouts).toBe(0);
  expect(logs.join("\n")).toContain("HTTP 400");
  for (const line of logs) expect(line.length).toBeLessThan(1000);
}, 20_000);

test("an endless body after a 204 does not hold the request until the deadline nor send the batch again", async () => {
  const chunk = Buffer.alloc(64 * 1024, "x");
  const logplex = await rawServer((socket) => {
    socket.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n");
    const pour = () => {
      while (!socket.destroyed && socket.write(chunk));
      if (!socket.destroyed) socket.once("drain", pour);
    };
    pour();
  });
  const { counters, stats } = await sendOne(logplex.port, { requestTimeoutMs: 60_000, maxAttempts: 3 });
  expect(counters).toMatchObject({ received: 1, forwarded: 1 });
  expect(stats.timeouts).toBe(0);
  expect(logplex.heads.length).toBe(1);
}, 20_000);

test("credentials an answer echoes (Basic header, quoted token) never reach a log line", async () => {
  const echoed = `Authorization: Basic ${base64Credentials}\r\n\x1b[31mred\x1b[0m\u2028line\u0085next\u009b2J\x7f ${
    JSON.stringify(TOKEN)
  }`;
  const body = Buffer.from(echoed, "utf8");
  const logplex = await rawServer((socket) =>
    socket.end(
      Buffer.concat([
        Buffer.from(`HTTP/1.1 400 Bad Request\r\nContent-Length: ${body.length}\r\n\r\n`),
        body,
      ]),
    )
  );
  const { logs } = await sendOne(logplex.port);
  expect(logs.length).toBeGreaterThan(0);
  expectNoSecret(logs);
});

test("bytes that are not HTTP are a transport error in one line, counted failed", async () => {
  const logplex = await rawServer((socket) => socket.end("\x00\x01garbage\r\nnot http at all\r\n\r\n"));
  const { counters, logs } = await sendOne(logplex.port);
  expect(counters).toMatchObject({ received: 1, failed: 1 });
  expectNoSecret(logs);
  expect(logs.join("\n")).not.toContain("verbose: true");
});
