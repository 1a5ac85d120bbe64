import { describe, expect, test } from "bun:test";
import { createFebeDecoder, type FebeDecoderOptions } from "../../../src/logs/febe/decode.ts";
import { ProtocolError } from "../../../src/logs/febe/protocol-error.ts";
import { concat, encodeIdentity, encodeRecord, encodeVersion } from "../../../dev/logfebe-sender.ts";
import { sampleRecord } from "../../../dev/sample-record.ts";

const V = encodeVersion("PG-15.20 (Debian 15.20-0+deb12u1)/logfebe-1");
const I = encodeIdentity("e2e identity");
const L = encodeRecord(sampleRecord());

/** A frame with any type and payload (the length is computed). */
function rawFrame(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, 4 + payload.length);
  out.set(payload, 5);
  return out;
}

/** The header of a frame claiming `length`, with no payload. */
function header(type: number, length: number): Uint8Array {
  const out = new Uint8Array(5);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, length);
  return out;
}

/** The payload of `L` with bytes appended or cut off. */
function lPayload(change: (payload: Uint8Array) => Uint8Array): Uint8Array {
  return rawFrame(0x4c, change(L.subarray(5)));
}

function failure(bytes: Uint8Array, options?: FebeDecoderOptions): ProtocolError {
  const decoder = createFebeDecoder(options);
  try {
    decoder.push(bytes);
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error("expected a ProtocolError");
}

describe("createFebeDecoder() rejects broken streams", () => {
  test("rejects an unknown frame type, naming the byte", () => {
    const error = failure(concat([V, I, rawFrame(0x58, new Uint8Array(3))]));
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error.reason).toBe("unknown-type");
    expect(error.message).toBe('Cannot accept frame type 0x58 ("X"): expected V, I or L');
    expect(error.offset).toBe(V.length + I.length);
  });

  test("rejects an unknown type as soon as its first byte arrives", () => {
    const decoder = createFebeDecoder();
    decoder.push(concat([V, I]));
    expect(() => decoder.push(Uint8Array.of(0x00))).toThrow("Cannot accept frame type 0x00: expected V, I or L");
  });

  test("rejects a length below 4", () => {
    const error = failure(concat([V, header(0x49, 3)]));
    expect(error.reason).toBe("bad-length");
    expect(error.message).toBe("Cannot accept frame length 3: the length counts its own 4 bytes, so it is at least 4");
  });

  test("rejects a frame over 1 MiB from its header alone, before buffering it", () => {
    const error = failure(concat([V, I, header(0x4c, 1024 * 1024 + 1)]));
    expect(error.reason).toBe("frame-too-large");
    expect(error.message).toBe("Cannot accept frame length 1048577: it is over the 1048576-byte limit");
  });

  test("accepts a frame of exactly maxFrameBytes and rejects one byte more", () => {
    const limit = L.length - 1; // the length field counts 4 + payload = frame size - 1
    expect(createFebeDecoder({ maxFrameBytes: limit }).push(concat([V, I, L]))).toHaveLength(3);
    expect(failure(concat([V, I, L]), { maxFrameBytes: limit - 1 }).reason).toBe("frame-too-large");
  });

  test("rejects an oversize header split across chunks", () => {
    const decoder = createFebeDecoder({ maxFrameBytes: 100 });
    decoder.push(concat([V, I, header(0x4c, 101).subarray(0, 2)]));
    expect(() => decoder.push(header(0x4c, 101).subarray(2))).toThrow("over the 100-byte limit");
  });

  test("reports a stream cut inside a frame as truncated", () => {
    for (const cut of [1, 4, 5, 20, L.length - 1]) {
      const decoder = createFebeDecoder();
      expect(decoder.push(concat([V, I, L.subarray(0, cut)]))).toHaveLength(2);
      expect(decoder.finish()).toBe("truncated");
    }
  });

  test("rejects bytes left over after the 23 fields", () => {
    const error = failure(concat([V, I, lPayload((p) => concat([p, Uint8Array.of(0x41, 0x42)]))]));
    expect(error.reason).toBe("malformed-record");
    expect(error.message).toBe("Cannot decode log record: 2 bytes left over after the 23 fields");
  });

  test("rejects a record missing its last two fields", () => {
    const error = failure(concat([V, I, lPayload((p) => p.subarray(0, p.length - 8))]));
    expect(error.reason).toBe("malformed-record");
    expect(error.message).toBe(
      "Cannot decode log record field 22 (fileErrPos): it starts with nothing, expected P or N",
    );
  });

  test("rejects an integer cut short", () => {
    const payload = encodeRecord(sampleRecord({ userName: null, databaseName: null })).subarray(5);
    const logTimeEnd = payload.indexOf(0) + 1;
    const error = failure(concat([V, I, rawFrame(0x4c, payload.subarray(0, logTimeEnd + 4 + 2))]));
    expect(error.message).toBe("Cannot decode log record field 4 (pid): it needs 4 bytes, only 2 left");
  });

  test("rejects a string without its NUL", () => {
    const error = failure(concat([V, I, rawFrame(0x4c, new TextEncoder().encode("2026-11-21"))]));
    expect(error.message).toBe("Cannot decode log record field 1 (logTime): it has no NUL terminator");
  });

  test("rejects a nullable field that is neither P nor N", () => {
    const payload = L.slice(5);
    payload[payload.indexOf(0) + 1] = 0x51; // userName marker 'P' → 'Q'
    expect(failure(concat([V, I, rawFrame(0x4c, payload)])).message)
      .toBe('Cannot decode log record field 2 (userName): it starts with 0x51 ("Q"), expected P or N');
  });

  test("rejects a version without /logfebe-1", () => {
    const error = failure(encodeVersion("PG-15.20/logfebe-2"));
    expect(error.reason).toBe("bad-version");
    expect(error.message).toBe('Cannot accept version "PG-15.20/logfebe-2": expected "PG-<version>/logfebe-1"');
  });

  test("rejects a version that is not PostgreSQL's", () => {
    expect(failure(encodeVersion("MySQL-8/logfebe-1")).reason).toBe("bad-version");
  });

  test("rejects L before I", () => {
    const error = failure(concat([V, L]));
    expect(error.reason).toBe("unexpected-frame");
    expect(error.message).toBe('Cannot accept frame type 0x4C ("L") here: expected 0x49 ("I") next');
  });

  test("rejects I before V", () => {
    expect(failure(I).message).toBe('Cannot accept frame type 0x49 ("I") here: expected 0x56 ("V") next');
  });

  test("rejects a second V or a second I", () => {
    expect(failure(concat([V, I, L, V])).message).toBe(
      'Cannot accept frame type 0x56 ("V") here: V and I come once, then only L',
    );
    expect(failure(concat([V, I, I])).reason).toBe("unexpected-frame");
  });

  test("hands over the events decoded before the error, and stays failed", () => {
    const decoder = createFebeDecoder();
    let caught: unknown;
    try {
      decoder.push(concat([V, I, L, rawFrame(0x58, new Uint8Array(0))]));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect((caught as ProtocolError).events.map((e) => e.type)).toEqual(["V", "I", "L"]);
    expect(() => decoder.push(L)).toThrow(caught as Error);
  });
});

describe("createFebeDecoder() is lenient where pg_logfebe is", () => {
  test("accepts any PostgreSQL major and distributor suffix", () => {
    const versions: [string, number][] = [
      ["PG-9.4.26/logfebe-1", 9],
      ["PG-17beta1/logfebe-1", 17],
      ["PG-18devel/logfebe-1", 18],
      ["PG-16.4 (Ubuntu 16.4-1.pgdg22.04+1)/logfebe-1", 16],
      ["PG-19.0/logfebe-1", 19],
    ];
    for (const [version, major] of versions) {
      expect(createFebeDecoder().push(encodeVersion(version))).toEqual([{ type: "V", version, major }]);
    }
  });

  test("accepts an empty identity and an I frame without the extra bytes", () => {
    expect(createFebeDecoder().push(concat([V, encodeIdentity("")]))[1]).toEqual({ type: "I", identity: "" });
    expect(createFebeDecoder().push(concat([V, encodeIdentity("x", [])]))[1]).toEqual({ type: "I", identity: "x" });
  });

  test("decodes invalid UTF-8 with replacement characters and keeps the record", () => {
    const good = encodeRecord(sampleRecord({ errMessage: "AAAA", errHint: "ok" })).slice(5);
    const at = new TextDecoder().decode(good).indexOf("AAAA");
    good.set([0xff, 0xc3, 0x28, 0xe2], at); // invalid byte, broken 2-byte sequence, truncated 3-byte lead
    const [, , event] = createFebeDecoder().push(concat([V, I, rawFrame(0x4c, good)]));
    expect(event).toEqual({ type: "L", record: sampleRecord({ errMessage: "\uFFFD\uFFFD(\uFFFD", errHint: "ok" }) });
  });

  test("decodes 64-bit SeqNum and Txid exactly below 2^53, and negative positions", () => {
    const record = sampleRecord({ seqNum: 2 ** 40 + 7, txid: 4_294_967_295, internalQueryPos: -1, pid: 2_147_483_647 });
    const [, , event] = createFebeDecoder().push(concat([V, I, encodeRecord(record)]));
    expect(event).toEqual({ type: "L", record });
  });

  test("reuses no stale string when a repeated field changes", () => {
    const a = sampleRecord({ userName: "alice", applicationName: "x".repeat(200) });
    const b = sampleRecord({ userName: "alicf", applicationName: "x".repeat(199) + "y" });
    const events = createFebeDecoder().push(
      concat([V, I, encodeRecord(a), encodeRecord(a), encodeRecord(b), encodeRecord(a)]),
    );
    expect(events.slice(2)).toEqual([a, a, b, a].map((record) => ({ type: "L", record })));
  });
});
