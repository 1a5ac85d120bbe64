/**
 * TLS settings for outgoing fetch, the one runtime-specific corner of the logplex client: Bun takes a
 * `tls: { ca, rejectUnauthorized }` fetch option, Deno a client from `Deno.createHttpClient`, and
 * Node's global fetch takes neither (use NODE_EXTRA_CA_CERTS there).
 * @module
 */
import { readFileSync } from "node:fs";

/** The subset of fetch the logplex sender uses. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** How to verify the server. */
export interface TlsSettings {
  /** PEM file of CAs to trust instead of the system store. */
  readonly caFile?: string;
  /** Skip certificate verification. @default false */
  readonly insecure?: boolean;
}

/** A fetch with the TLS settings applied, and a warning when the runtime cannot honour them. */
export interface TlsFetch {
  readonly fetch: FetchLike;
  readonly warning?: string;
}

interface DenoHttp {
  createHttpClient?(options: { caCerts?: string[] }): unknown;
}

/**
 * Wraps `base` so every request uses `settings`.
 * @throws {Error} `Cannot read CA file "<path>": <why>` when the CA file is unreadable.
 */
export function fetchWithTls(settings: TlsSettings, base: FetchLike = (url, init) => fetch(url, init)): TlsFetch {
  const ca = settings.caFile === undefined ? undefined : readCa(settings.caFile);
  const insecure = settings.insecure ?? false;
  if (ca === undefined && !insecure) return { fetch: base };
  const runtime = globalThis as { Bun?: unknown; Deno?: DenoHttp };
  if (runtime.Bun) {
    return { fetch: (url, init) => base(url, { ...init, tls: { ca, rejectUnauthorized: !insecure } } as RequestInit) };
  }
  if (runtime.Deno?.createHttpClient) {
    const client = ca === undefined ? undefined : runtime.Deno.createHttpClient({ caCerts: [ca] });
    const warning = insecure
      ? "--insecure has no effect under Deno: run deno with --unsafely-ignore-certificate-errors"
      : undefined;
    return { fetch: client ? (url, init) => base(url, { ...init, client } as RequestInit) : base, warning };
  }
  return {
    fetch: base,
    warning: "TLS options have no effect on this runtime: use NODE_EXTRA_CA_CERTS or NODE_TLS_REJECT_UNAUTHORIZED",
  };
}

const fileErrors: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EISDIR: "it is a directory",
};

function readCa(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    throw new Error(`Cannot read CA file "${path}": ${fileErrors[code] ?? code}`, { cause: error });
  }
}
