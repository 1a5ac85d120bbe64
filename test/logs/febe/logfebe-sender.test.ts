import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFebeDecoder, type FebeEvent } from "../../../src/logs/febe/decode.ts";
import { readFixture } from "../../../dev/fixtures.ts";
import { concat, encodeIdentity, encodeRecord, encodeVersion, sendFrames } from "../../../dev/logfebe-sender.ts";
import { sampleRecord } from "../../../dev/sample-record.ts";

/** A unix-socket server that records the chunks of each connection. */
function listen(path: string): Promise<{ server: Server; connections: Promise<Uint8Array[]>[] }> {
  const connections: Promise<Uint8Array[]>[] = [];
  const server = createServer((socket) => {
    const chunks: Uint8Array[] = [];
    connections.push(
      new Promise((done) => {
        socket.on("data", (chunk) => chunks.push(new Uint8Array(chunk)));
        socket.on("close", () => done(chunks));
      }),
    );
  });
  return new Promise((ready) => server.listen(path, () => ready({ server, connections })));
}

let dir = "";
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "posemo-sender-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("sendFrames()", () => {
  test("delivers a capture byte for byte in small chunks, which the decoder reads whole", async () => {
    const { server, connections } = await listen(join(dir, "log.sock"));
    const bytes = readFixture("pg15-psql-mixed-session.bin");
    await sendFrames(join(dir, "log.sock"), bytes, { chunkSize: 7 });
    const received = concat(await connections[0]!);
    server.close();
    expect(received).toEqual(bytes);
    const decoder = createFebeDecoder();
    expect(decoder.push(received).filter((e: FebeEvent) => e.type === "L")).toHaveLength(18);
  });

  test("writes frame by frame by default", async () => {
    const { server, connections } = await listen(join(dir, "log.sock"));
    const frames = [encodeVersion("PG-17beta1/logfebe-1"), encodeIdentity("id"), encodeRecord(sampleRecord())];
    await sendFrames(join(dir, "log.sock"), frames);
    expect(concat(await connections[0]!)).toEqual(concat(frames));
    server.close();
  });

  test("rejects when nobody listens on the socket", async () => {
    await expect(sendFrames(join(dir, "absent.sock"), encodeVersion("PG-15/logfebe-1"))).rejects.toThrow();
  });

  test("resolves when the collector closes the connection early", async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((ready) => server.listen(join(dir, "closing.sock"), ready));
    const many = Array.from({ length: 2000 }, () => encodeRecord(sampleRecord()));
    await sendFrames(join(dir, "closing.sock"), [encodeVersion("PG-15/logfebe-1"), ...many]);
    server.close();
  });
});
