import fc from 'fast-check';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { ed25519PrivateKey, nodeCrypto, nodeSign, rawPublicKey } from '../../node/crypto/node-crypto';
import { portableCrypto } from '../../shared/protocol/crypto-portable';
import { encodeBase64Url, fromUtf8, toHex, utf8 } from '../../shared/protocol/encoding';
import {
  generateKeyPair,
  keyPairFromSeed,
  PURPOSES,
  signBytes,
  signedBytes,
  signStatement,
  verifyStatement,
  type ProtocolCrypto,
} from '../../shared/protocol/signing';
import { seedOf } from './bundle-fixture';

const CRYPTOS: readonly [string, ProtocolCrypto][] = [
  ['node', nodeCrypto],
  ['portable', portableCrypto],
];

const statement = { instance: 'inst', round: 'r1', seq: 3, leaf: 'x', head: 'y' };
const alice = keyPairFromSeed(seedOf('alice'));
const bob = keyPairFromSeed(seedOf('bob'));

function flipBit(data: Uint8Array, bit: number): Uint8Array {
  const out = data.slice();
  const i = Math.floor(bit / 8) % out.length;
  out[i] = (out[i] ?? 0) ^ (1 << (bit % 8));
  return out;
}

describe('signed bytes', () => {
  it('are the purpose prefix followed by the JCS text', () => {
    const bytes = signedBytes('receipt', { round: 'r1', instance: 'inst' });
    expect(fromUtf8(bytes)).toEqual({ ok: true, value: 'stemkring:receipt:v1\n{"instance":"inst","round":"r1"}' });
    for (const purpose of PURPOSES) {
      expect(fromUtf8(signedBytes(purpose, {}))).toEqual({ ok: true, value: `stemkring:${purpose}:v1\n{}` });
    }
  });
});

describe('Ed25519 across implementations', () => {
  it('a signature made with tweetnacl, as the browser makes it, verifies with node:crypto and with the portable code', () => {
    const message = signedBytes('ballot', { choice: { pick: 'a' } });
    const signature = signBytes(message, alice.secretKey);
    for (const [name, crypto] of CRYPTOS) expect(crypto.verify(signature, message, alice.publicKey), name).toBe(true);
  });

  it('node:crypto signs the same bytes as tweetnacl and derives the same public key', () => {
    const seed = seedOf('carol');
    const pair = keyPairFromSeed(seed);
    const key = ed25519PrivateKey(seed);
    expect(toHex(rawPublicKey(key))).toBe(toHex(pair.publicKey));
    expect(toHex(ed25519PrivateKey(pair.secretKey).export({ format: 'der', type: 'pkcs8' }))).toBe(toHex(key.export({ format: 'der', type: 'pkcs8' })));
    const message = utf8('stemkring:outcome:v1\n{}');
    expect(toHex(nodeSign(message, key))).toBe(toHex(signBytes(message, pair.secretKey)));
  });

  it('both refuse a signature with any bit flipped, or over a message with any bit flipped', () => {
    const message = signedBytes('ballot', { choice: { approve: ['a', 'b'] } });
    const signature = signBytes(message, alice.secretKey);
    fc.assert(
      fc.property(fc.nat(511), fc.nat(message.length * 8 - 1), (sigBit, messageBit) => {
        for (const [name, crypto] of CRYPTOS) {
          expect(crypto.verify(flipBit(signature, sigBit), message, alice.publicKey), name).toBe(false);
          expect(crypto.verify(signature, flipBit(message, messageBit), alice.publicKey), name).toBe(false);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('both refuse the wrong key and the wrong purpose', () => {
    const signature = signStatement('receipt', statement, alice.secretKey);
    const aliceKey = encodeBase64Url(alice.publicKey);
    for (const [name, crypto] of CRYPTOS) {
      expect(verifyStatement(crypto, 'receipt', statement, signature, aliceKey), name).toBe(true);
      expect(verifyStatement(crypto, 'receipt', statement, signature, encodeBase64Url(bob.publicKey)), name).toBe(false);
      for (const purpose of PURPOSES.filter((p) => p !== 'receipt')) {
        expect(verifyStatement(crypto, purpose, statement, signature, aliceKey), `${name} ${purpose}`).toBe(false);
      }
      expect(verifyStatement(crypto, 'receipt', { ...statement, seq: 4 }, signature, aliceKey), name).toBe(false);
    }
  });

  it('both refuse a malleated signature (S + L), which plain tweetnacl would accept', () => {
    const message = utf8('stemkring:ballot:v1\n{}');
    const signature = signBytes(message, alice.secretKey);
    const order = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 31; i >= 0; i -= 1) s = (s << 8n) | BigInt(signature[32 + i] ?? 0);
    let t = s + order;
    const malleated = signature.slice();
    for (let i = 0; i < 32; i += 1) {
      malleated[32 + i] = Number(t & 255n);
      t >>= 8n;
    }
    expect(nacl.sign.detached.verify(message, malleated, alice.publicKey)).toBe(true);
    for (const [name, crypto] of CRYPTOS) expect(crypto.verify(malleated, message, alice.publicKey), name).toBe(false);
  });

  it('both answer false, without throwing, for malformed keys and signatures', () => {
    const message = utf8('x');
    const signature = signBytes(message, alice.secretKey);
    // y = 2 is not on the curve.
    const offCurve = new Uint8Array(32);
    offCurve[0] = 2;
    for (const [name, crypto] of CRYPTOS) {
      expect(crypto.verify(signature, message, offCurve), name).toBe(false);
      expect(crypto.verify(signature.subarray(0, 63), message, alice.publicKey), name).toBe(false);
      expect(crypto.verify(signature, message, alice.publicKey.subarray(0, 31)), name).toBe(false);
      expect(crypto.verify(new Uint8Array(64), message, alice.publicKey), name).toBe(false);
    }
    expect(verifyStatement(nodeCrypto, 'receipt', statement, 'not base64!', encodeBase64Url(alice.publicKey))).toBe(false);
    expect(verifyStatement(nodeCrypto, 'receipt', statement, signStatement('receipt', statement, alice.secretKey), 'short')).toBe(false);
  });

  it('hashes alike', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(toHex(nodeCrypto.sha256(data))).toBe(toHex(portableCrypto.sha256(data)));
      }),
      { numRuns: 50 },
    );
    expect(toHex(nodeCrypto.sha256(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('makes fresh key pairs of the right sizes', () => {
    const pair = generateKeyPair();
    expect(pair.publicKey).toHaveLength(32);
    expect(pair.secretKey).toHaveLength(64);
    expect(() => keyPairFromSeed(new Uint8Array(31))).toThrow();
  });
});
