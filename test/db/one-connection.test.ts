/**
 * One connection attempt per session, against servers that never log anyone in: TCP listeners on
 * 127.0.0.1 that count the connections they accept. postgres.js alone reconnects for a statement
 * queued behind a login that failed, and loops on a server that closes during the login.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createServer, type Server, type Socket } from "node:net";
import { classifyError } from "../../src/db/errors.ts";
import { openSession } from "../../src/db/session.ts";
import type { ConnectionSettings } from "../../src/db/settings.ts";

/** A listener that does `onConnection` with each socket and counts them. */
async function listener(onConnection: (socket: Socket) => void) {
  const sockets: Socket[] = [];
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.push(socket);
    onConnection(socket);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const port = (server.address() as { port: number }).port;
  const close = () => {
    for (const s of sockets) s.destroy();
    server.close();
  };
  return { port, accepted: () => accepted, close };
}

let closeListener = () => {};
afterEach(() => closeListener());

function settingsFor(port: number): ConnectionSettings {
  return { host: "127.0.0.1", port, user: "posemo", database: "posemo", sslmode: "disable", connectTimeoutMs: 300 };
}

const failure = (p: Promise<unknown>) => p.then(() => undefined, (error: unknown) => classifyError(error));

describe("a session makes one connection attempt", () => {
  test("a black hole: statements issued behind the login fail with its timeout, no second connection", async () => {
    const hole = await listener((socket) => void socket.resume());
    closeListener = hole.close;
    const session = openSession(settingsFor(hole.port));
    const failures = await Promise.all(["SELECT 1", "SELECT 2", "SELECT 3"].map((q) => failure(session.query(q))));
    await session.close();
    expect(failures.map((f) => f?.kind)).toEqual(["timeout", "timeout", "timeout"]);
    expect(hole.accepted()).toBe(1);
  });

  test("a statement issued after the login failed is refused with its error, without connecting", async () => {
    const hole = await listener((socket) => void socket.resume());
    closeListener = hole.close;
    const session = openSession(settingsFor(hole.port));
    expect((await failure(session.query("SELECT 1")))?.kind).toBe("timeout");
    expect((await failure(session.script("SELECT 2")))?.kind).toBe("timeout");
    const late = await session.queryWithDeadline("SELECT 3", 5000);
    expect([classifyError(late.error).kind, late.cancelled]).toEqual(["timeout", false]);
    await session.close();
    expect(hole.accepted()).toBe(1);
  });

  test("a server that closes during the login: lost, once (postgres.js alone reconnects in a loop)", async () => {
    const closing = await listener((socket) => void socket.once("data", () => socket.end()));
    closeListener = closing.close;
    const session = openSession(settingsFor(closing.port));
    const failures = await Promise.all([failure(session.query("SELECT 1")), failure(session.query("SELECT 2"))]);
    await session.close();
    expect(failures).toEqual([
      { kind: "lost", message: "server closed the connection unexpectedly" },
      { kind: "lost", message: "server closed the connection unexpectedly" },
    ]);
    expect(closing.accepted()).toBe(1);
  });
});
