/**
 * A stdout for the CLI context whose writes can be awaited. The process exits explicitly (an idle
 * database socket must not keep a Nagios check alive), and under Bun a pipe write still queued at
 * exit is lost: output to a slow reader was cut at the 64 KiB pipe buffer, truncating `--format json`.
 * Awaiting each write's own callback is what holds under Bun, Deno and Node alike.
 * A reader that stops early (`| head -1`) is reported once to `onClosed` instead of surfacing as an
 * unhandled 'error' event with a stack trace.
 * @module
 */
import { isClosedPipe } from "./exit-code.ts";

/** The slice of a writable stream the CLI uses. */
interface WritableLike {
  write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean;
  readonly isTTY?: boolean;
  getColorDepth?(): number;
  on?(event: "error", listener: (error: Error) => void): unknown;
}

/** A stream wrapper plus `flushed()`, which resolves once everything written so far reached the OS. */
export interface FlushedStream extends WritableLike {
  flushed(): Promise<void>;
}

/**
 * Wraps `stream` so that `flushed()` can be awaited before exiting; `onClosed` runs (once) when the
 * reading end of the pipe is gone. Any other stream error stays an error.
 */
export function flushedStream(stream: WritableLike, onClosed: () => void = () => {}): FlushedStream {
  let last: Promise<void> = Promise.resolve();
  let closed = false;
  const noticeClosed = (error: unknown) => {
    if (!isClosedPipe(error) || closed) return;
    closed = true;
    onClosed();
  };
  stream.on?.("error", (error) => {
    if (!isClosedPipe(error)) throw error;
    noticeClosed(error);
  });
  return {
    get isTTY() {
      return stream.isTTY;
    },
    // Colour only at a terminal: Deno reports a colour depth for pipes too, which put escape codes
    // into a Nagios log.
    getColorDepth: () => (stream.isTTY ? stream.getColorDepth?.() ?? 1 : 1),
    write(chunk) {
      const previous = last;
      const done = new Promise<void>((resolve) =>
        stream.write(chunk, (error) => {
          noticeClosed(error);
          resolve();
        })
      );
      last = Promise.all([previous, done]).then(() => undefined);
      return true;
    },
    flushed: () => last,
  };
}
