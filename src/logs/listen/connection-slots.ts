/**
 * Connections all serves hold together, kept below the process's open-file limit. Every accepted
 * connection is a file descriptor, and so is every request to logplex, spool file and the stats
 * server: a local user holding connections up to the limit would leave serve-logs unable to send
 * anything (EMFILE), and the runtime would spin on the accept it cannot complete. So a reserve stays
 * free and past the rest new connections are closed on arrival (counted refused, like
 * `--max-connections`).
 * @module
 */
import { readFileSync } from "node:fs";

/** Slots for connections shared by every serve. */
export interface ConnectionSlots {
  /** Takes a slot; false when none is free. */
  tryTake(): boolean;
  /** Gives a slot back (the connection closed). */
  give(): void;
  /** Connections all serves may hold. */
  readonly limit: number;
}

/** The soft open-file limit from `/proc/self/limits` text ("Max open files  1024  524288  files"). */
export function parseOpenFileLimit(limits: string): number | undefined {
  const soft = /^Max open files\s+(\d+)\s/m.exec(limits)?.[1];
  return soft === undefined ? undefined : Number(soft);
}

/** This process's open-file limit, where Linux says; undefined elsewhere (or "unlimited"). */
export function openFileLimit(): number | undefined {
  try {
    return parseOpenFileLimit(readFileSync("/proc/self/limits", "utf8"));
  } catch {
    return undefined;
  }
}

/** Descriptors kept free for logplex requests, spool files, the stats server and the listeners. */
export function reservedFiles(limit: number): number {
  return Math.max(256, Math.floor(limit / 8));
}

/** Slots for `openFiles` (no bound when unknown), less the reserve, at least 16. */
export function createConnectionSlots(openFiles: number | undefined): ConnectionSlots {
  const limit = openFiles === undefined ? Number.POSITIVE_INFINITY : Math.max(16, openFiles - reservedFiles(openFiles));
  let used = 0;
  return {
    tryTake() {
      if (used >= limit) return false;
      used++;
      return true;
    },
    give: () => void used--,
    limit,
  };
}
