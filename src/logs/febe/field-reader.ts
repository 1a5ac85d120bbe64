/**
 * Reads the fields of `L` payloads, one reader per connection. Most string fields repeat from one record
 * to the next on a connection (user, database, client, session id, session start, SQLSTATE, application),
 * so each field remembers its last bytes and string: when the bytes are the same the string is reused
 * and nothing is decoded. That turns ~15 `TextDecoder.decode` calls per record into 2–4.
 * @module
 */
import { LOG_RECORD_FIELDS } from "../record.ts";
import { hexByte, ProtocolError } from "./protocol-error.ts";

/** The one decoder: lenient UTF-8, invalid bytes become U+FFFD (server encodings are not guaranteed). */
export const utf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

const NUL = 0;
const PRESENT = 0x50; // 'P'
const ABSENT = 0x4e; // 'N'
/** Strings longer than this are decoded every time (statements, long messages rarely repeat). */
const REMEMBER_MAX_BYTES = 128;

/** The last bytes seen in one field and the string they decoded to. */
class RecentString {
  readonly #bytes = new Uint8Array(REMEMBER_MAX_BYTES);
  #length = -1;
  #text = "";

  /** The string for `source[start..end)`, reusing the previous one when the bytes are unchanged. */
  decode(source: Uint8Array, start: number, end: number): string {
    const length = end - start;
    if (length > REMEMBER_MAX_BYTES) return utf8.decode(source.subarray(start, end));
    if (length === this.#length && this.#same(source, start)) return this.#text;
    const view = source.subarray(start, end);
    this.#bytes.set(view);
    this.#length = length;
    this.#text = utf8.decode(view);
    return this.#text;
  }

  /** Compares from the end: timestamps and counters differ in their last bytes. */
  #same(source: Uint8Array, start: number): boolean {
    const bytes = this.#bytes;
    for (let i = this.#length - 1; i >= 0; i--) if (bytes[i] !== source[start + i]) return false;
    return true;
  }
}

/** Reads one `L` payload's fields in wire order; `reset` points it at the next payload. */
export class FieldReader {
  #bytes: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #field = 0;
  #offset = 0;
  readonly #recent = LOG_RECORD_FIELDS.map(() => new RecentString());

  /** Starts reading `payload`, the frame at stream `offset` (for error messages). */
  reset(payload: Uint8Array, offset: number): this {
    this.#bytes = payload;
    this.#pos = 0;
    this.#field = 0;
    this.#offset = offset;
    return this;
  }

  /** A NUL-terminated string. */
  cstr(): string {
    const bytes = this.#bytes;
    const start = this.#pos;
    const end = this.#nul(start);
    this.#pos = end + 1;
    return this.#recent[this.#field++]!.decode(bytes, start, end);
  }

  /** `P` then a string, or `N` then an (empty) string meaning NULL. */
  nullable(): string | null {
    const marker = this.#bytes[this.#pos];
    if (marker === PRESENT) {
      this.#pos++;
      return this.cstr();
    }
    if (marker !== ABSENT) {
      throw this.#malformed(`starts with ${marker === undefined ? "nothing" : hexByte(marker)}, expected P or N`);
    }
    this.#pos = this.#nul(this.#pos + 1) + 1;
    this.#field++;
    return null;
  }

  /** A big-endian signed 32-bit integer. */
  int32(): number {
    this.#need(4);
    this.#field++;
    return this.#word();
  }

  /** A big-endian signed 64-bit integer, as a number (exact below 2^53). */
  int64(): number {
    this.#need(8);
    this.#field++;
    return this.#word() * 0x1_0000_0000 + (this.#word() >>> 0);
  }

  /** A big-endian unsigned 64-bit integer, as a number (exact below 2^53). */
  uint64(): number {
    this.#need(8);
    this.#field++;
    return (this.#word() >>> 0) * 0x1_0000_0000 + (this.#word() >>> 0);
  }

  /** Checks that the 23 fields used the whole payload. */
  done(): void {
    const left = this.#bytes.length - this.#pos;
    if (left === 0) return;
    const what = `${left} byte${left === 1 ? "" : "s"} left over after the 23 fields`;
    throw new ProtocolError("malformed-record", `Cannot decode log record: ${what}`, this.#offset);
  }

  #word(): number {
    const bytes = this.#bytes;
    const pos = this.#pos;
    this.#pos = pos + 4;
    return (bytes[pos]! << 24) | (bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
  }

  /** Index of the NUL ending the string at `start`; a plain loop beats `indexOf` on short strings. */
  #nul(start: number): number {
    const bytes = this.#bytes;
    const length = bytes.length;
    let end = start;
    while (end < length && bytes[end] !== NUL) end++;
    if (end === length) throw this.#malformed("has no NUL terminator");
    return end;
  }

  #need(size: number): void {
    const left = this.#bytes.length - this.#pos;
    if (left < size) throw this.#malformed(`needs ${size} bytes, only ${left} left`);
  }

  #malformed(why: string): ProtocolError {
    const name = LOG_RECORD_FIELDS[this.#field] ?? "?";
    const message = `Cannot decode log record field ${this.#field + 1} (${name}): it ${why}`;
    return new ProtocolError("malformed-record", message, this.#offset);
  }
}
