/**
 * The running serves: applies a new serve set by opening listeners for new sockets and closing
 * removed ones, leaving unchanged serves (and their live PostgreSQL connections) alone. A removed
 * serve's sender keeps draining in the background until its deadline. With `--spool-dir`, spools of
 * serves no longer in the serve database are sent by drain-only forwarders (spool-drains.ts).
 * @module
 */
import { diffServes, isNoChange } from "./servedb/diff.ts";
import { type Serve, serveLabel } from "./servedb/serve.ts";
import { createServeForwarder, type ForwarderSettings, type ServeForwarder } from "./forward.ts";
import { type ServeSnapshot, snapshotOf } from "./report/snapshot.ts";
import { addSnapshots, labelKey, mergeByLabels } from "./report/merge.ts";
import { statsLine } from "./report/stats-line.ts";
import { createSpoolDrains } from "./spool-drains.ts";

/** Settings of the serve set. */
export interface ServeSetSettings extends ForwarderSettings {
  /** How long a removed serve (and every serve at shutdown) may take to send what is pending. */
  readonly drainTimeoutMs: number;
}

/** The running serves. */
export interface ServeSet {
  /** Makes `serves` the running set. Never throws: a socket that cannot be bound is logged and retried by `retryFailed`. */
  apply(serves: readonly Serve[]): Promise<void>;
  /** Checks the listening sockets' files are still theirs, and tries again to bind the sockets that failed or lost them. */
  retryFailed(): Promise<void>;
  /** Every forwarder with counters worth showing: running ones, then removed ones still draining, then spools being sent. */
  forwarders(): readonly ServeForwarder[];
  /**
   * The figures per serve as `/metrics` shows them: one per set of labels, a draining generation
   * added to the running one, and finished generations' counters kept while the serve runs.
   */
  snapshots(): ServeSnapshot[];
  /** Closes every listener and drains every sender within the deadline; later applies do nothing. */
  close(): Promise<void>;
}

