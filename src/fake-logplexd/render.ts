/**
 * How fake-logplexd shows a received message: one readable line (plus indented continuation lines)
 * and one JSON record line. Like logplex, an APP-NAME equal to the token is shown as the token's name
 * (logplex replaces the token with the name it was created with), so the secret never reaches the output.
 * @module
 */
import type { ParsedFrame } from "../logs/logplex/parse-frames.ts";

/** The APP-NAME as logplex would pass it on. */
export function shownAppName(frame: ParsedFrame, token: string, tokenName: string): string {
  return frame.appName === token ? tokenName : frame.appName;
}

/** `2026-11-21T04:23:21Z postgres app[postgres.1234]: message`, continuation lines indented. */
export function readableLine(frame: ParsedFrame, appName: string): string {
  const body = frame.body.endsWith("\n") ? frame.body.slice(0, -1) : frame.body;
  return `${frame.timestamp} ${frame.hostname} ${appName}[${frame.procId}]: ${body.replaceAll("\n", "\n    ")}`;
}

/** `{"pri":134,"timestamp":…,"hostname":…,"app":…,"procid":…,"msg":…}` without a newline. */
export function recordLine(frame: ParsedFrame, appName: string): string {
  return JSON.stringify({
    pri: frame.pri,
    timestamp: frame.timestamp,
    hostname: frame.hostname,
    app: appName,
    procid: frame.procId,
    msg: frame.body,
  });
}
