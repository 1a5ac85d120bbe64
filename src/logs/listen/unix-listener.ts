/**
 * A unix-socket server for one serve. Binding replaces a stale socket file (left by a crashed
 * collector) but never deletes anything that is not a socket, and refuses a socket another process
 * still answers on. The socket is chmod-ed to a configurable mode, world-writable by default as the
 * original made it, because PostgreSQL and the collector usually run as different users.
 *
 * The runtimes unlink a unix server's path by name when it closes, whatever the path holds by then:
 * a file or another process's socket put there since would be deleted. So the server is bound to a
 * temporary name beside the path and renamed into place (which also gives the socket its mode before
 * anyone can connect); at close the runtime unlinks the temporary name, long gone, and the path is
 * removed only while it is still this socket (same device and inode).
 * @module
 */
import { randomBytes } from "node:crypto";
import { chmod, lstat, rename, unlink } from "node:fs/promises";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { dirname, join } from "node:path";

/** Default socket file mode: anyone may connect (PostgreSQL runs as another user). */
export const DEFAULT_SOCKET_MODE = 0o666;

/** A listening unix socket and the connections it accepted. */
export interface UnixListener {
  readonly path: string;
  /** Connections currently open. */
  readonly connections: ReadonlySet<Socket>;
  /** True while the file at `path` is still the socket this listener bound (not removed, not replaced). */
  owned(): Promise<boolean>;
  /** Stops accepting and removes the socket file if it is still this one; open connections stay. */
  stopAccepting(): Promise<void>;
  /** Stops accepting, closes every open connection and removes the socket file if it is still this one. */
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
  const bound = temporaryName(path);
  await bind(server, bound, path);
  server.on("error", options.onError);
  const inode = await placeSocket(bound, path, options.mode ?? DEFAULT_SOCKET_MODE).catch(async (error: Error) => {
    await stopServer(server);
    await unlink(bound).catch(() => {});
    throw error;
  });
  const owned = async () => (await lstat(path).then(identify, () => "")) === inode;
  const release = async () => {
    if (await owned()) await unlink(path).catch(() => {});
  };
  const stopAccepting = async () => {
    void stopServer(server); // resolves once the connections left end: not awaited, they stay
    await release();
  };
  const close = async () => {
    const stopped = stopServer(server);
    for (const socket of connections) socket.destroy();
    await Promise.all([stopped, release()]);
  };
  return { path, connections, owned, stopAccepting, close };
}

/**
 * A short random name in the path's directory, or the path itself when that would not fit in
 * sun_path (107 bytes): then a close may unlink whatever holds the path by then.
 */
function temporaryName(path: string): string {
  const name = join(dirname(path), `.posemo-${randomBytes(6).toString("hex")}`);
  return new TextEncoder().encode(name).length <= 107 ? name : path;
}

/** Gives the bound socket its mode and moves it to `path`; returns its identity (device:inode). */
async function placeSocket(bound: string, path: string, mode: number): Promise<string> {
  try {
    await chmod(bound, mode);
  } catch (error) {
    throw new ListenError(path, `cannot set its mode: ${describe(error)}`, { cause: error });
  }
  const inode = identify(await lstat(bound));
  if (bound !== path) {
    await rename(bound, path).catch((error: Error) => {
      throw new ListenError(path, `cannot move the socket into place: ${describe(error)}`, { cause: error });
    });
  }
  return inode;
}

function identify(stat: { dev: number | bigint; ino: number | bigint }): string {
  return `${stat.dev}:${stat.ino}`;
}

function bind(server: Server, bound: string, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error) => reject(new ListenError(path, describe(error), { cause: error })));
    // A deep accept queue: after a PostgreSQL restart every backend connects at once, and a refused
    // connect costs that backend its record. The kernel caps it at net.core.somaxconn; Deno and Node
    // honour it, Bun 1.4 keeps 512 for unix sockets whatever is asked.
    server.listen({ path: bound, backlog: 4096 }, () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
}

/** Stops accepting. Closing a node:net server waits for its connections: a caller that wants it now destroys them. */
function stopServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => server.close(() => resolve()));
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
