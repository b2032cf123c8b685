/**
 * The per-round secrets of a member's device, derived rather than drawn:
 * the round key (a fresh Ed25519 key that signs this round's ballot and
 * nothing else) and the inputs that blind its credential request. Both come
 * from the device seed (the 32 bytes of the recovery file) and the round id
 * by HKDF-SHA256 (RFC 5869), so
 * - the recovery file brings a round key back on a new device, and
 * - a retried request is byte for byte the request made before, which the
 *   server answers again instead of refusing as a second one.
 * The server never sees the device seed, so to it the round key and the
 * blinding factor are as good as random.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from './encoding';
import { bytesToInteger } from './blind-rsa';
import { keyPairFromSeed, type KeyPair } from './signing';

/** HKDF salts: one per use of the device seed, so no two derivations can meet. */
const ROUND_KEY_SALT = utf8('stemkring:round-key:v2');
const ROUND_BLIND_SALT = utf8('stemkring:round-blind:v2');

/** The PSS salt length of the credential variant (RSABSSA-SHA384-PSS): the hash length. */
export const BLIND_SALT_LENGTH = 48;

/**
 * Extra bytes drawn for the blinding factor beyond the modulus length, so
 * reducing mod n leaves a bias below 2^-128 (RFC 9380's "hash to field"
 * takes the same margin).
 */
const REDUCTION_MARGIN = 16;

/** The 32-byte Ed25519 seed of the round key: HKDF(ikm = device seed, salt = "stemkring:round-key:v2", info = round id). */
export function roundKeySeed(deviceSeed: Uint8Array, round: string): Uint8Array {
  assertSeed(deviceSeed);
  return hkdf(sha256, deviceSeed, ROUND_KEY_SALT, utf8(round), 32);
}

/** The round key pair, made by tweetnacl as the booth makes every key. */
export function roundKeyPair(deviceSeed: Uint8Array, round: string): KeyPair {
  return keyPairFromSeed(roundKeySeed(deviceSeed, round));
}

/** What blinds one credential request: the PSS salt and the factor r of RFC 9474 §4.2. */
export interface BlindingInputs {
  readonly salt: Uint8Array;
  readonly r: bigint;
}

/**
 * HKDF(ikm = device seed, salt = "stemkring:round-blind:v2",
 * info = round id || 0x00 || n) gives 48 salt bytes, then k + 16 bytes read
 * as an integer and reduced mod n: r. The modulus is in `info` so that a
 * round whose issuing key changed (it cannot without a new definition, but a
 * wrong server could try) gets unrelated blinding, not the same r under two
 * keys. Round ids never contain 0x00 (ids.ts), so the split is unambiguous.
 */
export function blindingInputs(deviceSeed: Uint8Array, round: string, modulus: Uint8Array, n: bigint): BlindingInputs {
  assertSeed(deviceSeed);
  const info = concatBytes(utf8(round), Uint8Array.of(0), modulus);
  const okm = hkdf(sha256, deviceSeed, ROUND_BLIND_SALT, info, BLIND_SALT_LENGTH + modulus.length + REDUCTION_MARGIN);
  return {
    salt: okm.slice(0, BLIND_SALT_LENGTH),
    r: bytesToInteger(okm.subarray(BLIND_SALT_LENGTH)) % n,
  };
}

function assertSeed(deviceSeed: Uint8Array): void {
  // A wrong length is a bug in the caller (the recovery file's seed is checked when read), not a user's mistake.
  if (deviceSeed.length !== 32) throw new Error(`round key: the device seed must be 32 bytes, got ${String(deviceSeed.length)}`);
}
