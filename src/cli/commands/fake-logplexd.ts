/** `posemo fake-logplexd`: flag specification; the body is loaded on demand. @module */
import { buildCommand } from "@stricli/core";
import type { CliContext } from "../context.ts";
import { parseNumber, parsePort } from "../parsers.ts";

/** Flags of `posemo fake-logplexd`. */
export interface FakeLogplexdFlags {
  readonly host: string;
  readonly port?: number;
  readonly token?: string;
  readonly record?: string;
  readonly quiet: boolean;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly status?: number;
  readonly delay?: number;
  readonly failRate?: number;
  readonly hang: boolean;
  readonly refuse?: string;
}

export const fakeLogplexdCommand = buildCommand<FakeLogplexdFlags, [], CliContext>({
  loader: () => import("./fake-logplexd.impl.ts"),
  parameters: {
    flags: {
      host: { kind: "parsed", parse: String, default: "127.0.0.1", placeholder: "addr", brief: "Address to listen on" },
      port: {
        kind: "parsed",
        parse: (s: string) => (s === "0" ? 0 : parsePort(s)),
        optional: true,
        placeholder: "port",
        brief: "Port to listen on (0: any free port)",
      },
      token: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "token",
        brief: "Token to accept (default: a random one)",
      },
      record: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "file",
        brief: "Append one JSON line per received message",
      },
      quiet: { kind: "boolean", default: false, brief: "Do not print messages" },
      tlsCert: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "file",
        brief: "Serve HTTPS with this certificate",
      },
      tlsKey: { kind: "parsed", parse: String, optional: true, placeholder: "file", brief: "Key for --tls-cert" },
      status: {
        kind: "parsed",
        parse: parseNumber,
        optional: true,
        placeholder: "code",
        brief: "Answer every request with this status",
      },
      delay: {
        kind: "parsed",
        parse: parseNumber,
        optional: true,
        placeholder: "ms",
        brief: "Wait this long before answering",
      },
      failRate: {
        kind: "parsed",
        parse: parseNumber,
        optional: true,
        placeholder: "p",
        brief: "Answer 503 with this probability (0 to 1)",
      },
      hang: { kind: "boolean", default: false, brief: "Never answer" },
      refuse: {
        kind: "parsed",
        parse: String,
        optional: true,
        placeholder: "text",
        brief: "Answer 400 to any request with a message containing this text",
      },
    },
  },
  docs: { brief: "A local logplex stand-in that prints (and can record) what it receives" },
});
