/**
 * The error a pg_logfebe stream gets when it breaks the protocol. The connection that sent it is closed;
 * everyone else keeps being served. `reason` is a short stable code for counters and tests.
 * @module
 */
import type { FebeEvent } from "./decode.ts";

/** Stable codes for what went wrong. */
export type ProtocolErrorReason =
  | "unknown-type"
  | "unexpected-frame"
  | "bad-length"
  | "frame-too-large"
  | "bad-version"
  | "malformed-record"
  | "no-memory"
  | "closed";

/** A pg_logfebe protocol violation; the message names the bad value. */
export class ProtocolError extends SyntaxError {
  /**
   * @param reason stable code
   * @param message one line naming the bad value
   * @param offset byte offset in the stream of the frame that broke the protocol
   * @param events frames decoded successfully in the same `push()` before the bad one, so a caller can
   *   still forward them
   */
  constructor(
    readonly reason: ProtocolErrorReason,
    message: string,
    readonly offset: number,
    readonly events: readonly FebeEvent[] = [],
  ) {
    super(message);
    this.name = "ProtocolError";
  }
}

/** Shows a byte in an error message: `0x58 ("X")` when printable, `0x07` otherwise. */
export function hexByte(byte: number): string {
  const hex = `0x${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  return byte >= 0x21 && byte <= 0x7e ? `${hex} (${JSON.stringify(String.fromCharCode(byte))})` : hex;
}
