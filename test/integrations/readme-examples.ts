/**
 * The README's examples, so tests run what the README shows: each code block that follows an
 * `<!-- example: NAME -->` marker, by name, and every fenced block for checks over all of them.
 * @module
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** One fenced code block. */
export interface CodeBlock {
  readonly language: string;
  readonly body: string;
  /** 1-based line of the opening fence, for messages. */
  readonly line: number;
}

const README = resolve(import.meta.dir, "../../README.md");

function blocks(text: string): (CodeBlock & { marker?: string })[] {
  const lines = text.split("\n");
  const found: (CodeBlock & { marker?: string })[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const end = lines.findIndex((l, j) => j > i && l === "```");
    if (end < 0) throw new Error(`README.md:${i + 1}: code block is not closed`);
    const marker = /^<!-- example: ([a-z0-9-]+) -->$/.exec(lines[i - 1] ?? "")?.[1];
    found.push({
      language: fence[1]!,
      body: lines.slice(i + 1, end).join("\n") + "\n",
      line: i + 1,
      ...(marker ? { marker } : {}),
    });
    i = end;
  }
  return found;
}

/** Every fenced code block of the README. */
export function readmeBlocks(): CodeBlock[] {
  return blocks(readFileSync(README, "utf8"));
}

/** The block marked `<!-- example: name -->`; throws when the README has none (an example was removed). */
export function readmeExample(name: string): CodeBlock {
  const found = blocks(readFileSync(README, "utf8")).filter((b) => b.marker === name);
  if (found.length !== 1) throw new Error(`README.md has ${found.length} examples named "${name}" (expected 1)`);
  return found[0]!;
}

/** The command part of a cron line: after five time fields, and after the user field in /etc/cron.d files. */
export function cronCommand(block: CodeBlock, options: { withUser: boolean }): string {
  const line = block.body.split("\n").find((l) => l.trim() !== "" && !l.startsWith("#"));
  if (!line) throw new Error(`README.md:${block.line}: no cron line`);
  const fields = line.trim().split(/\s+/);
  return fields.slice(options.withUser ? 6 : 5).join(" ");
}
