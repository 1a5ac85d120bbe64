/**
 * The statement that calls one check function, with the argument values given (named, so their
 * order does not matter and an argument left out keeps the function's default).
 * @module
 */
import type { CheckDefinition } from "../catalogue/definition.ts";
import { quoteIdent, quoteLiteral } from "../db/quote.ts";

/** Argument values by name, as text (the function casts them to the argument's type). */
export type CallArguments = Readonly<Record<string, string>>;

/** `SELECT * FROM "posemo"."table_bloat"("min_size" => '10485760')` */
export function callSql(schema: string, check: CheckDefinition, args: CallArguments = {}): string {
  const named = check.arguments.filter((a) => args[a.name] !== undefined).map((a) =>
    `${quoteIdent(a.name)} => ${quoteLiteral(args[a.name]!)}`
  );
  return `SELECT * FROM ${quoteIdent(schema)}.${quoteIdent(check.name)}(${named.join(", ")})`;
}