/** Creates an empty serve set. */
export function createServeSet(settings: ServeSetSettings): ServeSet {
  const running = new Map<string, ServeForwarder>();
  const draining = new Set<Promise<void>>();
  const drainingForwarders = new Set<ServeForwarder>();
  /** Final figures of finished generations, by labels (dropped at the next apply when no serve has those labels). */
  const retired = new Map<string, ServeSnapshot>();
  const runningKeys = () => new Set([...running.values()].map((f) => labelKey(snapshotOf(f))));
  const keepFinal = (forwarder: ServeForwarder) => {
    const final = handOverSpooled(snapshotOf(forwarder));
    const key = labelKey(final);
    const before = retired.get(key);
    retired.set(key, before ? addSnapshots(before, final) : final);
  };
  const log = settings.log;
  let closed = false;
  const serially = serialize();
  const spoolRoot = settings.spool;
  const drains = spoolRoot && createSpoolDrains(settings, spoolRoot, serially, (forwarder) => keepFinal(forwarder));
  /** Spool directories owned by a running or retiring forwarder, and the close a new owner must wait for. */
  const retiringSpools = new Map<string, Promise<void>>();
  const spoolsInUse = () => new Set([...running.values(), ...drainingForwarders].map((f) => spoolRoot!.dirOf(f.serve)));

  const retire = async (forwarder: ServeForwarder) => {
    running.delete(forwarder.serve.socketPath);
    await forwarder.stopListening();
    drainingForwarders.add(forwarder);
    const done = forwarder.close(settings.drainTimeoutMs).finally(() => {
      keepFinal(forwarder);
      drainingForwarders.delete(forwarder);
      draining.delete(done);
      if (!closed) log(statsLine(snapshotOf(forwarder))); // its last figures; at shutdown serve-logs prints them all
      if (spoolRoot && retiringSpools.get(spoolRoot.dirOf(forwarder.serve)) === done) {
        retiringSpools.delete(spoolRoot.dirOf(forwarder.serve));
      }
      if (drains && !closed) void serially(async () => drains.adopt(spoolsInUse())); // what it left in its spool
    });
    draining.add(done);
    if (spoolRoot) retiringSpools.set(spoolRoot.dirOf(forwarder.serve), done);
  };

  const start = async (serve: Serve) => {
    if (spoolRoot) {
      await drains?.release(serve); // the serve is back: it takes its spool over
      await retiringSpools.get(spoolRoot.dirOf(serve));
    }
    let forwarder: ServeForwarder;
    try {
      forwarder = createServeForwarder(serve, settings);
    } catch (error) {
      return log(`serve-logs: [${serveLabel(serve)}] cannot start: ${(error as Error).message}`);
    }
    running.set(serve.socketPath, forwarder);
    await listenLogged(forwarder, log);
  };

  return {
    apply: (serves) =>
      serially(async () => {
        if (closed) return; // a poll that finished during shutdown must not open sockets again
        const changes = diffServes([...running.values()].map((f) => f.serve), serves);
        await Promise.all(changes.close.map((serve) => retire(running.get(serve.socketPath)!)));
        await Promise.all(changes.open.map(start));
        drains?.adopt(spoolsInUse());
        const keys = runningKeys();
        for (const key of retired.keys()) if (!keys.has(key)) retired.delete(key); // a removed serve's series goes with it
        if (!isNoChange(changes)) {
          log(
            `serve-logs: serve set applied: ${changes.open.length} opened, ${changes.close.length} closed, ${changes.keep.length} unchanged`,
          );
        }
      }),
    retryFailed: () =>
      serially(async () => {
        if (closed) return;
        await Promise.all([...running.values()].map((f) => checkSocketLogged(f, log)));
        await Promise.all([...running.values()].filter((f) => !f.listening).map((f) => listenLogged(f, log)));
      }),
    forwarders: () => [...running.values(), ...drainingForwarders, ...(drains?.forwarders() ?? [])],
    snapshots: () => {
      const live = mergeByLabels(
        [...running.values(), ...drainingForwarders, ...(drains?.forwarders() ?? [])].map(snapshotOf),
      );
      return live.map((snapshot) => {
        const old = retired.get(labelKey(snapshot));
        return old ? addSnapshots(snapshot, { ...old, listening: false }) : snapshot;
      });
    },
    close: () =>
      serially(async () => {
        closed = true;
        await Promise.all([...running.values()].map(retire));
        await Promise.all([...draining, drains?.close()]);
      }),
  };
}

/**
 * A finished generation's records still in its spool are handed over (to the drain of that spool, or
 * to the serve's next run, which count them received again): its kept figures leave them out.
 */
function handOverSpooled(final: ServeSnapshot): ServeSnapshot {
  const { spooled, received } = final.counters;
  return spooled === 0
    ? final
    : { ...final, counters: { ...final.counters, received: received - spooled, spooled: 0 } };
}

/** Runs the tasks given to it one after the other (apply, retry and close must not interleave). */
function serialize(): (task: () => Promise<void>) => Promise<void> {
  let tail: Promise<void> = Promise.resolve();
  return (task) => {
    const next = tail.then(task);
    tail = next.catch(() => {});
    return next;
  };
}

/** Someone removed or replaced a listening serve's socket file: PostgreSQL can no longer reach it. */
async function checkSocketLogged(forwarder: ServeForwarder, log: (line: string) => void): Promise<void> {
  const why = await forwarder.checkSocket();
  if (why) log(`serve-logs: [${serveLabel(forwarder.serve)}] ${why}: binding it again`);
}

async function listenLogged(forwarder: ServeForwarder, log: (line: string) => void): Promise<void> {
  const wasFailing = forwarder.listenError;
  try {
    await forwarder.listen();
    log(
      `serve-logs: [${serveLabel(forwarder.serve)}] listening on "${forwarder.serve.socketPath}" for identity ${
        JSON.stringify(forwarder.serve.identity)
      }, forwarding to ${forwarder.sender.url}`,
    );
  } catch (error) {
    // Log a failure once, not on every retry.
    if ((error as Error).message !== wasFailing) {
      log(`serve-logs: [${serveLabel(forwarder.serve)}] ${(error as Error).message}`);
    }
  }
}
