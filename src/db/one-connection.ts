/**
 * One connection attempt per session. postgres.js reconnects by itself whenever its connection
 * closed while a statement was waiting for it: a statement queued behind a login that timed out
 * opened a second connection to a black hole (one run in twenty, under load), a server that closes
 * during the login got a reconnect loop of thousands a second, and a statement issued after the
 * server ended the session silently ran on a new one. A monitoring run must see one host as one
 * connection and a failure as a failure, so the guard:
 * - sends the first statement at once (it starts the login) and holds the others until the login
 *   succeeded; when it failed they fail with the first one's error, never reaching postgres.js;
 * - fails every statement once the logged-in connection closed;
 * - opens the session's socket itself (postgres.js `socket` option) and refuses any further socket
 *   except a cancel request's while the session is logged in and open, so no reconnect slips through.
 * @module
 */
import net from "node:net";
import type { ConnectionSettings } from "./settings.ts";

/** What the session wires into postgres.js and sends its statements through. */
export interface ConnectionGuard {
  /** postgres.js `socket` option. */
  readonly socket: () => Promise<net.Socket>;
  /** postgres.js `onparameter`: a ParameterStatus arrives only once the login passed every check. */
  readonly markLoggedIn: () => void;
  /** postgres.js `onclose`. */
  readonly markClosed: () => void;
  /** Resolves once logged in; never rejects. */
  readonly loggedIn: Promise<void>;
  /** Sends one statement when (and only if) the session can take it; see the module comment. */
  statement<T>(send: () => Promise<T>): Promise<T>;
}

/** An error `classifyError` reads as a lost connection (postgres.js's own code for it). */
function connectionClosed(): Error {
  return Object.assign(new Error("server closed the connection unexpectedly"), { code: "CONNECTION_CLOSED" });
}

/** postgres.js's own error for it, which `classifyError` reads as a timeout. */
function connectTimedOut(settings: ConnectionSettings): Error {
  const where = `${settings.host}:${settings.port}`;
  return Object.assign(new Error(`write CONNECT_TIMEOUT ${where}`), { code: "CONNECT_TIMEOUT" });
}

/** Starts connecting where postgres.js would have: the unix socket file, or host and port. */
function openSocket(settings: ConnectionSettings): net.Socket {
  const socket = settings.host.startsWith("/")
    ? net.connect(`${settings.host}/.s.PGSQL.${settings.port}`)
    : net.connect(settings.port, settings.host);
  // postgres.js listens only once `connected` resolved: an error in between must not crash the process.
  socket.on("error", () => undefined);
  // postgres.js names the server in its errors and TLS handshake from these.
  return Object.assign(socket, { host: settings.host, port: settings.port });
}

/**
 * The socket once connected; its error when connecting failed (postgres.js is not listening yet),
 * a timeout when the deadline closed it first.
 */
function connected(socket: net.Socket, settings: ConnectionSettings): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const timedOut = () => reject(connectTimedOut(settings));
    socket.once("error", reject);
    socket.once("close", timedOut);
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.off("close", timedOut);
      resolve(socket);
    });
  });
}

/**
 * Closes `socket` after the connect timeout, as libpq bounds a whole attempt: the TCP connect and
 * then the login. Closed with no error, since postgres.js may have moved its listeners to a TLS
 * socket by then: postgres.js sees the close during the login and asks for a new socket, which the
 * guard refuses with the timeout. The returned function stops the clock.
 */
function deadline(socket: net.Socket, settings: ConnectionSettings, expired: () => void): () => void {
  if (settings.connectTimeoutMs <= 0) return () => undefined;
  const timer = setTimeout(() => {
    expired();
    socket.destroy();
  }, settings.connectTimeoutMs);
  socket.once("close", () => clearTimeout(timer));
  return () => clearTimeout(timer);
}

/** What the guard knows of its session. */
interface GuardState {
  opened: boolean;
  in: boolean;
  closed: boolean;
  timedOut: boolean;
  stopLoginClock: () => void;
  /** Settles once the first statement's login succeeded (resolves) or failed (rejects with its error). */
  outcome?: Promise<void>;
  readonly loggedIn: Promise<void>;
  readonly markIn: () => void;
  /** Rejects once the logged-in connection closed. */
  readonly dead: Promise<never>;
  readonly markDead: (error: Error) => void;
}

function newState(): GuardState {
  let markIn = () => {};
  const loggedIn = new Promise<void>((resolve) => (markIn = resolve));
  let markDead: (error: Error) => void = () => {};
  const dead = new Promise<never>((_, reject) => (markDead = reject));
  dead.catch(() => undefined);
  return {
    opened: false,
    in: false,
    closed: false,
    timedOut: false,
    stopLoginClock: () => {},
    loggedIn,
    markIn,
    dead,
    markDead,
  };
}

/** The session's first socket, or a cancel request's while it is logged in and open; no other. */
function guardedSocket(state: GuardState, settings: ConnectionSettings): Promise<net.Socket> {
  if (state.opened && (!state.in || state.closed)) {
    return Promise.reject(state.timedOut ? connectTimedOut(settings) : connectionClosed());
  }
  const first = !state.opened;
  state.opened = true;
  const socket = openSocket(settings);
  const stop = deadline(socket, settings, () => (state.timedOut ||= first));
  if (first) state.stopLoginClock = stop;
  else socket.once("connect", stop);
  return connected(socket, settings);
}

function guardedStatement<T>(state: GuardState, send: () => Promise<T>): Promise<T> {
  if (state.outcome === undefined) {
    const first = send();
    state.outcome = Promise.race([state.loggedIn, first.then(() => undefined)]);
    state.outcome.catch(() => undefined);
    return first;
  }
  return state.outcome.then(() => {
    if (state.closed) throw connectionClosed();
    return Promise.race([send(), state.dead]);
  });
}

/** A guard for one session to `settings`. */
export function connectionGuard(settings: ConnectionSettings): ConnectionGuard {
  const state = newState();
  const markLoggedIn = () => {
    state.in = true;
    state.stopLoginClock();
    state.markIn();
  };
  const markClosed = () => {
    state.closed = true;
    if (state.in) state.markDead(connectionClosed());
  };
  return {
    socket: () => guardedSocket(state, settings),
    markLoggedIn,
    markClosed,
    loggedIn: state.loggedIn,
    statement: (send) => guardedStatement(state, send),
  };
}
