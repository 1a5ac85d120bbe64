/**
 * Spools whose serve is no longer in the serve database (removed, or changed: a changed serve has a
 * new spool) keep being sent to the destination recorded with them, by forwarders that never listen,
 * until they are empty (then the directory is removed) or --spool-max-age gives their records up.
 * @module
 */
import { createServeForwarder, type ForwarderSettings, type ServeForwarder } from "./forward.ts";
import { type Serve, serveLabel } from "./servedb/serve.ts";
import type { SpoolRoot } from "./spool/spool-root.ts";

/** The drain-only forwarders of one serve set. */
export interface SpoolDrains {
  /** Starts draining every spool in the directory whose name is not in `inUse`. */
  adopt(inUse: ReadonlySet<string>): void;
  /** Stops draining `serve`'s spool (its serve is back and takes it over); what was in flight stays in the spool. */
  release(serve: Serve): Promise<void>;
  forwarders(): ServeForwarder[];
  /** Stops every drain; the spools stay for the next run. */
  close(): Promise<void>;
}

/**
 * Creates the drains. `serially` runs a task after the serve set's running task (a drain that ends
 * must not race an apply that brings its serve back); `onFinished` gets a drain that ended (emptied,
 * or handed back to its serve), for its final figures.
 */
export function createSpoolDrains(
  settings: ForwarderSettings,
  root: SpoolRoot,
  serially: (task: () => Promise<void>) => Promise<void>,
  onFinished: (forwarder: ServeForwarder) => void,
): SpoolDrains {
  const drains = new Map<string, ServeForwarder>();
  const log = settings.log;

  const finish = (dir: string, forwarder: ServeForwarder) =>
    serially(async () => {
      if (drains.get(dir) !== forwarder) return;
      drains.delete(dir);
      await forwarder.close(0);
      onFinished(forwarder);
      root.remove(forwarder.serve);
      const c = forwarder.counters;
      log(
        `serve-logs: [${
          serveLabel(forwarder.serve)
        }] the spool of a serve no longer served is empty: ${c.forwarded} records sent, ${c.rejected} rejected, ${c.dropped} given up; removed "${dir}"`,
      );
    });

  const start = (serve: Serve, dir: string) => {
    try {
      const forwarder: ServeForwarder = createServeForwarder(serve, settings, {
        onDrained: () => void finish(dir, forwarder),
      });
      drains.set(dir, forwarder);
      log(
        `serve-logs: [${
          serveLabel(serve)
        }] sending the spool of a serve no longer served ("${dir}") to ${forwarder.sender.url}`,
      );
    } catch (error) {
      log(`serve-logs: [${serveLabel(serve)}] cannot send the spool "${dir}": ${(error as Error).message}`);
    }
  };

  return {
    adopt(inUse) {
      for (const serve of root.spooledServes()) {
        const dir = root.dirOf(serve);
        if (!inUse.has(dir) && !drains.has(dir)) start(serve, dir);
      }
    },
    async release(serve) {
      const dir = root.dirOf(serve);
      const forwarder = drains.get(dir);
      if (!forwarder) return;
      drains.delete(dir);
      await forwarder.close(0);
      onFinished(forwarder);
    },
    forwarders: () => [...drains.values()],
    async close() {
      const all = [...drains.values()];
      drains.clear();
      await Promise.all(all.map((f) => f.close(0)));
    },
  };
}
