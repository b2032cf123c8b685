/**
 * Round credentials: RFC 9474's own test vectors through the pure client
 * code (the browser's path) and OpenSSL, the derivation pinned and checked
 * against node:crypto's HKDF, and property tests over the whole exchange:
 * the device prepares with tweetnacl keys and BigInt blinding, the server
 * signs with node:crypto, the device finishes, and both verifiers agree.
 */
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, privateDecrypt, verify } from 'node:crypto';
import fs from 'node:fs';
import fc from 'fast-check';
import nacl from 'tweetnacl';
import { beforeAll, describe, expect, it } from 'vitest';
import { blindSign, exportIssuer, generateIssuer, generateIssuerSync, importIssuer, nodeCredentialCrypto, type Issuer } from '../../node/crypto/blind-rsa';
import { blind, emsaPssEncode, finalize, inverseMod, rsaPublicKey, verifyPss } from '../../shared/protocol/blind-rsa';
import {
  checkCredential,
  credentialMessage,
  finishCredential,
  isIssuingKey,
  portableCredentialCrypto,
  prepareCredential,
  type CredentialCrypto,
  type PreparedCredential,
} from '../../shared/protocol/credential';
import { decodeBase64Url, encodeBase64Url, fromHex, toHex, utf8 } from '../../shared/protocol/encoding';
import { jcs } from '../../shared/protocol/jcs';
import { blindingInputs, roundKeyPair, roundKeySeed } from '../../shared/protocol/round-key';
import { idArb } from './arbitraries';

interface Vector {
  readonly name: string;
  readonly p: string;
  readonly q: string;
  readonly n: string;
  readonly e: string;
  readonly d: string;
  readonly msg: string;
  readonly msg_prefix: string;
  readonly input_msg: string;
  readonly salt: string;
  readonly inv: string;
  readonly blinded_msg: string;
  readonly blind_sig: string;
  readonly sig: string;
  readonly encoded_msg?: string;
}

// RFC 9474 Appendix A, all four variants (one 4096-bit key), as published with the RFC.
const VECTORS = JSON.parse(fs.readFileSync(new URL('./credential-rfc9474-vectors.json', import.meta.url), 'utf8')) as Vector[];

const CRYPTOS: readonly [string, CredentialCrypto][] = [
  ['node', nodeCredentialCrypto],
  ['portable', portableCredentialCrypto],
];

function hex(text: string): Uint8Array {
  const digits = text.startsWith('0x') ? text.slice(2) : text;
  const bytes = fromHex(digits.length % 2 === 1 ? `0${digits}` : digits);
  if (!bytes.ok) throw new Error(`bad hex in a vector: ${text.slice(0, 20)}`);
  return bytes.value;
}

function big(text: string): bigint {
  return BigInt(text);
}

function b64(value: bigint): string {
  let h = value.toString(16);
  if (h.length % 2 === 1) h = `0${h}`;
  return Buffer.from(h, 'hex').toString('base64url');
}

function flipBit(text: string, bit: number): string {
  const bytes = Buffer.from(text, 'base64url');
  const i = Math.floor(bit / 8) % bytes.length;
  bytes[i] = (bytes[i] ?? 0) ^ (1 << bit % 8);
  return bytes.toString('base64url');
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok) throw new Error(`unexpected failure: ${String(result.error)}`);
  return result.value;
}

describe('RFC 9474 test vectors', () => {
  for (const v of VECTORS) {
    it(v.name, () => {
      const key = rsaPublicKey(hex(v.n), big(v.e));
      const n = key.n;
      const inv = big(v.inv);
      const r = inverseMod(inv, n);
      expect(r).toBeDefined();
      const message = hex(v.input_msg);
      expect(toHex(message)).toBe(v.msg_prefix + v.msg);
      const salt = hex(v.salt);
      if (v.encoded_msg !== undefined) expect(toHex(emsaPssEncode(message, key.modulusBits - 1, salt) ?? new Uint8Array())).toBe(v.encoded_msg);

      // The client's half, in BigInt as the browser runs it.
      const blinded = unwrap(blind(key, message, salt, r ?? 0n));
      expect(toHex(blinded.blindedMessage)).toBe(v.blinded_msg);
      expect(blinded.inverse).toBe(inv);

      // The server's half: OpenSSL's bare private-key operation, as node/crypto/blind-rsa.ts does it.
      const p = big(v.p);
      const q = big(v.q);
      const d = big(v.d);
      const privateKey = createPrivateKey({
        key: { kty: 'RSA', n: b64(n), e: b64(key.e), d: b64(d), p: b64(p), q: b64(q), dp: b64(d % (p - 1n)), dq: b64(d % (q - 1n)), qi: b64(inverseMod(q, p) ?? 0n) },
        format: 'jwk',
      });
      const blindSig = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, Buffer.from(blinded.blindedMessage));
      expect(blindSig.toString('hex')).toBe(v.blind_sig);

      const sig = unwrap(finalize(key, message, new Uint8Array(blindSig), inv, salt.length));
      expect(toHex(sig)).toBe(v.sig);
      expect(verifyPss(key, message, sig, salt.length)).toBe(true);
      // And it is a plain RSASSA-PSS signature: OpenSSL verifies it with nothing blind about it.
      const publicKey = createPublicKey(privateKey);
      expect(verify('sha384', message, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt.length }, sig)).toBe(true);
      // A salt length other than the variant's is refused, not guessed.
      expect(verifyPss(key, message, sig, salt.length === 0 ? 48 : 0)).toBe(false);
    });
  }
});

