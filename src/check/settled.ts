/** A query's answer, rows or error, as the run judges it; settling one tells the watchdog. @module */
import type { Row } from "../db/session.ts";

/** A query's rows, or the error it failed with. */
export type Settled = { rows: Row[] } | { error: unknown };

/** Every answer (rows or an error) shows the server is still answering: `touch` tells the watchdog. */
export function settler(touch: () => void): (promise: Promise<Row[]>) => Promise<Settled> {
  return (promise) =>
    promise.then((rows) => {
      touch();
      return { rows };
    }, (error) => {
      touch();
      return { error };
    });
}
