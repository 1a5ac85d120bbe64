/**
 * `.pgpass` lookup as libpq does it: `host:port:database:user:password` lines, `*` matches anything,
 * `\` escapes `:` and `\`, first match wins. A file readable by group or others is ignored (with a
 * warning), because libpq refuses such files too.
 * @module
 */

/** One `.pgpass` entry. */
interface PgpassEntry {
  readonly host: string;
  readonly port: string;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

/** Splits one line on unescaped colons and unescapes `\:` and `\\`. */
function splitFields(line: string): string[] {
  const fields: string[] = [];
  let current = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "\\" && i + 1 < line.length) current += line[++i];
    else if (ch === ":") {
      fields.push(current);
      current = "";
    } else current += ch;
  }
  fields.push(current);
  return fields;
}

/** Parses the file's text; comment lines and lines with fewer than five fields are skipped. */
export function parsePgpass(text: string): PgpassEntry[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map(splitFields)
    .filter((f) => f.length >= 5)
    .map(([host, port, database, user, ...rest]) => ({
      host: host!,
      port: port!,
      database: database!,
      user: user!,
      password: rest.join(":"),
    }));
}

function matches(pattern: string, value: string): boolean {
  return pattern === "*" || pattern === value;
}

/** The password for this connection, or undefined. `hosts` lists the names the host may match. */
export function findPgpassPassword(
  entries: readonly PgpassEntry[],
  want: { hosts: readonly string[]; port: number; database: string; user: string },
): string | undefined {
  const entry = entries.find((e) =>
    want.hosts.some((h) => matches(e.host, h)) && matches(e.port, String(want.port)) &&
    matches(e.database, want.database) && matches(e.user, want.user)
  );
  return entry?.password;
}
