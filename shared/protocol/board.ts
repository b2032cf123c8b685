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
import type { AnyRegister, Ballot, RoundDefinition } from './types';

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
  return encodeBase64Url(definitionHashBytes(definition, crypto));
}

export function definitionHashBytes(definition: RoundDefinition, crypto: Hasher = portableCrypto): Uint8Array {
  return crypto.sha256(utf8(jcs(definition)));
}

/** SHA-256(JCS(register)) over the register as it stands at close, base64url: the same rule for either protocol's register. */
export function registerRoot(register: AnyRegister, crypto: Hasher = portableCrypto): string {
  return encodeBase64Url(crypto.sha256(utf8(jcs(register))));
}

/** leaf = SHA-256(signedBytes('ballot', ballot) || sig). */
export function leafBytes(ballotSignedBytes: Uint8Array, sig: Uint8Array, crypto: Hasher = portableCrypto): Uint8Array {
  return joinedLeafBytes(concatBytes(ballotSignedBytes, sig), crypto);
}

/** The same leaf from one buffer that already holds signedBytes || sig (the verifier builds them side by side). */
export function joinedLeafBytes(signedBytesAndSig: Uint8Array, crypto: Hasher = portableCrypto): Uint8Array {
  return crypto.sha256(signedBytesAndSig);
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

/**
 * head_n = SHA-256(head_{n-1} || leaf_n), both 32 bytes. `link` is the
 * 64-byte buffer they are hashed in, so that a loop can reuse one.
 */
export function nextHeadBytes(previous: Uint8Array, leaf: Uint8Array, crypto: Hasher = portableCrypto, link = new Uint8Array(64)): Uint8Array {
  // A shorter value would leave stale bytes of the buffer in the hash.
  if (previous.length !== 32 || leaf.length !== 32 || link.length !== 64) throw new Error('a head and a leaf are 32 bytes each');
  link.set(previous, 0);
  link.set(leaf, 32);
  return crypto.sha256(link);
}

export function nextHead(previous: string, leaf: string, crypto: Hasher = portableCrypto): string {
  return encodeBase64Url(nextHeadBytes(bytesOf(previous, 32, 'head'), bytesOf(leaf, 32, 'leaf'), crypto));
}

/**
 * A board's chain as it grows one leaf at a time, from head_0 of the
 * definition on. The server's ledger extends it with each accepted ballot;
 * the verifier recomputes it from the published board. Heads stay bytes and
 * one buffer is reused for every link, so a long board costs a hash per
 * entry and nothing for the collector.
 */
export class BoardChain {
  private current: Uint8Array;
  private readonly link = new Uint8Array(64);

  constructor(
    definitionHashBytes: Uint8Array,
    private readonly crypto: Hasher = portableCrypto,
  ) {
    this.current = initialHeadBytes(definitionHashBytes, crypto);
  }

  /** The head after the last leaf; head_0 while the board is empty. */
  get head(): Uint8Array {
    return this.current;
  }

  /** The head that `leaf` would give, without moving on: the verifier compares it with the published one first. */
  headAfter(leaf: Uint8Array): Uint8Array {
    return nextHeadBytes(this.current, leaf, this.crypto, this.link);
  }

  /** Goes on from `head`: one just computed, or a stored or published one (a replay, or past a wrong entry). */
  moveTo(head: Uint8Array): void {
    this.current = head;
  }

  /** Adds `leaf` and answers the new head. */
  append(leaf: Uint8Array): Uint8Array {
    this.current = this.headAfter(leaf);
    return this.current;
  }
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
