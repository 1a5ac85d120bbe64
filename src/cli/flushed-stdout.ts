/**
 * A stdout for the CLI context whose writes can be awaited. The process exits explicitly (an idle
 * database socket must not keep a Nagios check alive), and under Bun a pipe write still queued at
 * exit is lost: output to a slow reader was cut at the 64 KiB pipe buffer, truncating `--format json`.
 * Awaiting each write's own callback is what holds under Bun, Deno and Node alike.
 * @module
 */

/** The slice of a writable stream the CLI uses. */
interface WritableLike {
  write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean;
  readonly isTTY?: boolean;
  getColorDepth?(): number;
}

/** A stream wrapper plus `flushed()`, which resolves once everything written so far reached the OS. */
export interface FlushedStream extends WritableLike {
  flushed(): Promise<void>;
}

/** Wraps `stream` so that `flushed()` can be awaited before exiting. */
export function flushedStream(stream: WritableLike): FlushedStream {
  let last: Promise<void> = Promise.resolve();
  return {
    get isTTY() {
      return stream.isTTY;
    },
    // Colour only at a terminal: Deno reports a colour depth for pipes too, which put escape codes
    // into a Nagios log.
    getColorDepth: () => (stream.isTTY ? stream.getColorDepth?.() ?? 1 : 1),
    write(chunk) {
      const previous = last;
      const done = new Promise<void>((resolve) => stream.write(chunk, () => resolve()));
      last = Promise.all([previous, done]).then(() => undefined);
      return true;
    },
    flushed: () => last,
  };
}
