/**
 * Pure diff of two serve sets, keyed by socket path: what to open, what to close, what to leave alone.
 * Leaving unchanged serves alone is what keeps their PostgreSQL connections alive across a reload
 * (the original restarted every listener, costing one record per connected backend).
 * @module
 */
import { sameServe, type Serve } from "./serve.ts";

/** The listener changes that turn the running set into the next one. */
export interface ServeChanges {
  /** Serves whose listener must be closed (removed, or changed: those also appear in `open`). */
  readonly close: readonly Serve[];
  /** Serves that need a new listener. */
  readonly open: readonly Serve[];
  /** Serves that stay exactly as they are. */
  readonly keep: readonly Serve[];
}

/** Compares the running serves with the next set. A changed serve is closed and opened again. */
export function diffServes(running: readonly Serve[], next: readonly Serve[]): ServeChanges {
  const nextByPath = new Map(next.map((serve) => [serve.socketPath, serve]));
  const runningByPath = new Map(running.map((serve) => [serve.socketPath, serve]));
  const unchanged = (serve: Serve, other: Map<string, Serve>) => {
    const twin = other.get(serve.socketPath);
    return twin !== undefined && sameServe(serve, twin);
  };
  return {
    close: running.filter((serve) => !unchanged(serve, nextByPath)),
    open: next.filter((serve) => !unchanged(serve, runningByPath)),
    keep: running.filter((serve) => unchanged(serve, nextByPath)),
  };
}

/** True when applying the changes would do nothing. */
export function isNoChange(changes: ServeChanges): boolean {
  return changes.close.length === 0 && changes.open.length === 0;
}
