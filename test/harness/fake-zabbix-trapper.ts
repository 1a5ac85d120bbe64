/**
 * A stand-in for the Zabbix server's trapper port, so the real zabbix_sender can be run against it and
 * what it parsed from our input file can be read back: it decodes the Zabbix protocol header
 * (`ZBXD`, flags, data length, reserved; zlib-compressed and large packets too), records each
 * `sender data` request and answers `success`, as the server does. Loopback only.
 * @module
 */
import { createServer, type Server, type Socket } from "node:net";
import { inflateSync } from "node:zlib";

/** One value zabbix_sender sent. */
export interface SentValue {
  readonly host: string;
  readonly key: string;
  readonly value: string;
}

/** A listening fake trapper. */
export interface FakeTrapper {
  readonly port: number;
  /** Every value received so far, in order. */
  readonly received: SentValue[];
  close(): Promise<void>;
}

const FLAG_COMPRESSED = 0x02;
const FLAG_LARGE = 0x04;

/** Decodes one complete packet, or returns undefined when more bytes are needed. */
function decodePacket(buffer: Buffer): string | undefined {
  if (buffer.length < 13) return undefined;
  if (buffer.subarray(0, 4).toString("latin1") !== "ZBXD") throw new Error("not a Zabbix protocol packet");
  const flags = buffer[4]!;
  const large = (flags & FLAG_LARGE) !== 0;
  const headerLength = large ? 21 : 13;
  if (buffer.length < headerLength) return undefined;
  const dataLength = large ? Number(buffer.readBigUInt64LE(5)) : buffer.readUInt32LE(5);
  if (buffer.length < headerLength + dataLength) return undefined;
  const data = buffer.subarray(headerLength, headerLength + dataLength);
  return ((flags & FLAG_COMPRESSED) !== 0 ? inflateSync(data) : data).toString("utf8");
}

function encodePacket(text: string): Buffer {
  const data = Buffer.from(text, "utf8");
  const header = Buffer.alloc(13);
  header.write("ZBXD", 0, "latin1");
  header[4] = 0x01;
  header.writeUInt32LE(data.length, 5);
  return Buffer.concat([header, data]);
}

function answer(socket: Socket, received: SentValue[]): void {
  let buffer = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    const text = decodePacket(buffer);
    if (text === undefined) return;
    const request = JSON.parse(text) as { request: string; data?: SentValue[] };
    const values = request.data ?? [];
    received.push(...values.map((v) => ({ host: v.host, key: v.key, value: v.value })));
    const info = `processed: ${values.length}; failed: 0; total: ${values.length}; seconds spent: 0.000010`;
    socket.end(encodePacket(JSON.stringify({ response: "success", info })));
  });
  socket.on("error", () => socket.destroy());
}

/** Starts a fake trapper on 127.0.0.1 and a free port. */
export async function startFakeTrapper(): Promise<FakeTrapper> {
  const received: SentValue[] = [];
  const server: Server = createServer((socket) => answer(socket, received));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { port, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
