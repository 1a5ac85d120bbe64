import { afterEach, beforeEach, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { once } from "node:events";
import { createConnection, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListenError, listenUnix, type UnixListener } from "../../../src/logs/listen/unix-listener.ts";

let dir: string;
const listeners: UnixListener[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "unix-listener-"));
});
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function listen(path: string, mode?: number) {
  const accepted: Socket[] = [];
  const listener = await listenUnix(path, { mode, onConnection: (s) => accepted.push(s), onError: () => {} });
  listeners.push(listener);
  return { listener, accepted };
}

test("listenUnix() creates a world-writable socket by default and the given mode when asked", async () => {
  await listen(join(dir, "a.sock"));
  await listen(join(dir, "b.sock"), 0o660);
  expect(lstatSync(join(dir, "a.sock")).isSocket()).toBe(true);
  expect(statSync(join(dir, "a.sock")).mode & 0o777).toBe(0o666);
  expect(statSync(join(dir, "b.sock")).mode & 0o777).toBe(0o660);
});

test("listenUnix() replaces a stale socket file left by a dead process", async () => {
  const path = join(dir, "stale.sock");
  const script = `require("net").createServer().listen(${
    JSON.stringify(path)
  }, () => process.kill(process.pid, "SIGKILL"))`;
  spawnSync(process.execPath, ["-e", script]);
  expect(lstatSync(path).isSocket()).toBe(true);
  const { accepted } = await listen(path);
  const client = createConnection({ path });
  await once(client, "connect");
  client.destroy();
  expect(accepted.length).toBeLessThanOrEqual(1);
});

test("listenUnix() never deletes a file that is not a socket", async () => {
  const path = join(dir, "precious.txt");
  writeFileSync(path, "keep me");
  const error = await listenUnix(path, { onConnection: () => {}, onError: () => {} }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ListenError);
  expect((error as Error).message).toBe(`Cannot listen on "${path}": it exists and is not a socket (not removing it)`);
  expect(readFileSync(path, "utf8")).toBe("keep me");
});

test("listenUnix() refuses a socket another process still answers on", async () => {
  const path = join(dir, "live.sock");
  const other = createServer();
  await new Promise<void>((resolve) => other.listen(path, resolve));
  try {
    const error = await listenUnix(path, { onConnection: () => {}, onError: () => {} }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`Cannot listen on "${path}": another process is listening on it`);
  } finally {
    other.close();
  }
});

test("listenUnix() says when the socket's directory does not exist", async () => {
  const path = join(dir, "missing", "a.sock");
  const error = await listenUnix(path, { onConnection: () => {}, onError: () => {} }).catch((e: unknown) => e);
  expect((error as Error).message).toBe(`Cannot listen on "${path}": its directory does not exist`);
});

test("UnixListener.close() closes live connections and removes the socket file", async () => {
  const path = join(dir, "c.sock");
  const { listener } = await listen(path);
  const client = createConnection({ path });
  client.on("error", () => {});
  await once(client, "connect");
  const closed = once(client, "close");
  await waitUntil(() => listener.connections.size === 1);
  await listener.close();
  await closed;
  expect(existsSync(path)).toBe(false);
  expect(listener.connections.size).toBe(0);
});

async function waitUntil(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
}

test("UnixListener.close() leaves alone a file that replaced its socket, and owned() says it was replaced", async () => {
  const path = join(dir, "d.sock");
  const { listener } = await listen(path);
  expect(await listener.owned()).toBe(true);
  rmSync(path);
  writeFileSync(path, "not yours");
  expect(await listener.owned()).toBe(false);
  await listener.close();
  expect(readFileSync(path, "utf8")).toBe("not yours");
  expect(readdirSync(dir)).toEqual(["d.sock"]); // no temporary name left behind
});

test("UnixListener.stopAccepting() keeps open connections and refuses new ones", async () => {
  const path = join(dir, "e.sock");
  const { listener, accepted } = await listen(path);
  const client = createConnection({ path });
  client.on("error", () => {});
  await once(client, "connect");
  await waitUntil(() => accepted.length === 1);
  await listener.stopAccepting();
  expect(existsSync(path)).toBe(false);
  expect(accepted[0]!.destroyed).toBe(false);
  client.destroy();
});
