/**
 * Serves a fetch handler (a hono `app.fetch`) over HTTP or HTTPS on whichever runtime we run on:
 * `Bun.serve` under Bun, `Deno.serve` under Deno, `node:http`/`node:https` otherwise. hono core has no
 * Node adapter, and the single-binary build must not pull one in.
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** A function from request to response, like `app.fetch`. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** Where and how to listen. */
export interface ServeHttpOptions {
  /** Address to bind, e.g. `127.0.0.1`. */
  readonly hostname: string;
  /** Port to bind; 0 picks a free one. */
  readonly port: number;
  /** PEM certificate chain and private key: serve HTTPS. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** A running server. */
export interface HttpServer {
  /** Base URL, e.g. `http://127.0.0.1:45678` (no trailing slash). */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** Stops listening; requests still running are answered 503 at once so nothing keeps it open. */
  close(): Promise<void>;
}

interface Listening {
  readonly port: number;
  stop(): Promise<void>;
}

interface BunRuntime {
  serve(options: object): { readonly port: number; stop(closeActiveConnections?: boolean): Promise<void> | void };
}

interface DenoRuntime {
  serve(
    options: object,
    handler: FetchHandler,
  ): { readonly addr: { readonly port: number }; shutdown(): Promise<void> };
}

/**
 * Starts serving `handler`.
 * @throws when the address cannot be bound (the runtime's error, e.g. EADDRINUSE).
 */
export async function serveHttp(handler: FetchHandler, options: ServeHttpOptions): Promise<HttpServer> {
  const closing = new AbortController();
  const guarded = answerOnClose(handler, closing.signal);
  const runtime = globalThis as { Bun?: BunRuntime; Deno?: DenoRuntime };
  const listening = runtime.Bun
    ? serveBun(runtime.Bun, guarded, options)
    : runtime.Deno
    ? serveDeno(runtime.Deno, guarded, options)
    : await serveNode(guarded, options);
  const host = options.hostname.includes(":") ? `[${options.hostname}]` : options.hostname;
  return {
    url: `${options.tls ? "https" : "http"}://${host}:${listening.port}`,
    port: listening.port,
    close: async () => {
      closing.abort();
      await listening.stop();
    },
  };
}

/** Races every request against shutdown, so a handler that never answers cannot hold the server open. */
function answerOnClose(handler: FetchHandler, closing: AbortSignal): FetchHandler {
  const closed = new Promise<Response>((resolve) =>
    closing.addEventListener("abort", () => resolve(new Response("shutting down\n", { status: 503 })), { once: true })
  );
  return (request) => Promise.race([Promise.resolve().then(() => handler(request)), closed]);
}

function serveBun(bun: BunRuntime, handler: FetchHandler, options: ServeHttpOptions): Listening {
  const server = bun.serve({ hostname: options.hostname, port: options.port, fetch: handler, tls: options.tls });
  return { port: server.port, stop: async () => void (await server.stop(true)) };
}

function serveDeno(deno: DenoRuntime, handler: FetchHandler, options: ServeHttpOptions): Listening {
  // onListen is given so Deno does not print its own "Listening on" line to stdout.
  const server = deno.serve(
    { hostname: options.hostname, port: options.port, ...options.tls, onListen: () => {} },
    handler,
  );
  return { port: server.addr.port, stop: () => server.shutdown() };
}

async function serveNode(handler: FetchHandler, options: ServeHttpOptions): Promise<Listening> {
  const listener = (req: IncomingMessage, res: ServerResponse) => void answerNode(handler, req, res, options);
  const server = options.tls
    ? (await import("node:https")).createServer({ ...options.tls }, listener)
    : (await import("node:http")).createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : options.port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Bridges one node:http exchange to the fetch handler. */
async function answerNode(
  handler: FetchHandler,
  req: IncomingMessage,
  res: ServerResponse,
  options: ServeHttpOptions,
): Promise<void> {
  try {
    const response = await handler(await toRequest(req, res, options));
    const headers: string[] = [];
    response.headers.forEach((value, name) => headers.push(name, value));
    res.writeHead(response.status, headers);
    res.end(new Uint8Array(await response.arrayBuffer()));
  } catch {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  }
}

/** Reads a node:http request whole into a fetch `Request`, aborted if the client goes away. */
async function toRequest(req: IncomingMessage, res: ServerResponse, options: ServeHttpOptions): Promise<Request> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of req) chunks.push(chunk as Uint8Array);
  const gone = new AbortController();
  res.once("close", () => gone.abort());
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const url = new URL(req.url ?? "/", `${options.tls ? "https" : "http"}://${req.headers.host ?? options.hostname}`);
  return new Request(url, {
    method: req.method,
    headers,
    body: hasBody ? Buffer.concat(chunks) : undefined,
    signal: gone.signal,
  });
}
