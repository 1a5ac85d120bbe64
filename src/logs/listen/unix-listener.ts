/**
 * A unix-socket server for one serve. Binding replaces a stale socket file (left by a crashed
 * collector) but never deletes anything that is not a socket, and refuses a socket another process
 * still answers on. The socket is chmod-ed to a configurable mode, world-writable by default as the
 * original made it, because PostgreSQL and the collector usually run as different users.
 * @module
 */
import { chmod, lstat, unlink } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";

/** Default socket file mode: anyone may connect (PostgreSQL runs as another user). */
export const DEFAULT_SOCKET_MODE = 0o666;

/** A listening unix socket and the connections it accepted. */
export interface UnixListener {
  readonly path: string;
  /** Connections currently open. */
  readonly connections: ReadonlySet<Socket>;
  /** Stops accepting, closes every open connection and removes the socket file. */
  close(): Promise<void>;
}

/** Options of `listenUnix`. */
export interface UnixListenOptions {
  /** File mode of the socket. @default 0o666 */
  readonly mode?: number;
  /** Called for each accepted connection. */
  readonly onConnection: (socket: Socket) => void;
  /** Called when accepting fails after the server is up (e.g. EMFILE); the server keeps listening. */
  readonly onError: (error: Error) => void;
}

/** Why a socket path cannot be listened on; the message is one line naming the path. */
export class ListenError extends Error {
  constructor(path: string, why: string, options?: ErrorOptions) {
    super(`Cannot listen on "${path}": ${why}`, options);
    this.name = "ListenError";
  }
}

/**
 * Listens on `path`.
 * @throws {ListenError} when the path holds a non-socket file, a live socket, or cannot be bound.
 */
export async function listenUnix(path: string, options: UnixListenOptions): Promise<UnixListener> {
  await clearStaleSocket(path);
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
    options.onConnection(socket);
  });
  await bind(server, path);
  server.on("error", options.onError);
  await chmod(path, options.mode ?? DEFAULT_SOCKET_MODE).catch(async (error: Error) => {
    await closeServer(server, connections);
    throw new ListenError(path, `cannot set its mode: ${describe(error)}`, { cause: error });
  });
  return { path, connections, close: () => closeServer(server, connections) };
}

function bind(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error) => reject(new ListenError(path, describe(error), { cause: error })));
    // A deep accept queue: after a PostgreSQL restart every backend connects at once, and a refused
    // connect costs that backend its record. The kernel caps it at net.core.somaxconn; Deno and Node
    // honour it, Bun 1.4 keeps 512 for unix sockets whatever is asked.
    server.listen({ path, backlog: 4096 }, () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
}

/** Closing a node:net server waits for its connections, so they are destroyed first. */
function closeServer(server: Server, connections: Set<Socket>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of connections) socket.destroy();
  return closed;
}

/** Removes `path` if it is a socket nobody answers on; leaves it alone if absent. */
async function clearStaleSocket(path: string): Promise<void> {
  const stat = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw new ListenError(path, describe(error), { cause: error });
  });
  if (stat === undefined) return;
  if (!stat.isSocket()) throw new ListenError(path, "it exists and is not a socket (not removing it)");
  if (await answers(path)) throw new ListenError(path, "another process is listening on it");
  await unlink(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") {
      throw new ListenError(path, `cannot remove the stale socket: ${describe(error)}`, { cause: error });
    }
  });
}

/** True when something accepts connections on the socket at `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection({ path });
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

const systemErrors: Record<string, string> = {
  ENOENT: "its directory does not exist",
  EACCES: "permission denied",
  EADDRINUSE: "the address is in use",
  ENOTDIR: "a component of the path is not a directory",
  EROFS: "read-only file system",
};

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  return systemErrors[code] ?? (code || String((error as Error).message));
}
