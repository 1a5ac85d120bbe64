/**
 * `posemo fake-logplexd`: serves the fake logplex until SIGTERM/SIGINT. The first stdout line is its
 * URL with the token as password (`http://token:SECRET@127.0.0.1:45678/logs`), as the original
 * logplexd printed it, so scripts can read it; messages follow, one per line, unless --quiet.
 * @module
 */
import { appendFileSync, readFileSync } from "node:fs";
import type { CliContext } from "../context.ts";
import { complain, say } from "../context.ts";
import { UserError } from "../../errors.ts";
import { MAX_DURATION_MS } from "../../config/duration.ts";
import type { FakeLogplexdFlags } from "./fake-logplexd.ts";
import { createFakeLogplexd, type FakeLogplexdOptions } from "../../fake-logplexd/app.ts";
import { type HttpServer, serveHttp, type ServeHttpOptions } from "../../http/serve.ts";

const systemErrors: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EISDIR: "it is a directory",
  EADDRINUSE: "address in use (or not available)",
  EADDRNOTAVAIL: "address not available",
};

function why(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  return systemErrors[code] ?? (code || (error as Error).message);
}

function readFlagFile(flag: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UserError(`Cannot read ${flag} "${path}": ${why(error)}`);
  }
}

function checkRange(flag: string, value: number | undefined, ok: (n: number) => boolean, expected: string): void {
  if (value !== undefined && !ok(value)) throw new UserError(`Cannot use "${value}" as ${flag}: expected ${expected}`);
}

function tlsFrom(flags: FakeLogplexdFlags): ServeHttpOptions["tls"] {
  if (flags.tlsCert === undefined && flags.tlsKey === undefined) return undefined;
  if (flags.tlsKey === undefined) throw new UserError("Cannot use --tls-cert without --tls-key");
  if (flags.tlsCert === undefined) throw new UserError("Cannot use --tls-key without --tls-cert");
  return { cert: readFlagFile("--tls-cert", flags.tlsCert), key: readFlagFile("--tls-key", flags.tlsKey) };
}

function appOptions(flags: FakeLogplexdFlags, context: CliContext): FakeLogplexdOptions {
  checkRange(
    "--status",
    flags.status,
    (n) => Number.isInteger(n) && n >= 100 && n <= 599,
    "an HTTP status from 100 to 599",
  );
  checkRange(
    "--delay",
    flags.delay,
    (n) => Number.isFinite(n) && n >= 0 && n <= MAX_DURATION_MS,
    `a number of milliseconds from 0 to ${MAX_DURATION_MS}`,
  );
  checkRange("--fail-rate", flags.failRate, (n) => n >= 0 && n <= 1, "a probability from 0 to 1");
  if (flags.refuse === "") {
    throw new UserError('Cannot use "" as --refuse: it would refuse every request (use --status 400)');
  }
  if (flags.token === "") throw new UserError('Cannot use "" as --token: it must not be empty');
  if (flags.record !== undefined) {
    try {
      appendFileSync(flags.record, "", { mode: 0o600 }); // the recorded frames may carry the token
    } catch (error) {
      throw new UserError(`Cannot write --record "${flags.record}": ${why(error)}`);
    }
  }
  return {
    token: flags.token ?? `t.${crypto.randomUUID()}`,
    quiet: flags.quiet,
    print: (line) => say(context, line),
    warn: (line) => complain(context, line),
    record: flags.record,
    keep: false,
    status: flags.status,
    delayMs: flags.delay,
    failRate: flags.failRate,
    hang: flags.hang,
    refuse: flags.refuse,
  };
}

async function listen(
  handler: (request: Request) => Response | Promise<Response>,
  flags: FakeLogplexdFlags,
  tls: ServeHttpOptions["tls"],
): Promise<HttpServer> {
  try {
    return await serveHttp(handler, { hostname: flags.host, port: flags.port ?? 0, tls });
  } catch (error) {
    throw new UserError(`Cannot listen on ${flags.host}:${flags.port ?? 0}: ${why(error)}`);
  }
}

function stopped(signal: AbortSignal): Promise<void> {
  return new Promise((
    resolve,
  ) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
}

export default async function fakeLogplexd(this: CliContext, flags: FakeLogplexdFlags): Promise<void> {
  const tls = tlsFrom(flags);
  const options = appOptions(flags, this);
  const fake = createFakeLogplexd(options);
  const server = await listen(fake.app.fetch, flags, tls);
  say(this, `${server.url.replace("://", `://token:${encodeURIComponent(options.token)}@`)}/logs`);
  await stopped(this.stopSignal);
  await server.close();
}
