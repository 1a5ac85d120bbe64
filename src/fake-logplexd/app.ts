/**
 * fake-logplexd: a local stand-in for logplex's HTTP input. `POST /logs` checks the
 * Basic-auth token (401), the content type (415), the frames and `Logplex-Msg-Count` (400) and
 * answers 204, like logplex; fault options simulate a sick logplex. Tests call `app.request()`;
 * the CLI serves it with serveHttp.
 * @module
 */
import { appendFileSync } from "node:fs";
import { Hono } from "hono";
import { type ParsedFrame, parseFrames } from "../logs/logplex/parse-frames.ts";
import { delay, type FaultOptions, hang, seededRandom } from "./faults.ts";
import { readableLine, recordLine, shownAppName } from "./render.ts";

/** Options of {@link createFakeLogplexd}. */
export interface FakeLogplexdOptions extends FaultOptions {
  /** The token to accept as the Basic-auth password (user `token`). */
  readonly token: string;
  /** Shown instead of the token where APP-NAME carries it, as logplex does. @default "app" */
  readonly tokenName?: string;
  /** Do not print messages. @default false */
  readonly quiet?: boolean;
  /** Where readable message lines go. @default discard */
  readonly print?: (line: string) => void;
  /** Where one line per refused request goes. @default discard */
  readonly warn?: (line: string) => void;
  /** Append one JSON line per accepted message to this file. */
  readonly record?: string;
  /** Keep accepted messages and request summaries in memory (turn off for long runs). @default true */
  readonly keep?: boolean;
}

/** What fake-logplexd saw of one request. */
export interface ReceivedRequest {
  readonly status: number;
  /** Frames parsed from the body (0 when refused before parsing). */
  readonly messageCount: number;
  /** The `Logplex-Msg-Count` header as sent, if any. */
  readonly msgCountHeader: string | null;
  readonly bytes: number;
  readonly frameId: string | null;
}

/** Live totals, kept even when `keep` is off. */
export interface FakeLogplexdStats {
  requests: number;
  messages: number;
  inFlight: number;
  peakInFlight: number;
}

/** A fake-logplexd instance. */
export interface FakeLogplexd {
  readonly app: Hono;
  /** Accepted messages, in arrival order (APP-NAME as sent). */
  readonly messages: ParsedFrame[];
  /** Every answered request, in order. */
  readonly requests: ReceivedRequest[];
  readonly stats: FakeLogplexdStats;
}

const LOGPLEX_TYPES = new Set(["application/logplex-1", "application/x-logplex-1"]);

/** Creates the app and the arrays it fills. */
export function createFakeLogplexd(options: FakeLogplexdOptions): FakeLogplexd {
  const fake: FakeLogplexd = {
    app: new Hono(),
    messages: [],
    requests: [],
    stats: { requests: 0, messages: 0, inFlight: 0, peakInFlight: 0 },
  };
  const random = options.seed === undefined ? Math.random : seededRandom(options.seed);
  const handle = (request: Request) => receive(request, options, fake, random);
  fake.app.get("/healthcheck", (c) => c.text("OK"));
  fake.app.post("/logs", async (c) => {
    fake.stats.inFlight++;
    fake.stats.peakInFlight = Math.max(fake.stats.peakInFlight, fake.stats.inFlight);
    try {
      return await handle(c.req.raw);
    } finally {
      fake.stats.inFlight--;
    }
  });
  fake.app.all("/logs", (c) => c.text("Method Not Allowed\n", 405, { Allow: "POST" }));
  return fake;
}

/** The request pipeline: faults that act first, then logplex's checks, then acceptance. */
async function receive(
  request: Request,
  options: FakeLogplexdOptions,
  fake: FakeLogplexd,
  random: () => number,
): Promise<Response> {
  if (options.delayMs) await delay(options.delayMs, request.signal);
  if (options.hang) {
    await hang(request.signal);
    return new Response(null, { status: 503 });
  }
  const body = new Uint8Array(await request.arrayBuffer());
  const summary = {
    messageCount: 0,
    msgCountHeader: request.headers.get("logplex-msg-count"),
    bytes: body.length,
    frameId: request.headers.get("logplex-frame-id"),
  };
  const answer = (status: number, text: string, headers: Record<string, string> = {}) => {
    fake.stats.requests++;
    if (options.keep !== false) fake.requests.push({ ...summary, status });
    if (status >= 300) options.warn?.(`fake-logplexd: answered ${status}: ${text}`);
    return new Response(status === 204 ? null : `${text}\n`, { status, headers });
  };
  const refusal = checkRequest(request, options.token);
  if (refusal) return answer(refusal.status, refusal.text, refusal.headers);
  let frames: ParsedFrame[];
  try {
    frames = parseFrames(body);
  } catch (error) {
    return answer(400, `Malformed log messages: ${(error as Error).message}`);
  }
  summary.messageCount = frames.length;
  if (summary.msgCountHeader !== null && summary.msgCountHeader !== String(frames.length)) {
    return answer(400, `Message count mismatch: header says ${summary.msgCountHeader}, body holds ${frames.length}`);
  }
  const refused = options.refuse === undefined ? -1 : frames.findIndex((frame) => frame.body.includes(options.refuse!));
  if (refused >= 0) {
    return answer(
      400,
      `Malformed log messages: message ${refused + 1} contains ${JSON.stringify(options.refuse)} (fault injected)`,
    );
  }
  const status = options.status ?? (random() < (options.failRate ?? 0) ? 503 : 204);
  if (status >= 200 && status < 300) accept(frames, options, fake);
  return answer(status, status === 204 ? "" : "fault injected");
}

/** logplex's header checks: Basic auth with user `token`, then the content type and encoding. */
function checkRequest(
  request: Request,
  token: string,
): { status: number; text: string; headers?: Record<string, string> } | undefined {
  if (!authorized(request.headers.get("authorization"), token)) {
    return { status: 401, text: "Unauthorized", headers: { "WWW-Authenticate": "Basic realm=Logplex" } };
  }
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!LOGPLEX_TYPES.has(type)) {
    return { status: 415, text: `Unsupported content type "${type}": expected application/logplex-1` };
  }
  const encoding = request.headers.get("content-encoding");
  if (encoding && encoding !== "identity") return { status: 415, text: `Unsupported content encoding "${encoding}"` };
  return undefined;
}

/** True when `header` is `Basic base64(token:<token>)`. */
function authorized(header: string | null, token: string): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? "");
  if (!match) return false;
  try {
    const decoded = new TextDecoder().decode(Uint8Array.from(atob(match[1]!), (c) => c.charCodeAt(0)));
    return decoded === `token:${token}`;
  } catch {
    return false;
  }
}

/** Keeps, prints and records accepted messages. */
function accept(frames: ParsedFrame[], options: FakeLogplexdOptions, fake: FakeLogplexd): void {
  fake.stats.messages += frames.length;
  if (options.keep !== false) { for (const frame of frames) fake.messages.push(frame); }
  const tokenName = options.tokenName ?? "app";
  const shown = frames.map((frame) => shownAppName(frame, options.token, tokenName));
  if (!options.quiet && options.print) frames.forEach((frame, i) => options.print!(readableLine(frame, shown[i]!)));
  if (options.record) {
    appendFileSync(
      options.record,
      frames.map((frame, i) => recordLine(frame, shown[i]!) + "\n").join(""),
    );
  }
}
