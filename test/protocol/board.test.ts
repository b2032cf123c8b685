import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { definitionHash, initialHead, leafOf, lotOrder, nextHead, registerRoot } from '../../shared/protocol/board';
import { contestOf, countingBallots } from '../../shared/protocol/contest';
import { jcs } from '../../shared/protocol/jcs';
import type { RoundDefinition } from '../../shared/protocol/types';
import { buildBundle, DEFAULT_DEFINITION } from './bundle-fixture';

/** SHA-256 with node:crypto and Buffers: an implementation apart from the one under test. */
function sha(...parts: (string | Buffer)[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}
const b64 = (data: Buffer): string => data.toString('base64url');
const raw = (text: string): Buffer => Buffer.from(text, 'base64url');

describe('board hashes', () => {
  const { bundle } = buildBundle();

  it('definitionHash and registerRoot are SHA-256 of the JCS text', () => {
    expect(definitionHash(bundle.definition)).toBe(b64(sha(jcs(bundle.definition))));
    expect(registerRoot(bundle.register)).toBe(b64(sha(jcs(bundle.register))));
    expect(definitionHash(bundle.definition, nodeCrypto)).toBe(definitionHash(bundle.definition));
  });

  it('chains head_0 from the definition hash and each head from the one before and the leaf', () => {
    const hash = definitionHash(bundle.definition);
    let head = b64(sha('stemkring:board:v1\n', raw(hash)));
    expect(initialHead(hash)).toBe(head);
    for (const entry of bundle.board) {
      const leaf = b64(sha(`stemkring:ballot:v1\n${jcs(entry.ballot)}`, raw(entry.sig)));
      expect(leafOf(entry.ballot, entry.sig)).toBe(leaf);
      expect(entry.leaf).toBe(leaf);
      head = b64(sha(raw(head), raw(leaf)));
      expect(nextHead(bundle.board[entry.seq - 2]?.head ?? initialHead(hash), leaf)).toBe(head);
      expect(entry.head).toBe(head);
    }
    expect(bundle.outcome.board.head).toBe(head);
  });

  it('throws on values no schema would have let through', () => {
    expect(() => nextHead('short', 'short')).toThrow();
  });
});

describe('lot order', () => {
  const head = buildBundle().bundle.outcome.board.head;

  it('orders options by SHA-256(finalHead || optionId), lowest digest first', () => {
    const ids = ['opt-a', 'opt-b', 'opt-c', 'opt-d', 'x', 'Zeta_9'];
    const expected = [...ids].sort((a, b) => Buffer.compare(sha(raw(head), a), sha(raw(head), b)));
    expect(lotOrder(head, ids)).toEqual(expected);
    expect(lotOrder(head, ids, nodeCrypto)).toEqual(expected);
  });

  it('is a permutation that does not depend on the order the options are listed in', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), { minLength: 1, maxLength: 8 }), (ids) => {
        const order = lotOrder(head, ids);
        expect([...order].sort()).toEqual([...ids].sort());
        expect(lotOrder(head, [...ids].reverse())).toEqual(order);
      }),
      { numRuns: 50 },
    );
  });

  it('changes with the final head', () => {
    const ids = Array.from({ length: 12 }, (_, i) => `o${i}`);
    const other = b64(sha('another head'));
    expect(lotOrder(other, ids)).not.toEqual(lotOrder(head, ids));
  });
});

describe('contest and counting ballots', () => {
  it('maps a definition to the counting library contest', () => {
    const definition: RoundDefinition = { ...DEFAULT_DEFINITION, method: 'stv', seats: 2, rules: { variant: 'meek' } };
    expect(contestOf(definition)).toEqual({ method: 'stv', options: definition.options, seats: 2, rules: { variant: 'meek' } });
  });

  it('counts the latest ballot per voter with revoting, the first without, in board order', () => {
    const board = [
      { seq: 1, voter: 'a' },
      { seq: 2, voter: 'b' },
      { seq: 3, voter: 'a' },
      { seq: 4, voter: 'c' },
      { seq: 5, voter: 'b' },
    ];
    expect(countingBallots({ revote: true }, board, (e) => e.voter).map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(countingBallots({ revote: false }, board, (e) => e.voter).map((e) => e.seq)).toEqual([1, 2, 4]);
    expect(countingBallots({ revote: true }, [] as { seq: number; voter: string }[], (e) => e.voter)).toEqual([]);
  });
});
