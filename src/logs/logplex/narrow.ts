/**
 * Narrowing a refused batch down to the records logplex refuses. logplex answers 400 for a whole
 * request when one message in it is malformed, so a batch refused as malformed (or too large) is
 * halved at a record boundary and each half sent again, until the halves are accepted or hold a single
 * record: one bad record costs about 2·log2(records) extra requests, and only it is rejected.
 * Halves are sent in order, so accepted records keep their order.
 * @module
 */
import { attemptDelivery, type Batch, type DeliveryContext, logRejected, type Outcome } from "./deliver.ts";

/** Statuses that say "something in this body is wrong", where a smaller body may be accepted. */
const NARROWABLE = new Set([400, 413, 422]);

/**
 * Delivers `batch`, halving it on a narrowable refusal; `settle` is called synchronously for every
 * piece as it ends, with its record count and outcome. Never throws.
 */
export async function deliverNarrowing(
  batch: Batch,
  context: DeliveryContext,
  settle: (piece: Batch, outcome: Outcome) => void,
): Promise<void> {
  const stack: Batch[] = [batch];
  while (stack.length > 0) {
    const piece = stack.pop()!;
    const delivery = await attemptDelivery(piece, context);
    const { outcome, status } = delivery;
    if (
      outcome === "rejected" && NARROWABLE.has(status) && piece.records > 1 && piece.recordEnds !== undefined &&
      !context.stopped.aborted
    ) {
      const [first, second] = halve(piece);
      stack.push(second, first);
      continue;
    }
    if (outcome === "rejected") logRejected(piece.records, delivery, context);
    settle(piece, outcome);
  }
}

/** Splits a batch of two or more records at the record in its middle. */
export function halve(batch: Batch): [Batch, Batch] {
  const mid = Math.floor(batch.records / 2);
  const recordEnds = batch.recordEnds!;
  const messageEnds = batch.messageEnds!;
  const byteCut = recordEnds[mid - 1]!;
  const messageCut = messageEnds[mid - 1]!;
  const first: Batch = {
    body: batch.body.subarray(0, byteCut),
    records: mid,
    messages: messageCut,
    recordEnds: recordEnds.slice(0, mid),
    messageEnds: messageEnds.slice(0, mid),
    frameId: crypto.randomUUID(),
  };
  const second: Batch = {
    body: batch.body.subarray(byteCut),
    records: batch.records - mid,
    messages: batch.messages - messageCut,
    recordEnds: recordEnds.slice(mid).map((end) => end - byteCut),
    messageEnds: messageEnds.slice(mid).map((end) => end - messageCut),
    frameId: crypto.randomUUID(),
  };
  return [first, second];
}
