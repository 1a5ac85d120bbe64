/**
 * A logplex URL taken apart once: where to POST (without userinfo), the Authorization header, a
 * redacted form for log lines, and the secrets log lines must never contain.
 * @module
 */

/** A parsed logplex endpoint. */
export interface LogplexEndpoint {
  /** The URL to POST to, userinfo removed (credentials travel in `authorization`). */
  readonly url: string;
  /** `https://host/logs`: what log lines and errors may show. */
  readonly redacted: string;
  /** `Basic base64(user:token)`. */
  readonly authorization: string;
  /** The token and URL password in every spelling that could leak (raw and percent-encoded). */
  readonly secrets: readonly string[];
}

/** Removes userinfo from something that may not even parse as a URL. */
export function redactUrl(raw: string): string {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url?.host) return `${url.protocol}//${url.host}${url.pathname}`;
  // Unparsable or opaque ("token:secret@host" parses with scheme "token:"): drop everything up to
  // the last "@", since a password may itself contain "/" or "@".
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/i, "$1").replace(/[?#].*$/, "");
}

/** Base64 of the UTF-8 bytes of `text` (btoa alone only takes Latin-1). */
function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Parses `rawUrl`; the token is `token` if given, else the URL's password. The Basic-auth user is the
 * URL's user name, or `token` as logplex expects for token auth.
 * @throws {TypeError} `Cannot use logplex URL "<redacted>": <why>` for a bad scheme, URL or missing token.
 */
export function parseLogplexEndpoint(rawUrl: string, token?: string): LogplexEndpoint {
  const fail = (why: string) => new TypeError(`Cannot use logplex URL "${redactUrl(rawUrl)}": ${why}`);
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw fail("not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw fail("expected an https:// or http:// URL");
  const password = decodeURIComponent(url.password);
  const secret = token ?? password;
  if (!secret) throw fail("no token: give one, or put it in the URL as https://token:SECRET@host/logs");
  const user = decodeURIComponent(url.username) || "token";
  const credentials = base64(`${user}:${secret}`);
  // The Basic credentials too: an error page may echo the request's Authorization header.
  // And the query: some endpoints take a key there (`?token=...`), and a runtime's error may quote the URL.
  const query = url.search.slice(1);
  const spellings = [secret, password, url.password, encodeURIComponent(secret), credentials, query];
  const secrets = [...new Set(spellings.filter((s) => s.length > 0))];
  url.username = "";
  url.password = "";
  return { url: url.href, redacted: redactUrl(url.href), authorization: `Basic ${credentials}`, secrets };
}

/** Replaces every secret in `line` with `***`; the last line of defence for log output. */
export function scrubSecrets(line: string, secrets: readonly string[]): string {
  let clean = line;
  // Longest first: a short secret replaced inside a longer one would leave the rest of that one.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) clean = clean.split(secret).join("***");
  return clean;
}