describe('round key derivation', () => {
  const seed = Uint8Array.from({ length: 32 }, (_, i) => i);

  it('is HKDF-SHA256 with the documented salt and info (checked against node:crypto)', () => {
    const expected = new Uint8Array(hkdfSync('sha256', seed, utf8('stemkring:round-key:v2'), utf8('r1'), 32));
    expect(toHex(roundKeySeed(seed, 'r1'))).toBe(toHex(expected));
    const modulus = new Uint8Array(256).fill(0xff);
    const n = BigInt(`0x${'ff'.repeat(256)}`);
    const info = Buffer.concat([Buffer.from('r1'), Buffer.of(0), modulus]);
    const okm = new Uint8Array(hkdfSync('sha256', seed, utf8('stemkring:round-blind:v2'), info, 48 + 256 + 16));
    const inputs = blindingInputs(seed, 'r1', modulus, n);
    expect(toHex(inputs.salt)).toBe(toHex(okm.subarray(0, 48)));
    expect(inputs.r).toBe(BigInt(`0x${toHex(okm.subarray(48))}`) % n);
  });

  it('gives fixed values (vectors for other implementations)', () => {
    expect(toHex(roundKeySeed(seed, 'r1'))).toBe(ROUND_KEY_SEED_R1);
    expect(encodeBase64Url(roundKeyPair(seed, 'r1').publicKey)).toBe(ROUND_KEY_R1);
    expect(toHex(roundKeySeed(seed, 'r2'))).not.toBe(ROUND_KEY_SEED_R1);
  });

  it('makes the same key as tweetnacl from the derived seed', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), idArb, (deviceSeed, round) => {
        const pair = nacl.sign.keyPair.fromSeed(roundKeySeed(deviceSeed, round));
        expect(toHex(roundKeyPair(deviceSeed, round).publicKey)).toBe(toHex(pair.publicKey));
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a device seed of the wrong length', () => {
    expect(() => roundKeySeed(new Uint8Array(64), 'r1')).toThrow();
  });
});

describe('the credential message', () => {
  it('is the purpose prefix and the JCS of key and round', () => {
    fc.assert(
      fc.property(idArb, fc.uint8Array({ minLength: 32, maxLength: 32 }), (round, raw) => {
        const key = encodeBase64Url(raw);
        const expected = Buffer.concat([Buffer.from('stemkring:credential:v2\n'), Buffer.from(jcs({ round, key }))]);
        expect(toHex(credentialMessage(round, key) ?? new Uint8Array())).toBe(expected.toString('hex'));
      }),
    );
  });

  it('is refused for a malformed round or key', () => {
    const key = encodeBase64Url(new Uint8Array(32));
    expect(credentialMessage('bad"id', key)).toBeUndefined();
    expect(credentialMessage('', key)).toBeUndefined();
    expect(credentialMessage('r1', key.slice(1))).toBeUndefined();
  });
});

