/**
 * Reads an `application/logplex-1` body back into its frames, strictly (frame.ts writes them): each
 * `<byte count> <PRI>1 <TIMESTAMP> <HOSTNAME> <APP-NAME> <PROCID> <MSGID> <STRUCTURED-DATA> <MSG>`,
 * at most {@link MAX_MESSAGE_BYTES} after the count. An error names the byte offset and the bytes there.
 * @module
 */
import { MAX_MESSAGE_BYTES } from "./frame.ts";
import type { LogplexMessage } from "./message.ts";

/** One frame read back from a request body: the header fields, the body and where it started. */
export interface ParsedFrame extends LogplexMessage {
  /** MSGID (`-` when absent). */
  readonly msgId: string;
  /** STRUCTURED-DATA (`-` when absent). */
  readonly structuredData: string;
  /** Byte offset of the frame's octet count in the request body. */
  readonly offset: number;
}

const SPACE = 0x20;
const DIGIT_0 = 0x30;
const decoder = new TextDecoder();
const TIMESTAMP_PATTERN = String.raw`(?:-|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-]\d\d:\d\d))`;
const TIMESTAMP = new RegExp(`^${TIMESTAMP_PATTERN}$`);
const PRINTABLE = /^[!-~]+$/;
/** The whole valid header in one match: the fast path. Anything else goes field by field for the error. */
const HEADER = new RegExp(
  `^<(\\d{1,3})>1 (${TIMESTAMP_PATTERN}) ([!-~]{1,255}) ([!-~]{1,48}) ([!-~]{1,128}) ([!-~]{1,32}) `,
);
const HEADER_FIELDS = [
  ["HOSTNAME", 255],
  ["APP-NAME", 48],
  ["PROCID", 128],
  ["MSGID", 32],
] as const;

/** A short, escaped view of the bytes at `offset`, for error messages. */
function bytesAt(body: Uint8Array, offset: number): string {
  const shown = decoder.decode(body.subarray(offset, offset + 24));
  return JSON.stringify(shown) + (body.length > offset + 24 ? "…" : "");
}

/** Reads `<count> ` at `offset`; returns the count and where the message starts. */
function readCount(body: Uint8Array, offset: number): { size: number; start: number } {
  let at = offset;
  let size = 0;
  const first = body[at];
  if (first === undefined || first < DIGIT_0 + 1 || first > DIGIT_0 + 9) {
    throw frameError(body, offset, "expected an octet count (1-9 first)");
  }
  while (at < body.length && body[at]! >= DIGIT_0 && body[at]! <= DIGIT_0 + 9 && at - offset < 6) {
    size = size * 10 + body[at++]! - DIGIT_0;
  }
  if (size > MAX_MESSAGE_BYTES) throw frameError(body, offset, `octet count over ${MAX_MESSAGE_BYTES}`);
  if (body[at] !== SPACE) throw frameError(body, offset, "expected a space after the octet count");
  if (at + 1 + size > body.length) {
    throw frameError(body, offset, `frame of ${size} bytes is truncated (${body.length - at - 1} left)`);
  }
  return { size, start: at + 1 };
}

/** A SyntaxError naming the offset and showing the bytes there. */
function frameError(body: Uint8Array, offset: number, why: string): SyntaxError {
  return new SyntaxError(`Cannot parse frame at byte ${offset}: ${why}, found ${bytesAt(body, offset)}`);
}

/** Splits off the next space-terminated token of `text` from `at`. */
function token(text: string, at: number): [string, number] {
  const space = text.indexOf(" ", at);
  return space < 0 ? [text.slice(at), text.length] : [text.slice(at, space), space + 1];
}

/** Length of STRUCTURED-DATA at the start of `text`: `-` or `[...]` elements with `\]` escapes. */
function structuredDataLength(text: string): number {
  if (text.startsWith("-")) return 1;
  let at = 0;
  while (text[at] === "[") {
    at++;
    while (at < text.length && text[at] !== "]") at += text[at] === "\\" ? 2 : 1;
    if (at >= text.length) return -1;
    at++;
  }
  return at === 0 ? -1 : at;
}

