/**
 * The hashes of protocol.md: definitionHash, the board's leaves and chained
 * heads, registerRoot, and the lot drawn from the final head. Protocol values
 * travel as base64url strings, so these take and return strings; the `…Bytes`
 * forms are for hot loops that already hold bytes.
 */
import { compareBytes, concatBytes, decodeBase64Url, encodeBase64Url, utf8 } from './encoding';
import { portableCrypto } from './crypto-portable';
import { jcs } from './jcs';
import { signedBytes, type ProtocolCrypto } from './signing';
import type { Ballot, Register, RoundDefinition } from './types';

type Hasher = Pick<ProtocolCrypto, 'sha256'>;

const BOARD_PREFIX = utf8('stemkring:board:v1\n');

function bytesOf(text: string, size: number, what: string): Uint8Array {
  const decoded = decodeBase64Url(text, size);
  // Callers pass values their schema has accepted; anything else is a bug.
  if (!decoded.ok) throw new Error(`${what} is not base64url of ${size} bytes (${decoded.error})`);
  return decoded.value;
}

/** SHA-256(JCS(definition)), base64url. */
export function definitionHash(definition: RoundDefinition, crypto: Hasher = portableCrypto): string {
  return encodeBase64Url(crypto.sha256(utf8(jcs(definition))));
}

/** SHA-256(JCS(register)) over the register as it stands at close, base64url. */
export function registerRoot(register: Register, crypto: Hasher = portableCrypto): string {
  return encodeBase64Url(crypto.sha256(utf8(jcs(register))));
}

/** leaf = SHA-256(signedBytes('ballot', ballot) || sig). */
export function leafBytes(ballotSignedBytes: Uint8Array, sig: Uint8Array, crypto: Hasher = portableCrypto): Uint8Array {
  return crypto.sha256(concatBytes(ballotSignedBytes, sig));
}

export function leafOf(ballot: Ballot, sig: string, crypto: Hasher = portableCrypto): string {
  return encodeBase64Url(leafBytes(signedBytes('ballot', ballot), bytesOf(sig, 64, 'sig'), crypto));
}

/** head_0 = SHA-256(UTF-8("stemkring:board:v1\n") || definitionHash bytes). */
export function initialHeadBytes(definitionHashBytes: Uint8Array, crypto: Hasher = portableCrypto): Uint8Array {
  return crypto.sha256(concatBytes(BOARD_PREFIX, definitionHashBytes));
}

export function initialHead(definitionHashB64: string, crypto: Hasher = portableCrypto): string {
  return encodeBase64Url(initialHeadBytes(bytesOf(definitionHashB64, 32, 'definitionHash'), crypto));
}

/** head_n = SHA-256(head_{n-1} || leaf_n). */
export function nextHeadBytes(previous: Uint8Array, leaf: Uint8Array, crypto: Hasher = portableCrypto): Uint8Array {
  return crypto.sha256(concatBytes(previous, leaf));
}

export function nextHead(previous: string, leaf: string, crypto: Hasher = portableCrypto): string {
  return encodeBase64Url(nextHeadBytes(bytesOf(previous, 32, 'head'), bytesOf(leaf, 32, 'leaf'), crypto));
}

/**
 * The lot of protocol.md "Ties": every option id ordered by
 * SHA-256(finalHead || UTF-8(optionId)), lowest digest (as bytes) first; the
 * first is the most favoured. With an empty board the final head is head_0.
 */
export function lotOrder(finalHead: string, optionIds: readonly string[], crypto: Hasher = portableCrypto): string[] {
  const head = bytesOf(finalHead, 32, 'finalHead');
  return optionIds
    .map((id) => ({ id, digest: crypto.sha256(concatBytes(head, utf8(id))) }))
    .sort((a, b) => compareBytes(a.digest, b.digest))
    .map((drawn) => drawn.id);
}
