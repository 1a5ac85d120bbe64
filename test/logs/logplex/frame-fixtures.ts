/** Bytes, text and a logplexc-shaped message for the frame writer and reader tests. @module */
import type { LogplexMessage } from "../../../src/logs/logplex/message.ts";

export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
export const bytes = (s: string) => new TextEncoder().encode(s);

export function message(body: string, overrides: Partial<LogplexMessage> = {}): LogplexMessage {
  return {
    pri: 134,
    timestamp: "2026-11-21T04:23:21Z",
    hostname: "postgres",
    appName: "t.token",
    procId: "postgres.1234",
    body,
    ...overrides,
  };
}
