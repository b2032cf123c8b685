/**
 * RSA blind signatures (RFC 9474) in plain JavaScript: BigInt arithmetic and
 * @noble/hashes, no WebCrypto, no node:crypto, no global random source. It is
 * the client's half (blind, finalize) and a portable RSASSA-PSS verifier, so
 * the booth, `stemkring cast` and any outside verifier run the same bytes.
 * Randomness (the PSS salt and the blinding factor) is passed in: the caller
 * derives it (round-key.ts), so a retried request is the same request.
 *
 * Hash, MGF1 hash: SHA-384; the salt length is whatever salt the caller
 * gives (48 bytes for the variant Stemkring uses, 0 for RFC 9474's PSSZERO
 * variants, which only the test vectors use). The message is taken as
 * prepared: Stemkring uses the identity preparation (credential.ts says why).
 * The server's half (blind signing with the private key) is in
 * node/crypto/blind-rsa.ts, over OpenSSL.
 *
 * Written here rather than taken from @cloudflare/blindrsa-ts because that
 * library draws the salt and the blinding factor from the global WebCrypto:
 * a retried request would then differ from the first (the protocol wants the
 * same request, so the one-per-member rule can answer it again), and shared/
 * may not reach for globals. RFC 9474's own vectors hold this code to the
 * standard (test/protocol/credential.test.ts).
 */
import { sha384 } from '@noble/hashes/sha2.js';
import { err, ok, type Result } from '../result';
import { bytesEqual, fromHex, toHex } from './encoding';

/** The public exponent of every issuing key: F4, as RFC 9474 and FIPS 186-5 expect. */
export const PUBLIC_EXPONENT = 65537n;

const HASH_LENGTH = 48;

/** An RSA public key with the numbers a BigInt implementation needs at hand. */
export interface RsaPublicKey {
  readonly n: bigint;
  readonly e: bigint;
  /** Byte length of n (k in RFC 8017). */
  readonly modulusLength: number;
  /** Bit length of n. */
  readonly modulusBits: number;
}

export function rsaPublicKey(modulus: Uint8Array, e: bigint = PUBLIC_EXPONENT): RsaPublicKey {
  const n = bytesToInteger(modulus);
  const modulusBits = n.toString(2).length;
  return { n, e, modulusLength: Math.ceil(modulusBits / 8), modulusBits };
}

/** What `blind` hands back: the request for the signer, and the inverse the client keeps to finalize. */
export interface Blinded {
  readonly blindedMessage: Uint8Array;
  readonly inverse: bigint;
}

export type BlindError = 'message_too_long_for_key' | 'message_not_coprime' | 'blind_not_invertible';

/**
 * RFC 9474 §4.2 Blind, with the salt and the blinding factor r given
 * (1 < r < n). Fails only for keys too small for the salt, or with odds
 * that would factor n.
 */
export function blind(key: RsaPublicKey, message: Uint8Array, salt: Uint8Array, r: bigint): Result<Blinded, BlindError> {
  const encoded = emsaPssEncode(message, key.modulusBits - 1, salt);
  if (encoded === undefined) return err('message_too_long_for_key');
  const m = bytesToInteger(encoded);
  if (gcd(m, key.n) !== 1n) return err('message_not_coprime');
  const inverse = inverseMod(r, key.n);
  if (inverse === undefined) return err('blind_not_invertible');
  const x = modPow(r, key.e, key.n);
  const z = (m * x) % key.n;
  return ok({ blindedMessage: integerToBytes(z, key.modulusLength), inverse });
}

export type FinalizeError = 'wrong_size' | 'out_of_range' | 'invalid_signature';

/**
 * RFC 9474 §4.4 Finalize: unblinds the signer's answer and checks that the
 * result is a valid RSASSA-PSS signature over the message, so a signer
 * answering with anything else (or under another key) is caught here.
 */
export function finalize(
  key: RsaPublicKey,
  message: Uint8Array,
  blindSignature: Uint8Array,
  inverse: bigint,
  saltLength: number,
): Result<Uint8Array, FinalizeError> {
  if (blindSignature.length !== key.modulusLength) return err('wrong_size');
  const z = bytesToInteger(blindSignature);
  if (z >= key.n) return err('out_of_range');
  const signature = integerToBytes((z * inverse) % key.n, key.modulusLength);
  return verifyPss(key, message, signature, saltLength) ? ok(signature) : err('invalid_signature');
}

/** RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with SHA-384 and MGF1-SHA-384; false for anything malformed. */
export function verifyPss(key: RsaPublicKey, message: Uint8Array, signature: Uint8Array, saltLength: number): boolean {
  if (signature.length !== key.modulusLength) return false;
  const s = bytesToInteger(signature);
  if (s >= key.n) return false;
  const emBits = key.modulusBits - 1;
  const emLength = Math.ceil(emBits / 8);
  const m = modPow(s, key.e, key.n);
  // With emBits a multiple of 8, EM is one byte shorter than n, and m must fit it.
  if (m >> BigInt(8 * emLength) !== 0n) return false;
  return emsaPssVerify(message, integerToBytes(m, emLength), emBits, saltLength);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1); undefined when the key is too short for hash and salt. */
export function emsaPssEncode(message: Uint8Array, emBits: number, salt: Uint8Array): Uint8Array | undefined {
  const emLength = Math.ceil(emBits / 8);
  if (emLength < HASH_LENGTH + salt.length + 2) return undefined;
  const h = sha384(mPrime(sha384(message), salt));
  const dbLength = emLength - HASH_LENGTH - 1;
  const db = new Uint8Array(dbLength);
  db[dbLength - salt.length - 1] = 0x01;
  db.set(salt, dbLength - salt.length);
  const mask = mgf1(h, dbLength);
  for (let i = 0; i < dbLength; i += 1) db[i] = (db[i] ?? 0) ^ (mask[i] ?? 0);
  db[0] = (db[0] ?? 0) & (0xff >>> (8 * emLength - emBits));
  const em = new Uint8Array(emLength);
  em.set(db, 0);
  em.set(h, dbLength);
  em[emLength - 1] = 0xbc;
  return em;
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with an exact salt length. */
function emsaPssVerify(message: Uint8Array, em: Uint8Array, emBits: number, saltLength: number): boolean {
  const emLength = em.length;
  if (emLength < HASH_LENGTH + saltLength + 2) return false;
  if (em[emLength - 1] !== 0xbc) return false;
  const dbLength = emLength - HASH_LENGTH - 1;
  const h = em.subarray(dbLength, dbLength + HASH_LENGTH);
  const topMask = 0xff >>> (8 * emLength - emBits);
  if (((em[0] ?? 0) & ~topMask & 0xff) !== 0) return false;
  const mask = mgf1(h, dbLength);
  const db = new Uint8Array(dbLength);
  for (let i = 0; i < dbLength; i += 1) db[i] = (em[i] ?? 0) ^ (mask[i] ?? 0);
  db[0] = (db[0] ?? 0) & topMask;
  const padEnd = dbLength - saltLength - 1;
  for (let i = 0; i < padEnd; i += 1) if (db[i] !== 0) return false;
  if (db[padEnd] !== 0x01) return false;
  const salt = db.subarray(dbLength - saltLength);
  return bytesEqual(sha384(mPrime(sha384(message), salt)), h);
}

/** M' = 0x00 × 8 || mHash || salt. */
function mPrime(messageHash: Uint8Array, salt: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + messageHash.length + salt.length);
  out.set(messageHash, 8);
  out.set(salt, 8 + messageHash.length);
  return out;
}

/** MGF1 (RFC 8017 §B.2.1) over SHA-384. */
function mgf1(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  const block = new Uint8Array(seed.length + 4);
  block.set(seed, 0);
  for (let counter = 0, offset = 0; offset < length; counter += 1, offset += HASH_LENGTH) {
    block[seed.length] = counter >>> 24;
    block[seed.length + 1] = (counter >>> 16) & 0xff;
    block[seed.length + 2] = (counter >>> 8) & 0xff;
    block[seed.length + 3] = counter & 0xff;
    const digest = sha384(block);
    out.set(digest.subarray(0, Math.min(HASH_LENGTH, length - offset)), offset);
  }
  return out;
}

/** OS2IP: big-endian bytes to a non-negative integer. */
export function bytesToInteger(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`);
}

/** I2OSP: a non-negative integer below 256^length to exactly `length` big-endian bytes. */
export function integerToBytes(value: bigint, length: number): Uint8Array {
  const hex = value.toString(16).padStart(2 * length, '0');
  if (hex.length > 2 * length) throw new Error(`integerToBytes: ${String(value.toString(2).length)} bits do not fit ${String(length)} bytes`);
  const bytes = fromHex(hex);
  if (!bytes.ok) throw new Error('integerToBytes: unreachable hex');
  return bytes.value;
}

/** base^exponent mod modulus, square-and-multiply from the top bit. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  const b = base % modulus;
  const bits = exponent.toString(2);
  for (let i = 0; i < bits.length; i += 1) {
    result = (result * result) % modulus;
    if (bits.charCodeAt(i) === 49) result = (result * b) % modulus;
  }
  return result;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** a^-1 mod n by the extended Euclidean algorithm; undefined when none exists. */
export function inverseMod(a: bigint, n: bigint): bigint | undefined {
  let [oldR, r] = [((a % n) + n) % n, n];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return undefined;
  return ((oldS % n) + n) % n;
}
