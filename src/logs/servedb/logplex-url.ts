/**
 * Logplex URLs carry the token as the basic-auth password (`https://token:SECRET@host/logs`). These
 * helpers split one into a printable endpoint and the credentials, and print URLs without secrets.
 * @module
 */

/** A logplex destination: where to POST and with which credentials. */
export interface LogplexTarget {
  /** The URL without user information: safe to print. */
  readonly endpoint: string;
  /** Basic-auth user (`token` when the URL gives none). */
  readonly user: string;
  /** Basic-auth password, i.e. the logplex token; empty when the URL has none. */
  readonly token: string;
}

/** The basic-auth user logplex expects when it looks a token up. */
export const DEFAULT_LOGPLEX_USER = "token";

/**
 * Parses an absolute http(s) URL into a target, or returns why it cannot be used. The reason never
 * quotes the input: it may hold a token.
 */
export function parseLogplexUrl(text: string): LogplexTarget | string {
  if (!URL.canParse(text)) return "it is not an absolute URL";
  const url = new URL(text);
  if (url.protocol !== "https:" && url.protocol !== "http:") return "it is not an http or https URL";
  const user = percentDecoded(url.username) || DEFAULT_LOGPLEX_USER;
  const token = percentDecoded(url.password);
  url.username = "";
  url.password = "";
  return { endpoint: url.href, user, token };
}

/** Decodes `%xx` escapes; a malformed escape is kept as written rather than rejected. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A URL for messages: the password replaced by `***`. Input that is not an http(s) URL is not echoed
 * at all, since `token:SECRET` parses as a URL whose scheme is `token`.
 */
export function redactUrl(text: string): string {
  if (!URL.canParse(text)) return "(unparseable URL)";
  const url = new URL(text);
  if (url.protocol !== "https:" && url.protocol !== "http:") return "(not an http URL)";
  if (url.password) url.password = "***";
  return url.href;
}
