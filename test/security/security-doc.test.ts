/**
 * docs/security.md puts the test that proves it next to each claim: every test file it names exists,
 * and every test name it quotes after a file is found in that file (a renamed test breaks the doc).
 */
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dir, "../..");
const doc = readFileSync(resolve(root, "docs/security.md"), "utf8");

test("every test file docs/security.md cites exists, and every quoted test name is in the file cited before it", () => {
  const cited: Array<{ file: string; name?: string }> = [];
  let file = "";
  for (const line of doc.split("\n")) {
    for (const match of line.matchAll(/`(test\/[\w/.-]+\.test\.ts)`|"([^"]{12,})"/g)) {
      if (match[1]) cited.push({ file: file = match[1] });
      else if (file && line.includes("test")) {
        cited.push({ file, name: match[2]!.replace(/ \.\.\. /g, " ").replace(/\.\.\.$/, "").trim() });
      }
    }
  }
  expect(cited.filter((c) => !c.name).length).toBeGreaterThan(8);
  for (const c of cited) {
    expect({ file: c.file, exists: existsSync(resolve(root, c.file)) }).toEqual({ file: c.file, exists: true });
    if (!c.name) continue;
    const source = readFileSync(resolve(root, c.file), "utf8");
    const pieces = c.name.split(/\.\.\.|\s{2,}/).map((p) => p.trim()).filter((p) => p.length > 3);
    for (const piece of pieces) {
      expect({ file: c.file, name: piece, found: source.includes(piece) }).toEqual({
        file: c.file,
        name: piece,
        found: true,
      });
    }
  }
});
