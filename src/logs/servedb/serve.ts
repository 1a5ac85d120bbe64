/**
 * One serve: a unix socket bound to a tenant identity and a logplex destination. Parsed from the serve
 * database (`serves.new` / `serves.loaded`) by `parse.ts`.
 * @module
 */

/** Message formats a serve can ask for (`legacy` is the original collector's output). */
export type ServeFormat = "legacy" | "heroku" | "json";

/** The formats in the order error messages list them. */
export const SERVE_FORMATS: readonly ServeFormat[] = ["legacy", "heroku", "json"];

/** Bounds of the per-record byte cap: room for every field's cut marker, and the largest frame. */
export const MIN_RECORD_BYTES = 1024;
export const MAX_RECORD_BYTES = 1024 * 1024;

/** A validated serve record. `token` is a secret: never print it, nor `endpoint` with it. */
export interface Serve {
  /** The `logfebe.identity` a connection on this socket must announce. */
  readonly identity: string;
  /** Absolute path of the unix socket to listen on. */
  readonly socketPath: string;
  /** The logplex URL without user information (safe to print). */
  readonly endpoint: string;
  /** The basic-auth user sent with the token (logplex expects `token`). */
  readonly user: string;
  /** The logplex token, sent as the basic-auth password. */
  readonly token: string;
  /** Shown as `[name]` in messages. */
  readonly name?: string;
  /** Overrides the command's `--format` for this serve. */
  readonly format?: ServeFormat;
  /** Overrides the command's `--max-record-bytes` for this serve (`"max_record_bytes"`). */
  readonly maxRecordBytes?: number;
}

/** True when two serves would behave identically (same socket, identity, destination and output). */
export function sameServe(a: Serve, b: Serve): boolean {
  return a.socketPath === b.socketPath && a.identity === b.identity && a.endpoint === b.endpoint &&
    a.user === b.user && a.token === b.token && a.name === b.name && a.format === b.format &&
    a.maxRecordBytes === b.maxRecordBytes;
}

/** How a serve is named in logs and metrics: its name if it has one, else its identity. */
export function serveLabel(serve: Serve): string {
  return serve.name ?? serve.identity;
}
