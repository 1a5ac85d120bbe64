/**
 * One series per serve in `/metrics`, however many generations of it exist. A changed serve (new URL,
 * format or cap on the same socket) starts a new forwarder while the old one drains; both carry the
 * same identity, name and socket, and exporting both gave two series with identical labels, which
 * Prometheus rejects. Their figures are summed instead, and when the old one finishes draining its
 * final counters are kept and added to its successor's, so counters never go backwards across a
 * reload (a labelled "generation" would have made every reload look like a counter reset). Pure.
 * @module
 */
import type { ServeCounters } from "../stats.ts";
import type { ServeSnapshot } from "./snapshot.ts";

/** The labels a serve's series carry, as one key. */
export function labelKey(snapshot: ServeSnapshot): string {
  return JSON.stringify([snapshot.identity, snapshot.name ?? "", snapshot.socketPath]);
}

/** `a` and `b` summed figure by figure; `a` gives the labels, either listening makes it listening. */
export function addSnapshots(a: ServeSnapshot, b: ServeSnapshot): ServeSnapshot {
  const counters = { ...a.counters };
  for (const key of Object.keys(counters) as (keyof ServeCounters)[]) counters[key] += b.counters[key];
  const sum = { ...a, counters, listening: a.listening || b.listening } as Record<string, unknown>;
  for (const [key, value] of Object.entries(b)) {
    if (typeof value === "number") sum[key] = (a[key as keyof ServeSnapshot] as number) + value;
  }
  return sum as unknown as ServeSnapshot;
}

/** Snapshots with the same labels merged into one, in order of first appearance. */
export function mergeByLabels(snapshots: readonly ServeSnapshot[]): ServeSnapshot[] {
  const merged = new Map<string, ServeSnapshot>();
  for (const snapshot of snapshots) {
    const key = labelKey(snapshot);
    const seen = merged.get(key);
    merged.set(key, seen ? addSnapshots(seen, snapshot) : snapshot);
  }
  return [...merged.values()];
}
