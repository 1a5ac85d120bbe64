/**
 * A minimal valid CheckDefinition for pure tests; override what the test is about. One place, so a
 * new required catalogue key is added once rather than in every test file.
 * @module
 */
import type { CheckDefinition } from "../../src/catalogue/definition.ts";

/** A cluster-scope SQL check named `name` with one integer column `value`. */
export function sampleCheck(name = "sample", overrides: Partial<CheckDefinition> = {}): CheckDefinition {
  return {
    name,
    description: `the ${name} check`,
    columns: [{ name: "value", type: "integer" }],
    unit: "",
    arguments: [],
    counter: false,
    writes: false,
    role: "any",
    scope: "cluster",
    language: "sql",
    variants: [{ minMajor: 12, body: "SELECT 1", hash: `${name}-hash` }],
    ...overrides,
  };
}
