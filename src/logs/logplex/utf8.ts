/**
 * UTF-8 sizes and splits of JS strings, without encoding them: logplex limits messages in bytes, and
 * most bodies are short enough that a length check settles it.
 * @module
 */

/** Bytes `text` takes in UTF-8 (a lone surrogate counts 3, as TextEncoder writes U+FFFD for it). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const size = unitBytes(text, i);
    bytes += size;
    if (size === 4) i++;
  }
  return bytes;
}

/** True when `text` certainly fits in `maxBytes` (no UTF-16 unit takes more than 3 bytes). */
export function surelyFits(text: string, maxBytes: number): boolean {
  return text.length * 3 <= maxBytes || utf8Length(text) <= maxBytes;
}

/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes each, cutting only between characters
 * (never inside a multi-byte sequence or a surrogate pair). Returns `[text]` when it fits.
 * @throws {RangeError} when `maxBytes` < 4, which could not hold every character.
 */
export function splitUtf8(text: string, maxBytes: number): string[] {
  if (maxBytes < 4) throw new RangeError(`Cannot split text into ${maxBytes}-byte pieces: a character may need 4`);
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const size = unitBytes(text, i);
    if (bytes + size > maxBytes) {
      pieces.push(text.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += size;
    if (size === 4) i++;
  }
  pieces.push(text.slice(start));
  return pieces;
}

/** UTF-8 size of the character starting at code unit `i`: 4 for a surrogate pair (two units). */
function unitBytes(text: string, i: number): number {
  const unit = text.charCodeAt(i);
  if (unit < 0x80) return 1;
  if (unit < 0x800) return 2;
  if (unit >= 0xd800 && unit <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return 4;
  }
  return 3;
}

/** The longest prefix of `text` that fits in `maxBytes` UTF-8 bytes, cut between characters. */
export function cutUtf8(text: string, maxBytes: number): string {
  if (surelyFits(text, maxBytes)) return text;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const size = unitBytes(text, i);
    if (bytes + size > maxBytes) return text.slice(0, i);
    bytes += size;
    if (size === 4) i++;
  }
  return text;
}
