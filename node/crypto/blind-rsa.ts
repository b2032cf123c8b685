/**
 * The issuer's half of round credentials over node:crypto (OpenSSL): a
 * round's issuing key, blind signing (RFC 9474 §4.3 BlindSign), and a fast
 * `CredentialCrypto` for the server and `stemkring verify`. The device's
 * half (prepare, finish) is pure and lives in shared/protocol/credential.ts;
 * `stemkring cast` uses it as the browser does.
 *
 * Blind signing is the bare RSA private-key operation on the blinded
 * message: `privateDecrypt` with RSA_NO_PADDING is exactly RSASP1 (OpenSSL
 * does it with CRT and base blinding). bench/suites/credentials.ts holds it
 * against that raw operation.
 */
import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  verify,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { err, ok, type Result } from '../../shared/result';
import { decodeBase64Url, encodeBase64Url } from '../../shared/protocol/encoding';
import { CREDENTIAL_SALT_LENGTH, ISSUING_KEY_BITS, ISSUING_KEY_BYTES, isIssuingKey, type CredentialCrypto } from '../../shared/protocol/credential';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A round's issuing key, with what blind signing needs at hand. */
export interface Issuer {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The issuing key's wire form (credential.ts): base64url of n. */
  readonly issuingKey: string;
  /** n as 256 big-endian bytes, for the range check of each request. */
  readonly modulus: Buffer;
}

const RSA_OPTIONS = { modulusLength: ISSUING_KEY_BITS, publicExponent: 65537 } as const;

/** A new issuing key, off the event loop: 2048-bit generation takes tens to hundreds of milliseconds. */
export async function generateIssuer(): Promise<Issuer> {
  const { privateKey } = await generateKeyPairAsync('rsa', RSA_OPTIONS);
  return issuerOf(privateKey);
}

/** The same, blocking: for tests, benchmarks and the command line. */
export function generateIssuerSync(): Issuer {
  return issuerOf(generateKeyPairSync('rsa', RSA_OPTIONS).privateKey);
}

export type IssuerError = 'not_an_issuing_key';

/** The issuer of a stored private key (PKCS#8 DER, base64url), checked to be a 2048-bit key with e = 65537. */
export function importIssuer(pkcs8: string): Result<Issuer, IssuerError> {
  const der = decodeBase64Url(pkcs8);
  if (!der.ok) return err('not_an_issuing_key');
  try {
    const privateKey = createPrivateKey({ key: Buffer.from(der.value), format: 'der', type: 'pkcs8' });
    if (privateKey.asymmetricKeyType !== 'rsa') return err('not_an_issuing_key');
    return ok(issuerOf(privateKey));
  } catch {
    return err('not_an_issuing_key');
  }
}

/** The private key to store with the round (the data folder's database): PKCS#8 DER, base64url. */
export function exportIssuer(issuer: Issuer): string {
  return encodeBase64Url(issuer.privateKey.export({ format: 'der', type: 'pkcs8' }));
}

function issuerOf(privateKey: KeyObject): Issuer {
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' });
  // A JWK's n is base64url of the minimal big-endian bytes: for a 2048-bit key, 256 bytes, as the wire form wants.
  if (jwk.e !== 'AQAB' || typeof jwk.n !== 'string' || !isIssuingKey(jwk.n)) {
    throw new Error('issuer: not a 2048-bit RSA key with e = 65537');
  }
  return { privateKey, publicKey, issuingKey: jwk.n, modulus: Buffer.from(jwk.n, 'base64url') };
}

export type BlindSignError = 'malformed_request' | 'out_of_range' | 'signing_failure';

/**
 * RFC 9474 §4.3 BlindSign on a request in its wire form: strict base64url
 * of exactly 256 bytes, below n (OpenSSL would refuse it too, but with an
 * exception, not an answer), then RSASP1, then RSAVP1 on the result must
 * give the request back: a fault during signing would otherwise hand out a
 * value that reveals the key (OpenSSL checks its CRT result too; the check
 * here costs a public-key operation, a few per cent of the private one, and
 * keeps the guarantee whatever the library does). Measured with all of it:
 * 0.93 of the bare private-key operation (bench/suites/credentials.ts).
 */
export function blindSign(issuer: Issuer, blindedMessage: string): Result<string, BlindSignError> {
  const request = decodeBase64Url(blindedMessage, ISSUING_KEY_BYTES);
  if (!request.ok) return err('malformed_request');
  const m = Buffer.from(request.value.buffer, request.value.byteOffset, request.value.byteLength);
  if (Buffer.compare(m, issuer.modulus) >= 0) return err('out_of_range');
  const s = privateDecrypt({ key: issuer.privateKey, padding: constants.RSA_NO_PADDING }, m);
  const back = publicEncrypt({ key: issuer.publicKey, padding: constants.RSA_NO_PADDING }, s);
  if (!back.equals(m)) return err('signing_failure');
  return ok(s.toString('base64url'));
}

/**
 * Public keys as KeyObjects, one per issuing key: unlike ballot keys (one
 * per ballot, see node-crypto.ts), a bundle has one issuing key for every
 * credential in it, so the import is paid once. Bounded, because a verifier
 * may be fed keys by anyone.
 */
const KEY_CACHE_LIMIT = 64;
const keyCache = new Map<string, KeyObject>();

function publicKeyObject(issuingKey: string): KeyObject | undefined {
  const cached = keyCache.get(issuingKey);
  if (cached !== undefined) return cached;
  if (!isIssuingKey(issuingKey)) return undefined;
  const key = createPublicKey({ key: { kty: 'RSA', n: issuingKey, e: 'AQAB' }, format: 'jwk' });
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(issuingKey, key);
  return key;
}

/** `CredentialCrypto` over OpenSSL: RSASSA-PSS, SHA-384, MGF1-SHA-384, salt length exactly 48. */
export const nodeCredentialCrypto: CredentialCrypto = {
  verify(issuingKey, message, signature) {
    if (signature.length !== ISSUING_KEY_BYTES) return false;
    const key = publicKeyObject(issuingKey);
    if (key === undefined) return false;
    try {
      return verify('sha384', message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: CREDENTIAL_SALT_LENGTH }, signature);
    } catch {
      return false;
    }
  },
};
