/**
 * Byte encodings of the protocol (protocol.md, "Primitives"): base64url
 * without padding, UTF-8, and small byte helpers. Shared by the browser, the
 * server and the verifier, so no `node:` imports and no Buffer.
 */
import { err, ok, type Result } from '../result';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const ALPHABET_CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
// Char code → 6-bit value, 255 for anything outside the base64url alphabet.
const DECODE = new Uint8Array(128).fill(255);
for (let i = 0; i < ALPHABET.length; i += 1) DECODE[ALPHABET.charCodeAt(i)] = i;

export type Base64UrlError = 'invalid_character' | 'invalid_length' | 'non_canonical' | 'wrong_size';

/** base64url (RFC 4648 §5) without padding. */
export function encodeBase64Url(bytes: Uint8Array): string {
  let out = '';
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += ALPHABET.charAt(v >>> 18) + ALPHABET.charAt((v >>> 12) & 63) + ALPHABET.charAt((v >>> 6) & 63) + ALPHABET.charAt(v & 63);
  }
  const rest = n - i;
  if (rest === 1) {
    const v = (bytes[i] ?? 0) << 16;
    out += ALPHABET.charAt(v >>> 18) + ALPHABET.charAt((v >>> 12) & 63);
  } else if (rest === 2) {
    const v = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += ALPHABET.charAt(v >>> 18) + ALPHABET.charAt((v >>> 12) & 63) + ALPHABET.charAt((v >>> 6) & 63);
  }
  return out;
}

/**
 * Strict base64url decoding: the alphabet only, no padding, no whitespace, and
 * the unused low bits of the last character must be zero. Every byte string
 * therefore has exactly one accepted text, so a changed character in a
 * published bundle can never decode to the same bytes. With `size`, the
 * decoded length must be exactly that.
 */
export function decodeBase64Url(text: string, size?: number): Result<Uint8Array, Base64UrlError> {
  const length = decodedLength(text);
  if (length === undefined) return err('invalid_length');
  if (size !== undefined && length !== size) return err('wrong_size');
  const out = new Uint8Array(length);
  const problem = decodeInto(text, out, 0);
  return problem === undefined ? ok(out) : err(problem);
}

/**
 * Decodes into `out` at `offset` (for hot loops that place a signature right
 * after the bytes it signs); returns the bytes written, or the error.
 */
export function decodeBase64UrlInto(text: string, out: Uint8Array, offset: number): Result<number, Base64UrlError> {
  const length = decodedLength(text);
  if (length === undefined) return err('invalid_length');
  if (offset + length > out.length) return err('wrong_size');
  const problem = decodeInto(text, out, offset);
  return problem === undefined ? ok(length) : err(problem);
}

function decodedLength(text: string): number | undefined {
  const n = text.length;
  const tail = n % 4;
  if (tail === 1) return undefined;
  return ((n - tail) / 4) * 3 + (tail === 0 ? 0 : tail - 1);
}

function decodeInto(text: string, out: Uint8Array, offset: number): Base64UrlError | undefined {
  const n = text.length;
  const tail = n % 4;
  let o = offset;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = sextet(text, i + 2);
    const d = sextet(text, i + 3);
    if ((a | b | c | d) > 63) return 'invalid_character';
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o] = v >>> 16;
    out[o + 1] = (v >>> 8) & 255;
    out[o + 2] = v & 255;
    o += 3;
  }
  if (tail === 2) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    if ((a | b) > 63) return 'invalid_character';
    if ((b & 15) !== 0) return 'non_canonical';
    out[o] = (a << 2) | (b >>> 4);
  } else if (tail === 3) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = sextet(text, i + 2);
    if ((a | b | c) > 63) return 'invalid_character';
    if ((c & 3) !== 0) return 'non_canonical';
    const v = (a << 12) | (b << 6) | c;
    out[o] = v >>> 10;
    out[o + 1] = (v >>> 2) & 255;
  }
  return undefined;
}

/**
 * True when `text` is the base64url text of `bytes`: compares without
 * building either form, as the verifier does for every leaf and head.
 */
export function equalsBase64Url(bytes: Uint8Array, text: string): boolean {
  const n = bytes.length;
  const full = n - (n % 3);
  if (text.length !== (full / 3) * 4 + (n % 3 === 0 ? 0 : (n % 3) + 1)) return false;
  let t = 0;
  for (let i = 0; i < full; i += 3) {
    const v = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    if (
      text.charCodeAt(t) !== ALPHABET_CODES[v >>> 18] ||
      text.charCodeAt(t + 1) !== ALPHABET_CODES[(v >>> 12) & 63] ||
      text.charCodeAt(t + 2) !== ALPHABET_CODES[(v >>> 6) & 63] ||
      text.charCodeAt(t + 3) !== ALPHABET_CODES[v & 63]
    ) {
      return false;
    }
    t += 4;
  }
  return full === n || encodeBase64Url(bytes.subarray(full)) === text.slice(t);
}

function sextet(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 128 ? (DECODE[code] ?? 255) : 255;
}

/**
 * True when `text` is canonical base64url (as `decodeBase64Url` accepts it),
 * of exactly `size` bytes when given. Allocates nothing: schemas call it for
 * every key, hash and signature of a bundle.
 */
export function isBase64Url(text: string, size?: number): boolean {
  const n = text.length;
  const tail = n % 4;
  if (tail === 1) return false;
  if (size !== undefined && ((n - tail) / 4) * 3 + (tail === 0 ? 0 : tail - 1) !== size) return false;
  for (let i = 0; i < n; i += 1) if (sextet(text, i) > 63) return false;
  if (tail === 2) return (sextet(text, n - 1) & 15) === 0;
  if (tail === 3) return (sextet(text, n - 1) & 3) === 0;
  return true;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Strict UTF-8 decoding: malformed input is an error, never U+FFFD. */
export function fromUtf8(bytes: Uint8Array): Result<string, 'invalid_utf8'> {
  try {
    return ok(decoder.decode(bytes));
  } catch {
    return err('invalid_utf8');
  }
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Byte equality. Not constant-time: everything the protocol compares is
 * public (hashes, keys, signatures), so there is no secret to leak.
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic byte order (negative when `a` sorts first), as for the lot. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(text: string): Result<Uint8Array, 'invalid_hex'> {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return err('invalid_hex');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return ok(out);
}
