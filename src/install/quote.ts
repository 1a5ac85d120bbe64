/**
 * Quoting for SQL text the installer generates. Every identifier is quoted, always: names that need
 * quoting work, and a name can never inject SQL.
 * @module
 */
import { identifierProblem } from "../db/identifier.ts";

/**
 * Quotes an identifier: `a"b` → `"a""b"`. Rejects what PostgreSQL would not take as it is; names from
 * users are checked at the boundary (flag parsers, configuration), so this throwing is a bug.
 */
export function quoteIdent(name: string): string {
  const problem = identifierProblem(name);
  if (problem !== undefined) throw new RangeError(`Cannot use "${name}" as an identifier: ${problem}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal with standard_conforming_strings semantics: `it's` → `'it''s'`. */
export function quoteLiteral(value: string): string {
  if (value.includes("\0")) throw new RangeError("Cannot quote a string containing NUL");
  return `'${value.replaceAll("'", "''")}'`;
}

/** Names the install SQL refers to, unquoted. */
export interface InstallNames {
  readonly schema: string;
  readonly owner: string;
  readonly monitoring: string;
  readonly database: string;
}

/**
 * Fills `{{schema}}`, `{{owner}}`, `{{monitoring}}`, `{{database}}` with quoted identifiers and
 * `{{database_literal}}`-style placeholders with literals. Unknown placeholders are an error, so a
 * typo in a template fails the tests instead of reaching a server.
 */
export function fillTemplate(template: string, names: InstallNames, extra: Record<string, string> = {}): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (key in extra) return extra[key]!;
    if (key.endsWith("_literal")) {
      const base = key.slice(0, -"_literal".length) as keyof InstallNames;
      if (base in names) return quoteLiteral(names[base]);
    }
    if (key in names) return quoteIdent(names[key as keyof InstallNames]);
    throw new RangeError(`Cannot fill template: unknown placeholder "{{${key}}}"`);
  });
}
