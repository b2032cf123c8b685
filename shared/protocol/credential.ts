/**
 * Round credentials (protocol 2): the issuing key's blind RSA signature
 * (RFC 9474, RSABSSA-SHA384-PSS-Deterministic, 2048-bit keys, e = 65537)
 * over one round key. docs/credentials.md gives the reasons for each choice.
 *
 * Wire format, all base64url without padding (encoding.ts):
 * - issuing key: the modulus n, exactly 256 bytes, top bit set, odd; the
 *   exponent is always 65537 and not written;
 * - credential request: the blinded message, exactly 256 bytes, below n;
 * - blind signature (the server's answer) and credential: 256 bytes each.
 *
 * The signed message is
 *   UTF-8("stemkring:credential:v2\n") || UTF-8(JCS({"key": K, "round": R}))
 * with K the round key (base64url of its 32 bytes) and R the round id, built
 * like every other signed statement (signing.ts), so a credential can never
 * be read as a signature over anything else, nor serve another round.
 *
 * Checking goes through an injected `CredentialCrypto`, as ballot signatures
 * go through `ProtocolCrypto`: node:crypto on the server and in
 * `stemkring verify` (node/crypto/blind-rsa.ts), `portableCredentialCrypto`
 * (plain BigInt) in the browser.
 */
import { z } from 'zod';
import { err, ok, type Result } from '../result';
import { blind, finalize, rsaPublicKey, verifyPss, type BlindError, type FinalizeError, type RsaPublicKey } from './blind-rsa';
import { decodeBase64Url, encodeBase64Url, isBase64Url, utf8 } from './encoding';
import { isId } from './ids';
import { BLIND_SALT_LENGTH, blindingInputs, roundKeyPair } from './round-key';
import type { KeyPair } from './signing';

/** The RFC 9474 variant, by its registered name; a definition may name it. */
export const CREDENTIAL_VARIANT = 'RSABSSA-SHA384-PSS-Deterministic';
export const ISSUING_KEY_BITS = 2048;
/** Bytes of the modulus, of a request, of a blind signature and of a credential. */
export const ISSUING_KEY_BYTES = ISSUING_KEY_BITS / 8;
/** The PSS salt length of the variant: 48 bytes, SHA-384's length. */
export const CREDENTIAL_SALT_LENGTH = BLIND_SALT_LENGTH;

const CREDENTIAL_PREFIX = utf8('stemkring:credential:v2\n');

/** True for an issuing key's wire form: a 2048-bit odd modulus. */
export function isIssuingKey(text: string): boolean {
  const bytes = decodeBase64Url(text, ISSUING_KEY_BYTES);
  return bytes.ok && ((bytes.value[0] ?? 0) & 0x80) !== 0 && ((bytes.value[ISSUING_KEY_BYTES - 1] ?? 0) & 1) === 1;
}

export const IssuingKeySchema = z.string().refine(isIssuingKey, 'an issuing key is the base64url of a 2048-bit odd RSA modulus (256 bytes)');
export const CredentialSchema = z
  .string()
  .refine((text) => isBase64Url(text, ISSUING_KEY_BYTES), `a credential is base64url without padding of exactly ${String(ISSUING_KEY_BYTES)} bytes`);
/** The request's and the answer's schemas are the same shape; their range against n is checked with the key at hand. */
export const BlindedMessageSchema = CredentialSchema;
export const BlindSignatureSchema = CredentialSchema;

/**
 * The bytes the issuing key signs. Round ids and base64url need no JSON
 * escaping and "key" sorts before "round", so this is JCS without the
 * generic serialiser (test/protocol/credential.test.ts holds it equal).
 * Undefined when either input is malformed.
 */
export function credentialMessage(round: string, roundKey: string): Uint8Array | undefined {
  if (!isId(round) || !isBase64Url(roundKey, 32)) return undefined;
  const body = utf8(`{"key":"${roundKey}","round":"${round}"}`);
  const out = new Uint8Array(CREDENTIAL_PREFIX.length + body.length);
  out.set(CREDENTIAL_PREFIX, 0);
  out.set(body, CREDENTIAL_PREFIX.length);
  return out;
}

/** Checking a credential's RSA signature, injected wherever speed matters. */
export interface CredentialCrypto {
  /**
   * RSASSA-PSS with SHA-384, MGF1-SHA-384, a 48-byte salt and e = 65537,
   * under the issuing key in its wire form (already checked by
   * `isIssuingKey`). False for any malformed input, never a throw.
   */
  verify(issuingKey: string, message: Uint8Array, signature: Uint8Array): boolean;
}

