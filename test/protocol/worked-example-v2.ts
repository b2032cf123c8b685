/**
 * The protocol-2 (secret round) worked example of docs/protocol.md, computed
 * by the protocol code from fixed inputs: RFC 8032's test seeds for the
 * device and the instance, and the published TEST issuing key of
 * test-issuing-key.json (RSA key generation is not deterministic, so the
 * key is a fixture). `npx tsx test/protocol/worked-example-v2.ts` prints the
 * labelled blocks to paste into the document; worked-example-v2.test.ts
 * checks that the document still shows exactly these values.
 */
import { blindSign } from '../../node/crypto/blind-rsa';
import { definitionHash, initialHead, leafOf, nextHead } from '../../shared/protocol/board';
import { credentialMessage, finishCredential, prepareCredential } from '../../shared/protocol/credential';
import { decodeBase64Url, encodeBase64Url, fromHex, toHex, utf8 } from '../../shared/protocol/encoding';
import { jcs } from '../../shared/protocol/jcs';
import { blindingInputs, roundKeySeed } from '../../shared/protocol/round-key';
import { keyPairFromSeed, signedBytes, signStatement } from '../../shared/protocol/signing';
import type { BallotV2, RegisterV2, RoundDefinitionV2 } from '../../shared/protocol/types';
import { portableCrypto } from '../../shared/protocol/crypto-portable';
import { testIssuer } from './bundle-v2-fixture';
import { INSTANCE_SEED, VOTER_SEED } from './worked-example';

/** The device seed is RFC 8032 §7.1 test 1's secret key, the instance's test 2's (as in protocol 1's example). */
export const DEVICE_SEED = VOTER_SEED;

function seed(hex: string): Uint8Array {
  const bytes = fromHex(hex);
  if (!bytes.ok) throw new Error('bad seed');
  return bytes.value;
}

function hexOf(b64: string): string {
  const bytes = decodeBase64Url(b64);
  if (!bytes.ok) throw new Error('bad base64url');
  return toHex(bytes.value);
}

/** Hex in lines of 64 digits (32 bytes). */
function wrap(hex: string): string {
  return (hex.match(/.{1,64}/g) ?? []).join('\n');
}

function must<T>(result: { ok: true; value: T } | { ok: false; error: string }): T {
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

/** Every labelled block of the example, by label, as it appears in the document. */
export function workedExampleV2(): ReadonlyMap<string, string> {
  const device = seed(DEVICE_SEED);
  const instance = keyPairFromSeed(seed(INSTANCE_SEED));
  const issuer = testIssuer();
  const round = 'rnd-secret-step';

  const definition: RoundDefinitionV2 = {
    instance: 'demo-instance',
    round,
    title: 'Wat zou de eerste praktische stap zijn?',
    method: 'approval',
    options: [
      { id: 'p1', label: 'Een coöperatie oprichten' },
      { id: 'p2', label: 'Een gezamenlijk kennisplatform' },
      { id: 'p3', label: 'Een solidariteitsfonds' },
    ],
    seats: 1,
    rules: { maxApprovals: 2 },
    revote: true,
    sealed: false,
    opensAt: '2026-11-25T19:00:00.000Z',
    closesAt: '2026-11-25T21:00:00.000Z',
    electorate: { count: 2 },
    issuer: issuer.issuingKey,
  };
  const hash = definitionHash(definition);
  const register: RegisterV2 = { electorate: ['v-Qm9va2tlZXBlcg', 'v-VGVsbGVy'], issued: ['v-Qm9va2tlZXBlcg'] };

  const prepared = must(prepareCredential(device, round, issuer.issuingKey));
  const message = credentialMessage(round, prepared.roundKey);
  if (message === undefined) throw new Error('no credential message');
  const modulus = decodeBase64Url(issuer.issuingKey, 256);
  if (!modulus.ok) throw new Error('bad issuing key');
  const blinding = blindingInputs(device, round, modulus.value, BigInt(`0x${toHex(modulus.value)}`));
  const blindSignature = must(blindSign(issuer, prepared.blindedMessage));
  const credential = must(finishCredential(prepared, blindSignature));

  const ballot: BallotV2 = {
    instance: definition.instance,
    round,
    definition: hash,
    key: prepared.roundKey,
    credential,
    choice: { approve: ['p3', 'p1'] },
    nonce: encodeBase64Url(Uint8Array.from({ length: 16 }, (_, i) => 16 + i)),
    castAt: '2026-11-25T19:12:34.567Z',
  };
  const signed = signedBytes('ballot', ballot);
  const sig = signStatement('ballot', ballot, prepared.roundKeys.secretKey);
  const leaf = leafOf(ballot, sig);
  const head0 = initialHead(hash);
  const head1 = nextHead(head0, leaf);
  const registerJcs = jcs(register);

  return new Map([
    ['device-seed', DEVICE_SEED],
    ['instance-public-key', `${encodeBase64Url(instance.publicKey)}\n${toHex(instance.publicKey)}`],
    ['issuer', issuer.issuingKey],
    ['issuer-hex', wrap(hexOf(issuer.issuingKey))],
    ['round-key-seed', toHex(roundKeySeed(device, round))],
    ['round-key', `${prepared.roundKey}\n${hexOf(prepared.roundKey)}`],
    ['credential-message-text', new TextDecoder().decode(message)],
    ['credential-message-hex', wrap(toHex(message))],
    ['blind-salt', wrap(toHex(blinding.salt))],
    ['blind-r', wrap(blinding.r.toString(16).padStart(512, '0'))],
    ['blinded-request', prepared.blindedMessage],
    ['blind-signature', blindSignature],
    ['credential', credential],
    ['definition', JSON.stringify(definition, null, 2)],
    ['definition-hash', `${hash}\n${hexOf(hash)}`],
    ['definition-sig', signStatement('definition', definition, instance.secretKey)],
    ['register-jcs', registerJcs],
    ['register-root', encodeBase64Url(portableCrypto.sha256(utf8(registerJcs)))],
    ['ballot', JSON.stringify(ballot, null, 2)],
    ['signed-bytes-text', new TextDecoder().decode(signed)],
    ['signed-bytes-hex', wrap(toHex(signed))],
    ['sig', `${sig}\n${hexOf(sig)}`],
    ['leaf', `${leaf}\n${hexOf(leaf)}`],
    ['head0', `${head0}\n${hexOf(head0)}`],
    ['head1', `${head1}\n${hexOf(head1)}`],
  ]);
}

/** The labelled fenced blocks of protocol 2's example: ```lang worked-example-v2:label … ```. */
export function labelledBlocksV2(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const pattern = /^```[a-z]* worked-example-v2:([a-z0-9-]+)\n([\s\S]*?)\n```$/gm;
  for (const match of markdown.matchAll(pattern)) {
    const [, label, body] = match;
    if (label !== undefined && body !== undefined) blocks.set(label, body);
  }
  return blocks;
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  for (const [label, value] of workedExampleV2()) {
    const lang = label === 'definition' || label === 'ballot' || label.endsWith('-jcs') ? 'json' : 'text';
    process.stdout.write(`\`\`\`${lang} worked-example-v2:${label}\n${value}\n\`\`\`\n\n`);
  }
}
