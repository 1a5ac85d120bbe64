/**
 * The real pg_logfebe captures in `test/fixtures/logfebe` (kept in the repository so that a clone needs
 * nothing beside it): PostgreSQL 15.20, identity `e2e identity`. See that folder's README.md for what each holds.
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

const FIXTURE_DIR = resolve(import.meta.dirname, "../test/fixtures/logfebe");

/** The identity every fixture's `I` frame carries. */
export const FIXTURE_IDENTITY = "e2e identity";

/** Absolute path of fixture `name` (`pg15-checkpointer.bin`; the `.bin` may be left out). */
export function fixturePath(name: string): string {
  return resolve(FIXTURE_DIR, name.endsWith(".bin") ? name : `${name}.bin`);
}

/** The bytes of fixture `name`, exactly as the PostgreSQL process sent them. */
export function readFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}

/** Every fixture's file name, sorted. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR).filter((name) => name.endsWith(".bin")).sort();
}
