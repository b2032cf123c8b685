/**
 * The worked example of docs/protocol.md, computed by the protocol code from
 * fixed inputs. `npx tsx test/protocol/worked-example.ts` prints the labelled
 * blocks to paste into the document; worked-example.test.ts checks that the
 * document still shows exactly these values.
 */
import { lotOrder, initialHead, leafOf, nextHead, registerRoot } from '../../shared/protocol/board';
import { decodeBase64Url, encodeBase64Url, fromHex, toHex } from '../../shared/protocol/encoding';
import { jcs } from '../../shared/protocol/jcs';
import { keyPairFromSeed, signedBytes, signStatement } from '../../shared/protocol/signing';
import { definitionHash } from '../../shared/protocol/board';
import type { Ballot, Register, RoundDefinition } from '../../shared/protocol/types';

/** RFC 8032 §7.1 test 1 and test 2 secret keys, so the key pairs can be checked against the RFC. */
export const VOTER_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
export const INSTANCE_SEED = '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb';

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

/** Every labelled block of the example, by label, as it appears in the document. */
export function workedExample(): ReadonlyMap<string, string> {
  const voter = keyPairFromSeed(seed(VOTER_SEED));
  const instance = keyPairFromSeed(seed(INSTANCE_SEED));

  const definition: RoundDefinition = {
    instance: 'demo-instance',
    round: 'rnd-first-step',
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
    electorate: { count: 1 },
  };
  const hash = definitionHash(definition);
  const register: Register = [{ voter: 'v-Qm9va2tlZXBlcg', keys: [encodeBase64Url(voter.publicKey)] }];
  const ballot: Ballot = {
    instance: definition.instance,
    round: definition.round,
    definition: hash,
    key: encodeBase64Url(voter.publicKey),
    choice: { approve: ['p3', 'p1'] },
    nonce: encodeBase64Url(Uint8Array.from({ length: 16 }, (_, i) => i)),
    castAt: '2026-11-25T19:12:34.567Z',
  };
  const signed = signedBytes('ballot', ballot);
  const sig = signStatement('ballot', ballot, voter.secretKey);
  const leaf = leafOf(ballot, sig);
  const head0 = initialHead(hash);
  const head1 = nextHead(head0, leaf);

  return new Map([
    ['voter-seed', VOTER_SEED],
    ['voter-public-key', `${encodeBase64Url(voter.publicKey)}\n${toHex(voter.publicKey)}`],
    ['instance-seed', INSTANCE_SEED],
    ['instance-public-key', `${encodeBase64Url(instance.publicKey)}\n${toHex(instance.publicKey)}`],
    ['definition', JSON.stringify(definition, null, 2)],
    ['definition-jcs', jcs(definition)],
    ['definition-hash', `${hash}\n${hexOf(hash)}`],
    ['definition-sig', signStatement('definition', definition, instance.secretKey)],
    ['register-jcs', jcs(register)],
    ['register-root', registerRoot(register)],
    ['ballot', JSON.stringify(ballot, null, 2)],
    ['signed-bytes-text', new TextDecoder().decode(signed)],
    ['signed-bytes-hex', wrap(toHex(signed))],
    ['sig', `${sig}\n${hexOf(sig)}`],
    ['leaf', `${leaf}\n${hexOf(leaf)}`],
    ['head0', `${head0}\n${hexOf(head0)}`],
    ['head1', `${head1}\n${hexOf(head1)}`],
    ['lot', lotOrder(head1, definition.options.map((o) => o.id)).join(' ')],
  ]);
}

/** The labelled fenced blocks of a markdown text: ```lang worked-example:label … ```. */
export function labelledBlocks(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const pattern = /^```[a-z]* worked-example:([a-z0-9-]+)\n([\s\S]*?)\n```$/gm;
  for (const match of markdown.matchAll(pattern)) {
    const [, label, body] = match;
    if (label !== undefined && body !== undefined) blocks.set(label, body);
  }
  return blocks;
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  for (const [label, value] of workedExample()) {
    const lang = label === 'definition' || label === 'ballot' || label.endsWith('-jcs') ? 'json' : 'text';
    process.stdout.write(`\`\`\`${lang} worked-example:${label}\n${value}\n\`\`\`\n\n`);
  }
}