/** Parses one syslog message (the text after the count) into its fields. */
function parseMessage(text: string, offset: number, fail: (why: string) => SyntaxError): ParsedFrame {
  const match = HEADER.exec(text);
  if (!match || Number(match[1]) > 191) return parseMessageSlowly(text, offset, fail);
  const at = match[0].length;
  const sdLength = structuredDataLength(text.slice(at));
  const rest = at + sdLength;
  if (sdLength < 0 || (rest < text.length && text[rest] !== " ")) return parseMessageSlowly(text, offset, fail);
  return frameOf(Number(match[1]), match.slice(2, 7) as unknown as HeaderFields, text, at, rest, offset);
}

/** Field-by-field parse of a message the fast path refused, to name what is wrong. */
function parseMessageSlowly(text: string, offset: number, fail: (why: string) => SyntaxError): ParsedFrame {
  const head = /^<(\d{1,3})>1 /.exec(text);
  const pri = Number(head?.[1]);
  if (!head || pri > 191) throw fail("expected <PRI>1 with PRI 0-191");
  const fields: string[] = [];
  let at = head[0].length;
  for (let i = 0; i <= HEADER_FIELDS.length; i++) {
    const [value, next] = token(text, at);
    fields.push(value);
    at = next;
  }
  const timestamp = fields[0]!;
  if (!TIMESTAMP.test(timestamp)) throw fail(`bad TIMESTAMP ${JSON.stringify(timestamp)}`);
  HEADER_FIELDS.forEach(([name, max], i) => {
    const value = fields[i + 1]!;
    if (!PRINTABLE.test(value) || value.length > max) {
      throw fail(`bad ${name} ${JSON.stringify(value)} (1-${max} printable ASCII)`);
    }
  });
  const sdLength = structuredDataLength(text.slice(at));
  if (sdLength < 0) throw fail("bad STRUCTURED-DATA");
  const rest = at + sdLength;
  if (rest < text.length && text[rest] !== " ") throw fail("expected a space after STRUCTURED-DATA");
  return frameOf(pri, fields as unknown as HeaderFields, text, at, rest, offset);
}

/** TIMESTAMP, HOSTNAME, APP-NAME, PROCID and MSGID, as read from a valid header. */
type HeaderFields = readonly [timestamp: string, hostname: string, appName: string, procId: string, msgId: string];

/** The frame of a message whose STRUCTURED-DATA runs from `at` to `rest`, the body after it. */
function frameOf(
  pri: number,
  header: HeaderFields,
  text: string,
  at: number,
  rest: number,
  offset: number,
): ParsedFrame {
  const [timestamp, hostname, appName, procId, msgId] = header;
  const structuredData = text.slice(at, rest);
  return { pri, timestamp, hostname, appName, procId, msgId, structuredData, body: text.slice(rest + 1), offset };
}

/**
 * Parses an `application/logplex-1` body strictly: back-to-back frames, each at most
 * {@link MAX_MESSAGE_BYTES}, with a full RFC 5424 header. Invalid UTF-8 in a body is replaced, not fatal.
 * @throws {SyntaxError} naming the byte offset and the bytes found there.
 */
export function parseFrames(body: Uint8Array): ParsedFrame[] {
  const frames: ParsedFrame[] = [];
  // An ASCII body is decoded once: byte offsets are then string offsets. Otherwise frame by frame.
  const whole = isAscii(body) ? decoder.decode(body) : undefined;
  let offset = 0;
  while (offset < body.length) {
    const { size, start } = readCount(body, offset);
    const text = whole === undefined
      ? decoder.decode(body.subarray(start, start + size))
      : whole.slice(start, start + size);
    const at = offset;
    frames.push(parseMessage(text, at, (why) => frameError(body, at, why)));
    offset = start + size;
  }
  return frames;
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}
