/**
 * What every serve's forwarder is configured with: the serve-logs flags that apply to all serves,
 * and the memory and spool they share.
 * @module
 */
import type { MemoryBudget } from "./logplex/budget.ts";
import type { LogFormat } from "./logplex/format.ts";
import type { LogplexSenderOptions } from "./logplex/sender.ts";
import type { ConnectionSlots } from "./listen/connection-slots.ts";
import type { SplitFrameMemory } from "./listen/split-frame-memory.ts";
import type { SpoolRoot } from "./spool/spool-root.ts";

/** Sender tuning shared by every serve (the flags of serve-logs). */
export type SenderTuning = Pick<
  LogplexSenderOptions,
  "maxServeBytes" | "flushBytes" | "flushIntervalMs" | "maxInFlight" | "requestTimeoutMs" | "caFile" | "insecure"
>;

/** Settings every forwarder shares. */
export interface ForwarderSettings {
  /** Format for serves that do not choose one. */
  readonly defaultFormat: LogFormat;
  /** File mode of the socket. */
  readonly socketMode: number;
  /** Largest pg_logfebe frame accepted. @default 1048576 */
  readonly maxFrameBytes?: number;
  /** Most bytes of text one record keeps; the rest is cut and marked (a serve may set its own). */
  readonly maxRecordBytes: number;
  /** How long a connection may stop inside a frame before it is closed. */
  readonly frameTimeoutMs: number;
  /** Connections one serve keeps open; more are closed as they arrive. */
  readonly maxConnections: number;
  /** Memory of frames split across reads, shared by all serves. */
  readonly splitFrames: SplitFrameMemory;
  /** Connections all serves may hold together (below the open-file limit). @default no bound */
  readonly connectionSlots?: ConnectionSlots;
  readonly sender: SenderTuning;
  /** Byte budget shared by all serves' senders. */
  readonly budget: MemoryBudget;
  /** Where log lines go (stderr); they never contain tokens. */
  readonly log: (line: string) => void;
  /** Minimum time between two complaints of one kind per serve. @default 10000 */
  readonly logIntervalMs?: number;
  /** The spool directory (`--spool-dir`); without it nothing is spooled. */
  readonly spool?: SpoolRoot;
}

/** A forwarder that only empties the spool of a serve no longer in the serve database. */
export interface DrainOnly {
  /** Called once the spool is empty and nothing from it is in flight. */
  readonly onDrained: () => void;
}
