import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { fromHex, toHex, utf8 } from '../../shared/protocol/encoding';
import { jcs } from '../../shared/protocol/jcs';
import { verifyStatement } from '../../shared/protocol/signing';
import type { Ballot, RoundDefinition } from '../../shared/protocol/types';
import { labelledBlocks, workedExample } from './worked-example';

const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/protocol.md'), 'utf8');
const blocks = labelledBlocks(doc);
const expected = workedExample();

function block(label: string): string {
  const found = blocks.get(label);
  if (found === undefined) throw new Error(`docs/protocol.md has no worked-example:${label} block`);
  return found;
}

describe('the worked example of docs/protocol.md', () => {
  it('shows every value the code computes, and nothing else', () => {
    expect([...blocks.keys()].sort()).toEqual([...expected.keys()].sort());
  });

  for (const [label, value] of expected) {
    it(`shows ${label} as the code computes it`, () => {
      expect(block(label)).toBe(value);
    });
  }

  it('holds together on its own terms, checked apart from the code that made it', () => {
    const definition = JSON.parse(block('definition')) as RoundDefinition;
    const ballot = JSON.parse(block('ballot')) as Ballot;
    expect(block('definition-jcs')).toBe(jcs(definition));
    const signed = fromHex(block('signed-bytes-hex').replaceAll('\n', ''));
    expect(signed.ok && new TextDecoder().decode(signed.value)).toBe(block('signed-bytes-text'));
    expect(block('signed-bytes-text')).toBe(`stemkring:ballot:v1\n${jcs(ballot)}`);
    const [sig = '', sigHex = ''] = block('sig').split('\n');
    const [key = ''] = block('voter-public-key').split('\n');
    expect(verifyStatement(nodeCrypto, 'ballot', ballot, sig, key)).toBe(true);
    const [instanceKey = ''] = block('instance-public-key').split('\n');
    expect(verifyStatement(nodeCrypto, 'definition', definition, block('definition-sig'), instanceKey)).toBe(true);
    const [hash = ''] = block('definition-hash').split('\n');
    expect(ballot.definition).toBe(hash);
    if (!signed.ok) throw new Error('bad hex');
    const sigBytes = fromHex(sigHex);
    if (!sigBytes.ok) throw new Error('bad hex');
    const leaf = nodeCrypto.sha256(new Uint8Array([...signed.value, ...sigBytes.value]));
    expect(block('leaf').split('\n')[1]).toBe(toHex(leaf));
    const head0 = nodeCrypto.sha256(new Uint8Array([...utf8('stemkring:board:v1\n'), ...nodeCrypto.sha256(utf8(block('definition-jcs')))]));
    expect(block('head0').split('\n')[1]).toBe(toHex(head0));
    expect(block('head1').split('\n')[1]).toBe(toHex(nodeCrypto.sha256(new Uint8Array([...head0, ...leaf]))));
  });
});
