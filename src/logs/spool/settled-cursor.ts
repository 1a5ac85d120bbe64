/**
 * Keeping a spool's cursor file up to date: the position before which everything is settled, and
 * the batches past it settled while an older one was still in flight (a restart skips them).
 * @module
 */
import { join } from "node:path";
import { CursorFile, type SettledRange, type SpoolPosition } from "./cursor.ts";
import { errorText } from "./spool-health.ts";

export class SettledCursor {
  readonly #file: CursorFile;
  /** Batches settled past the position, ordered by where they start. */
  #ahead: SettledRange[] = [];
  #lastSaved = "";

  constructor(dir: string, report: (kind: string, line: string) => void) {
    this.#file = new CursorFile(
      join(dir, "cursor"),
      (error) => report("cursor", `spool: cannot write the cursor in "${dir}": ${errorText(error)}`),
    );
  }

  /** A batch's bytes were settled (sent, refused for good, or given up on). */
  settled(range: SettledRange): void {
    this.#ahead.push(range);
  }

  /** Writes the cursor for `position`, forgetting settled ranges it has passed; nothing when unchanged. */
  save(position: SpoolPosition): void {
    const past = (r: SettledRange) => r.seq > position.seq || (r.seq === position.seq && r.start >= position.offset);
    this.#ahead = joinTouching(this.#ahead.filter(past).sort((a, b) => a.seq - b.seq || a.start - b.start));
    // Joined ranges can grow without their count or last end changing: the bytes they cover always do.
    const covered = this.#ahead.reduce((sum, r) => sum + r.end - r.start, 0);
    const key = `${position.seq}:${position.offset}:${this.#ahead.length}:${covered}`;
    if (key === this.#lastSaved) return;
    this.#lastSaved = key;
    this.#file.set({ ...position, settled: this.#ahead });
  }

  /** Flushes the cursor file to the disk. */
  sync(): Promise<void> {
    return this.#file.sync();
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}

/**
 * Joins sorted ranges that touch or overlap in one segment. Batches are read back to back, so the
 * thousands a request hung for `--request-timeout` can see settle behind it stay one range, well
 * inside what the cursor file keeps (MAX_SETTLED_RANGES), and a restart re-sends none of them.
 */
export function joinTouching(sorted: readonly SettledRange[]): SettledRange[] {
  const joined: SettledRange[] = [];
  for (const range of sorted) {
    const last = joined.at(-1);
    if (last !== undefined && last.seq === range.seq && range.start <= last.end) {
      joined[joined.length - 1] = { ...last, end: Math.max(last.end, range.end) };
    } else joined.push(range);
  }
  return joined;
}