/** `CredentialCrypto` in plain BigInt: the browser's, and any verifier's without node:crypto. */
export const portableCredentialCrypto: CredentialCrypto = {
  verify(issuingKey, message, signature) {
    const key = publicKeyOf(issuingKey);
    return key !== undefined && verifyPss(key, message, signature, CREDENTIAL_SALT_LENGTH);
  },
};

export type CredentialError = 'malformed_issuing_key' | 'malformed_round' | 'malformed_credential' | 'invalid_credential';

/**
 * The whole check of a credential, as the server does it at casting and the
 * verifier for every protocol-2 ballot: well-formed inputs, then the
 * signature over (round, round key) under the round's issuing key.
 */
export function checkCredential(
  crypto: CredentialCrypto,
  input: { readonly round: string; readonly issuingKey: string; readonly roundKey: string; readonly credential: string },
): Result<undefined, CredentialError> {
  if (!isIssuingKey(input.issuingKey)) return err('malformed_issuing_key');
  const message = credentialMessage(input.round, input.roundKey);
  if (message === undefined) return err('malformed_round');
  const signature = decodeBase64Url(input.credential, ISSUING_KEY_BYTES);
  if (!signature.ok) return err('malformed_credential');
  return crypto.verify(input.issuingKey, message, signature.value) ? ok(undefined) : err('invalid_credential');
}

/** The device's side of one request, all of it derived again from (device seed, round, issuing key). */
export interface PreparedCredential {
  readonly round: string;
  readonly issuingKey: string;
  /** The round key pair: signs this round's ballot. */
  readonly roundKeys: KeyPair;
  /** base64url of the round key's public half, as the ballot names it. */
  readonly roundKey: string;
  /** What is sent, signed in, to ask for the credential. */
  readonly blindedMessage: string;
  /** Kept on the device to unblind the answer (RFC 9474's inv). */
  readonly inverse: bigint;
}

export type PrepareError = 'malformed_issuing_key' | 'malformed_round' | BlindError;

/**
 * Makes the round key and the blinded request for it. Deterministic: the
 * same device seed, round and issuing key give the same request every time,
 * so a retry (or a device restored from the recovery file) asks the same
 * question and gets the same answer.
 */
export function prepareCredential(deviceSeed: Uint8Array, round: string, issuingKey: string): Result<PreparedCredential, PrepareError> {
  const key = publicKeyOf(issuingKey);
  if (key === undefined) return err('malformed_issuing_key');
  if (!isId(round)) return err('malformed_round');
  const roundKeys = roundKeyPair(deviceSeed, round);
  const roundKey = encodeBase64Url(roundKeys.publicKey);
  const message = credentialMessage(round, roundKey);
  if (message === undefined) return err('malformed_round');
  const modulus = decodeBase64Url(issuingKey, ISSUING_KEY_BYTES);
  if (!modulus.ok) return err('malformed_issuing_key');
  const { salt, r } = blindingInputs(deviceSeed, round, modulus.value, key.n);
  const blinded = blind(key, message, salt, r);
  if (!blinded.ok) return blinded;
  return ok({ round, issuingKey, roundKeys, roundKey, blindedMessage: encodeBase64Url(blinded.value.blindedMessage), inverse: blinded.value.inverse });
}

export type FinishError = 'malformed_blind_signature' | FinalizeError;

/**
 * Unblinds the server's answer into the credential (base64url) and checks
 * it: an answer that is not a valid signature under the round's issuing key
 * is refused here, before any ballot carries it.
 */
export function finishCredential(prepared: PreparedCredential, blindSignature: string): Result<string, FinishError> {
  const key = publicKeyOf(prepared.issuingKey);
  const message = credentialMessage(prepared.round, prepared.roundKey);
  // Both were checked by prepareCredential; reaching this means the object was tampered with.
  if (key === undefined || message === undefined) throw new Error('finishCredential: not a prepared credential');
  const answer = decodeBase64Url(blindSignature, ISSUING_KEY_BYTES);
  if (!answer.ok) return err('malformed_blind_signature');
  const signature = finalize(key, message, answer.value, prepared.inverse, CREDENTIAL_SALT_LENGTH);
  return signature.ok ? ok(encodeBase64Url(signature.value)) : signature;
}

function publicKeyOf(issuingKey: string): RsaPublicKey | undefined {
  if (!isIssuingKey(issuingKey)) return undefined;
  const modulus = decodeBase64Url(issuingKey, ISSUING_KEY_BYTES);
  return modulus.ok ? rsaPublicKey(modulus.value) : undefined;
}
