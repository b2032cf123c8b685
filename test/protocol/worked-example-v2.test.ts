import { constants, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { fromHex, toHex, utf8 } from '../../shared/protocol/encoding';
import { jcs } from '../../shared/protocol/jcs';
import { verifyStatement } from '../../shared/protocol/signing';
import type { BallotV2, RoundDefinitionV2 } from '../../shared/protocol/types';
import { labelledBlocksV2, workedExampleV2 } from './worked-example-v2';

const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/protocol.md'), 'utf8');
const blocks = labelledBlocksV2(doc);
const expected = workedExampleV2();

function block(label: string): string {
  const found = blocks.get(label);
  if (found === undefined) throw new Error(`docs/protocol.md has no worked-example-v2:${label} block`);
  return found;
}

/** Bytes of hex text, in lines or not. */
function hex(text: string): Uint8Array {
  const bytes = fromHex(text.replaceAll('\n', ''));
  if (!bytes.ok) throw new Error(`${text.slice(0, 16)}… is not hex`);
  return bytes.value;
}

function integer(bytes: Uint8Array): bigint {
  return BigInt(`0x${toHex(bytes)}`);
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

describe('the protocol-2 worked example of docs/protocol.md', () => {
  it('shows every value the code computes, and nothing else', () => {
    expect([...blocks.keys()].sort()).toEqual([...expected.keys()].sort());
  });

  for (const [label, value] of expected) {
    it(`shows ${label} as the code computes it`, () => {
      expect(block(label)).toBe(value);
    });
  }

  it('holds together on its own terms, checked apart from the code that made it', () => {
    const definition = JSON.parse(block('definition')) as RoundDefinitionV2;
    const ballot = JSON.parse(block('ballot')) as BallotV2;
    const n = hex(block('issuer-hex'));
    expect(Buffer.from(n).toString('base64url')).toBe(block('issuer'));
    expect(definition.issuer).toBe(block('issuer'));
    const [roundKey = '', roundKeyHex = ''] = block('round-key').split('\n');
    expect(ballot.key).toBe(roundKey);
    expect(toHex(Buffer.from(roundKey, 'base64url'))).toBe(roundKeyHex);

    // The credential message, from the page's own text.
    const message = hex(block('credential-message-hex'));
    expect(new TextDecoder().decode(message)).toBe(block('credential-message-text'));
    expect(block('credential-message-text')).toBe(`stemkring:credential:v2\n${jcs({ key: roundKey, round: definition.round })}`);

    // RSA, with nothing but BigInt and OpenSSL: the answer is the request to the power d, so answer^e = request;
    // the credential is answer · r⁻¹, so credential · r = answer (mod n); and the credential is an RSA-PSS signature.
    const modulus = integer(n);
    const request = integer(Buffer.from(block('blinded-request'), 'base64url'));
    const answer = integer(Buffer.from(block('blind-signature'), 'base64url'));
    const credential = Buffer.from(block('credential'), 'base64url');
    const r = integer(hex(block('blind-r')));
    expect(modPow(answer, 65537n, modulus)).toBe(request);
    expect((integer(credential) * r) % modulus).toBe(answer);
    const issuingKey = createPublicKey({ key: { kty: 'RSA', n: block('issuer'), e: 'AQAB' }, format: 'jwk' });
    expect(verify('sha384', message, { key: issuingKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, credential)).toBe(true);
    expect(ballot.credential).toBe(block('credential'));

    // The ballot, its signature, leaf and heads, and the register's root.
    const signed = hex(block('signed-bytes-hex'));
    expect(new TextDecoder().decode(signed)).toBe(block('signed-bytes-text'));
    expect(block('signed-bytes-text')).toBe(`stemkring:ballot:v1\n${jcs(ballot)}`);
    const [sig = '', sigHex = ''] = block('sig').split('\n');
    expect(verifyStatement(nodeCrypto, 'ballot', ballot, sig, roundKey)).toBe(true);
    const [instanceKey = ''] = block('instance-public-key').split('\n');
    expect(verifyStatement(nodeCrypto, 'definition', definition, block('definition-sig'), instanceKey)).toBe(true);
    const [hash = '', hashHex = ''] = block('definition-hash').split('\n');
    expect(toHex(nodeCrypto.sha256(utf8(jcs(definition))))).toBe(hashHex);
    expect(ballot.definition).toBe(hash);
    const leaf = nodeCrypto.sha256(new Uint8Array([...signed, ...hex(sigHex)]));
    expect(block('leaf').split('\n')[1]).toBe(toHex(leaf));
    const head0 = nodeCrypto.sha256(new Uint8Array([...utf8('stemkring:board:v1\n'), ...hex(hashHex)]));
    expect(block('head0').split('\n')[1]).toBe(toHex(head0));
    expect(block('head1').split('\n')[1]).toBe(toHex(nodeCrypto.sha256(new Uint8Array([...head0, ...leaf]))));
    const register = JSON.parse(block('register-jcs')) as unknown;
    expect(jcs(register)).toBe(block('register-jcs'));
    expect(block('register-root')).toBe(Buffer.from(nodeCrypto.sha256(utf8(block('register-jcs')))).toString('base64url'));
  });
});
