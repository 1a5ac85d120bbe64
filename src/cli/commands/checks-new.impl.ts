/** `posemo checks new NAME`: writes the scaffold; refuses an existing folder or a bad name. @module */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CliContext } from "../context.ts";
import { say } from "../context.ts";
import { UserError } from "../../errors.ts";
import type { ChecksNewFlags } from "./checks.ts";
import { scaffoldFiles } from "../../catalogue/scaffold.ts";

const CHECK_NAME = /^[a-z][a-z0-9_]{0,62}$/;

export default async function checksNew(this: CliContext, flags: ChecksNewFlags, name: string): Promise<void> {
  if (!CHECK_NAME.test(name)) {
    throw new UserError(`Cannot use "${name}" as a check name: snake_case, a letter first, at most 63 characters`);
  }
  const folder = join(flags.dir, name);
  if (existsSync(folder)) throw new UserError(`Cannot create "${folder}": it exists already`);
  mkdirSync(folder, { recursive: true });
  for (const [file, text] of Object.entries(scaffoldFiles(name))) writeFileSync(join(folder, file), text);
  say(
    this,
    `created ${folder}/check.yaml and ${folder}/pg12.sql; try it with: posemo checks test ${flags.dir} -H HOST -U SUPERUSER`,
  );
}
