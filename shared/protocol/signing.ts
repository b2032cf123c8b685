/**
 * Signed bytes (protocol.md, "Signed bytes") and the signing helpers of the
 * voting booth and of tests. Verification and hashing go through an injected
 * `ProtocolCrypto`, so the server and the verifier can use node:crypto (about
 * a hundred times faster than tweetnacl) while the browser uses the portable
 * implementation in `crypto-portable.ts`.
 */
import nacl from 'tweetnacl';
import { decodeBase64Url, encodeBase64Url, utf8 } from './encoding';
import { jcs } from './jcs';
import type { Choice } from '../counting/types';
import type { AnyBallot, Register, RegisterV2 } from './types';

export const PURPOSES = ['ballot', 'receipt', 'outcome', 'definition'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** Hashing and signature checking, injected wherever speed matters. */
export interface ProtocolCrypto {
  sha256(data: Uint8Array): Uint8Array;
  /** Ed25519 (RFC 8032) over raw bytes; false for any malformed input, never a throw. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

const PREFIXES: Readonly<Record<Purpose, Uint8Array>> = {
  ballot: utf8('stemkring:ballot:v1\n'),
  receipt: utf8('stemkring:receipt:v1\n'),
  outcome: utf8('stemkring:outcome:v1\n'),
  definition: utf8('stemkring:definition:v1\n'),
};

/** UTF-8("stemkring:" + purpose + ":v1\n"). */
export function purposePrefix(purpose: Purpose): Uint8Array {
  return PREFIXES[purpose];
}

/** UTF-8("stemkring:" + P + ":v1\n") || UTF-8(JCS(S)). */
export function signedBytes(purpose: Purpose, statement: unknown): Uint8Array {
  return signedBytesOfJcs(purpose, jcs(statement));
}

/** The same from a JCS text already at hand, so a hot loop serialises once. */
export function signedBytesOfJcs(purpose: Purpose, jcsText: string): Uint8Array {
  const prefix = PREFIXES[purpose];
  const body = utf8(jcsText);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix, 0);
  out.set(body, prefix.length);
  return out;
}

/**
 * JCS(ballot) for a ballot that passed `BallotSchema`, without the generic
 * serialiser: the verifier needs it for every entry of a board. Ids,
 * base64url and timestamps never need escaping, option ids are ASCII (so
 * plain sorting is JCS's code-unit order), whole numbers print the same in
 * both, and the fields are written in JCS order. test/protocol/jcs.test.ts
 * holds it equal to `jcs` for generated ballots.
 */
export function ballotJcs(ballot: AnyBallot): string {
  return ballotJcsParts(ballot).join('');
}

/**
 * The pieces of `ballotJcs`, in order, for a caller that writes them out
 * itself. A protocol-2 ballot's `credential` (base64url, no escaping) sorts
 * between "choice" and "definition".
 */
export function ballotJcsParts(ballot: AnyBallot): readonly string[] {
  const credential = 'credential' in ballot ? [',"credential":"', ballot.credential, '"'] : [];
  return [
    '{"castAt":"',
    ballot.castAt,
    '","choice":',
    choiceJcs(ballot.choice),
    ...credential,
    ',"definition":"',
    ballot.definition,
    '","instance":"',
    ballot.instance,
    '","key":"',
    ballot.key,
    '","nonce":"',
    ballot.nonce,
    '","round":"',
    ballot.round,
    '"}',
  ];
}

function choiceJcs(choice: Choice): string {
  if ('pick' in choice) return `{"pick":"${choice.pick}"}`;
  if ('approve' in choice) return `{"approve":${idList(choice.approve)}}`;
  if ('ranking' in choice) return `{"ranking":${idList(choice.ranking)}}`;
  if ('answer' in choice) return `{"answer":"${choice.answer}"}`;
  if ('scores' in choice) return `{"scores":${integerMap(choice.scores)}}`;
  return `{"points":${integerMap(choice.points)}}`;
}

function idList(ids: readonly string[]): string {
  let out = '[';
  for (let i = 0; i < ids.length; i += 1) out += i === 0 ? `"${ids[i]}"` : `,"${ids[i]}"`;
  return `${out}]`;
}

function integerMap(map: Readonly<Record<string, number>>): string {
  let out = '{';
  for (const key of Object.keys(map).sort()) out += `${out.length === 1 ? '' : ','}"${key}":${map[key]}`;
  return `${out}}`;
}

/**
 * JCS(register) for a register that passed `RegisterSchema`: pseudonyms and
 * keys are ASCII ids and base64url, so nothing needs escaping, and members
 * come in JCS order ("keys" before "voter"). Equal to `jcs(register)` (tested);
 * a register lists every voter, so the generic serialiser is avoided here too.
 */
export function registerJcs(register: Register): string {
  let out = '[';
  register.forEach((entry, i) => {
    out += `${i === 0 ? '' : ','}{"keys":[`;
    entry.keys.forEach((key, k) => {
      out += k === 0 ? `"${key}"` : `,"${key}"`;
    });
    out += `],"voter":"${entry.voter}"}`;
  });
  return `${out}]`;
}

/**
 * JCS(register) of protocol 2, `{"electorate":[…],"issued":[…]}`, for a
 * register that passed `RegisterV2Schema`: pseudonyms are ids, so nothing
 * needs escaping and the members are already in JCS order. Equal to
 * `jcs(register)` (tested); the electorate may be long.
 */
export function registerV2Jcs(register: RegisterV2): string {
  const list = (pseudonyms: readonly string[]): string => (pseudonyms.length === 0 ? '[]' : `["${pseudonyms.join('","')}"]`);
  return `{"electorate":${list(register.electorate)},"issued":${list(register.issued)}}`;
}

/** An Ed25519 key pair in tweetnacl's form: secretKey is seed || publicKey (64 bytes). */
export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** A fresh key pair from the platform's secure random source (the booth's device key). */
export function generateKeyPair(): KeyPair {
  const { publicKey, secretKey } = nacl.sign.keyPair();
  return { publicKey, secretKey };
}

/** The key pair of a 32-byte seed: deterministic, for tests and the worked example. */
export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  if (seed.length !== 32) throw new Error(`keyPairFromSeed: seed must be 32 bytes, got ${seed.length}`);
  const { publicKey, secretKey } = nacl.sign.keyPair.fromSeed(seed);
  return { publicKey, secretKey };
}

/** Ed25519 signature (64 bytes) with tweetnacl, as the browser makes it. */
export function signBytes(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== 64) throw new Error(`signBytes: secret key must be 64 bytes, got ${secretKey.length}`);
  return nacl.sign.detached(message, secretKey);
}

/** Signs a statement for a purpose; returns the signature as base64url. */
export function signStatement(purpose: Purpose, statement: unknown, secretKey: Uint8Array): string {
  return encodeBase64Url(signBytes(signedBytes(purpose, statement), secretKey));
}

/**
 * Checks a base64url signature over a statement for a purpose under a
 * base64url public key. Malformed encodings are simply not valid signatures.
 */
export function verifyStatement(
  crypto: ProtocolCrypto,
  purpose: Purpose,
  statement: unknown,
  signature: string,
  publicKey: string,
): boolean {
  const sig = decodeBase64Url(signature, 64);
  const key = decodeBase64Url(publicKey, 32);
  if (!sig.ok || !key.ok) return false;
  return crypto.verify(sig.value, signedBytes(purpose, statement), key.value);
}
