/**
 * The names the installer's SQL refers to and the templates that use them; every name is filled in
 * quoted (src/db/quote.ts), so names that need quoting work and a name can never inject SQL.
 * @module
 */
import { quoteIdent, quoteLiteral } from "../db/quote.ts";

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
