/**
 * SIGHUP, for serve-logs' "look at serves.new now". The CLI context only carries SIGTERM/SIGINT, so
 * this is the one other place that touches process signals; the listener is removed on exit.
 * @module
 */
import process from "node:process";

/** Calls `listener` on every SIGHUP until the returned function is called. */
export function onHangup(listener: () => void): () => void {
  const handler = () => listener();
  process.on("SIGHUP", handler);
  return () => void process.off("SIGHUP", handler);
}