describe('issuing, finishing and checking credentials', () => {
  let issuer: Issuer;
  let other: Issuer;
  beforeAll(() => {
    issuer = generateIssuerSync();
    other = generateIssuerSync();
  });

  function issue(deviceSeed: Uint8Array, round: string, by: Issuer = issuer): { prepared: PreparedCredential; credential: string } {
    const prepared = unwrap(prepareCredential(deviceSeed, round, by.issuingKey));
    const answer = unwrap(blindSign(by, prepared.blindedMessage));
    return { prepared, credential: unwrap(finishCredential(prepared, answer)) };
  }

  const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

  it('issuing keys have the wire form and survive export and import', () => {
    expect(isIssuingKey(issuer.issuingKey)).toBe(true);
    expect(issuer.issuingKey).toHaveLength(342);
    const again = unwrap(importIssuer(exportIssuer(issuer)));
    expect(again.issuingKey).toBe(issuer.issuingKey);
    expect(importIssuer('AAAA').ok).toBe(false);
    expect(importIssuer('not base64url!').ok).toBe(false);
    // Only 2048-bit RSA keys with e = 65537 are issuing keys.
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(importIssuer(encodeBase64Url(small))).toEqual({ ok: false, error: 'not_an_issuing_key' });
    const edwards = generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' });
    expect(importIssuer(encodeBase64Url(edwards))).toEqual({ ok: false, error: 'not_an_issuing_key' });
  });

  it('a key made off the event loop issues credentials like any other', async () => {
    const fresh = await generateIssuer();
    const { prepared, credential } = issue(new Uint8Array(32).fill(3), 'r9', fresh);
    expect(checkCredential(nodeCredentialCrypto, { round: 'r9', issuingKey: fresh.issuingKey, roundKey: prepared.roundKey, credential }).ok).toBe(true);
  });

  it('round trip: prepare (tweetnacl, BigInt) → blind sign (OpenSSL) → finish → both verifiers accept', () => {
    fc.assert(
      fc.property(seedArb, idArb, (deviceSeed, round) => {
        const { prepared, credential } = issue(deviceSeed, round);
        expect(prepared.roundKey).toBe(encodeBase64Url(nacl.sign.keyPair.fromSeed(roundKeySeed(deviceSeed, round)).publicKey));
        for (const [, crypto] of CRYPTOS) {
          expect(checkCredential(crypto, { round, issuingKey: issuer.issuingKey, roundKey: prepared.roundKey, credential })).toEqual({ ok: true, value: undefined });
        }
      }),
      { numRuns: 20 },
    );
  });

  it('a retry is the same request and gets the same answer; the blinded request is not the plain message', () => {
    fc.assert(
      fc.property(seedArb, idArb, (deviceSeed, round) => {
        const first = unwrap(prepareCredential(deviceSeed, round, issuer.issuingKey));
        const again = unwrap(prepareCredential(Uint8Array.from(deviceSeed), round, issuer.issuingKey));
        expect(again.blindedMessage).toBe(first.blindedMessage);
        expect(unwrap(blindSign(issuer, again.blindedMessage))).toBe(unwrap(blindSign(issuer, first.blindedMessage)));
        // Under another key the request is unrelated (the modulus is in the derivation).
        expect(unwrap(prepareCredential(deviceSeed, round, other.issuingKey)).blindedMessage).not.toBe(first.blindedMessage);
      }),
      { numRuns: 10 },
    );
  });

  it('any flipped bit in the credential or the round key is refused', () => {
    fc.assert(
      fc.property(seedArb, idArb, fc.nat(256 * 8 - 1), fc.nat(32 * 8 - 1), (deviceSeed, round, credentialBit, keyBit) => {
        const { prepared, credential } = issue(deviceSeed, round);
        for (const [, crypto] of CRYPTOS) {
          const badCredential = checkCredential(crypto, { round, issuingKey: issuer.issuingKey, roundKey: prepared.roundKey, credential: flipBit(credential, credentialBit) });
          expect(badCredential).toEqual({ ok: false, error: 'invalid_credential' });
          const badKey = checkCredential(crypto, { round, issuingKey: issuer.issuingKey, roundKey: flipBit(prepared.roundKey, keyBit), credential });
          expect(badKey).toEqual({ ok: false, error: 'invalid_credential' });
        }
      }),
      { numRuns: 15 },
    );
  });

  it('a credential of round A is refused in round B, under B’s key and even under the same key', () => {
    fc.assert(
      fc.property(seedArb, idArb, idArb, (deviceSeed, a, b) => {
        fc.pre(a !== b);
        const { prepared, credential } = issue(deviceSeed, a);
        for (const [, crypto] of CRYPTOS) {
          for (const issuingKey of [other.issuingKey, issuer.issuingKey]) {
            expect(checkCredential(crypto, { round: b, issuingKey, roundKey: prepared.roundKey, credential })).toEqual({ ok: false, error: 'invalid_credential' });
          }
        }
      }),
      { numRuns: 10 },
    );
  });

  it('a credential under a different issuing key is refused', () => {
    fc.assert(
      fc.property(seedArb, idArb, (deviceSeed, round) => {
        const { prepared, credential } = issue(deviceSeed, round, other);
        for (const [, crypto] of CRYPTOS) {
          expect(checkCredential(crypto, { round, issuingKey: issuer.issuingKey, roundKey: prepared.roundKey, credential })).toEqual({ ok: false, error: 'invalid_credential' });
        }
      }),
      { numRuns: 10 },
    );
  });

  it('forged credentials are refused', () => {
    const deviceSeed = new Uint8Array(32).fill(7);
    const { prepared, credential } = issue(deviceSeed, 'r1');
    const input = { round: 'r1', issuingKey: issuer.issuingKey, roundKey: prepared.roundKey };
    // The unblinded-looking answer of the server to a request, used as is.
    const rawAnswer = unwrap(blindSign(issuer, prepared.blindedMessage));
    // A credential for another member's round key, carried with mine.
    const someoneElse = issue(new Uint8Array(32).fill(8), 'r1');
    const forgeries = [
      rawAnswer,
      encodeBase64Url(new Uint8Array(256)),
      encodeBase64Url(Uint8Array.from({ length: 256 }, (_, i) => (i * 37 + 11) & 0xff)),
      someoneElse.credential,
      issuer.issuingKey, // n itself: out of range
    ];
    for (const [, crypto] of CRYPTOS) {
      expect(checkCredential(crypto, { ...input, credential })).toEqual({ ok: true, value: undefined });
      for (const forged of forgeries) expect(checkCredential(crypto, { ...input, credential: forged })).toEqual({ ok: false, error: 'invalid_credential' });
      expect(checkCredential(crypto, { ...input, credential: credential.slice(1) })).toEqual({ ok: false, error: 'malformed_credential' });
      expect(checkCredential(crypto, { ...input, credential: `${credential.slice(0, -1)}=` })).toEqual({ ok: false, error: 'malformed_credential' });
      expect(checkCredential(crypto, { ...input, round: 'no spaces', credential })).toEqual({ ok: false, error: 'malformed_round' });
      expect(checkCredential(crypto, { ...input, issuingKey: issuer.issuingKey.slice(2), credential })).toEqual({ ok: false, error: 'malformed_issuing_key' });
    }
  });

  it('the device refuses an answer that does not finish into a valid credential', () => {
    const prepared = unwrap(prepareCredential(new Uint8Array(32).fill(1), 'r1', issuer.issuingKey));
    const answer = unwrap(blindSign(issuer, prepared.blindedMessage));
    expect(finishCredential(prepared, flipBit(answer, 1603))).toEqual({ ok: false, error: 'invalid_signature' });
    // Signed by another key (a server cheating with a per-member key to link ballots) is caught too.
    // The request is reduced below that key's modulus first, as such a server would have to; the
    // answer is then refused as invalid, or as out of range when the other modulus is the larger.
    const otherModulus = Buffer.from(other.issuingKey, 'base64url');
    const request = BigInt(`0x${Buffer.from(prepared.blindedMessage, 'base64url').toString('hex')}`);
    const reduced = Buffer.from((request % BigInt(`0x${otherModulus.toString('hex')}`)).toString(16).padStart(512, '0'), 'hex');
    const cheat = privateDecrypt({ key: other.privateKey, padding: constants.RSA_NO_PADDING }, reduced).toString('base64url');
    const refused = finishCredential(prepared, cheat);
    expect(refused.ok ? 'accepted' : refused.error).toMatch(/^(invalid_signature|out_of_range)$/);
    expect(finishCredential(prepared, issuer.issuingKey)).toEqual({ ok: false, error: 'out_of_range' });
    expect(finishCredential(prepared, answer.slice(4))).toEqual({ ok: false, error: 'malformed_blind_signature' });
  });

  it('the server refuses malformed and out-of-range requests', () => {
    expect(blindSign(issuer, 'AAAA')).toEqual({ ok: false, error: 'malformed_request' });
    expect(blindSign(issuer, '!'.repeat(342))).toEqual({ ok: false, error: 'malformed_request' });
    expect(blindSign(issuer, issuer.issuingKey)).toEqual({ ok: false, error: 'out_of_range' });
    expect(blindSign(issuer, encodeBase64Url(new Uint8Array(256).fill(0xff)))).toEqual({ ok: false, error: 'out_of_range' });
    const modulus = unwrap(decodeBase64Url(issuer.issuingKey));
    expect(prepareCredential(new Uint8Array(32), 'r1', encodeBase64Url(modulus.subarray(1))).ok).toBe(false);
    expect(prepareCredential(new Uint8Array(32), 'bad id', issuer.issuingKey)).toEqual({ ok: false, error: 'malformed_round' });
  });
});

// Pinned from this implementation (and HKDF cross-checked above with node:crypto), for other clients to match.
const ROUND_KEY_SEED_R1 = '7759de124f22c399e9d9f816d857f34eea11b9e55d6b080ab3100ec7d960b005';
const ROUND_KEY_R1 = 'KRf4-Mhujidsat8uy0Iky---8aFnAnPGMY-r6i6EkSI';
