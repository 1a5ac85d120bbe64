/**
 * One syslog message bound for logplex: the fields of an RFC 5424 header plus the body. The formatter
 * (`format.ts`) produces these from log records; the framer (`frame.ts`) turns a batch of them into an
 * `application/logplex-1` request body.
 * @module
 */

/** A message ready to frame. `body` is at most 10,240 bytes of UTF-8 (longer ones are split). */
export interface LogplexMessage {
  /** PRI: facility * 8 + severity (legacy format keeps the original's constant 134). */
  readonly pri: number;
  /** RFC 3339 timestamp. */
  readonly timestamp: string;
  /** HOSTNAME field (the serve's name or identity, no spaces). */
  readonly hostname: string;
  /** APP-NAME field. */
  readonly appName: string;
  /** PROCID field. */
  readonly procId: string;
  /** The message text after the header. */
  readonly body: string;
}
