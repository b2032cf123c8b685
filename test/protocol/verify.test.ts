import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import type { Choice, Method } from '../../shared/counting/types';
import { portableCrypto } from '../../shared/protocol/crypto-portable';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { keyPairFromSeed } from '../../shared/protocol/signing';
import type { Bundle, Outcome, RoundDefinition, SignedReceipt } from '../../shared/protocol/types';
import { checksOf, verifyBundle, verifyBundleAsync, type CheckId, type VerifyReport } from '../../shared/protocol/verify';
import { buildBundle, naclSigner, seedOf, signFor, viaJson, type BundleFixture, type FixtureBallot } from './bundle-fixture';
import { allPaths, getAt, otherValue, without, withValue } from './mutate';

const fixture = buildBundle();
const { bundle, receipts, instanceKey } = fixture;

function failed(report: VerifyReport): CheckId[] {
  return report.checks.filter((c) => !c.ok).map((c) => c.id);
}

function verify(value: unknown, receipt?: unknown): VerifyReport {
  return verifyBundle(viaJson(value), nodeCrypto, receipt === undefined ? {} : { receipt: viaJson(receipt) });
}

/** The bundle with its outcome changed and signed again by the instance key, as a dishonest server could. */
function resignedOutcome(source: Bundle, change: (outcome: Outcome) => Outcome): Bundle {
  const outcome = change(viaJson(source.outcome));
  return { ...viaJson(source), outcome, outcomeSig: signFor('outcome', outcome, instanceKey, naclSigner) };
}

/** The same with the outcome's board figures following a changed board. */
function withBoard(source: Bundle, board: Bundle['board']): Bundle {
  return resignedOutcome({ ...source, board }, (outcome) => ({
    ...outcome,
    board: { entries: board.length, head: board.at(-1)?.head ?? outcome.board.head },
  }));
}

const CHOICES: Record<Exclude<Method, 'approval'>, { rules: unknown; choices: Choice[] }> = {
  plurality: { rules: {}, choices: [{ pick: 'opt-a' }, { pick: 'opt-b' }, { pick: 'opt-a' }] },
  yesno: {
    rules: { quorum: { kind: 'share', numerator: 1, denominator: 2 }, threshold: { kind: 'simple' } },
    choices: [{ answer: 'yes' }, { answer: 'no' }, { answer: 'yes' }, { answer: 'abstain' }],
  },
  score: { rules: { min: 0, max: 5 }, choices: [{ scores: { 'opt-a': 5, 'opt-b': 1 } }, { scores: {} }, { scores: { 'opt-c': 4 } }] },
  cumulative: { rules: { budget: 5 }, choices: [{ points: { 'opt-a': 5 } }, { points: { 'opt-b': 2, 'opt-c': 3 } }] },
  borda: { rules: {}, choices: [{ ranking: ['opt-a', 'opt-b'] }, { ranking: ['opt-c'] }, { ranking: [] }] },
  irv: { rules: {}, choices: [{ ranking: ['opt-a', 'opt-b'] }, { ranking: ['opt-b'] }, { ranking: ['opt-c', 'opt-b'] }] },
  stv: { rules: { variant: 'scottish' }, choices: [{ ranking: ['opt-a', 'opt-b'] }, { ranking: ['opt-b'] }, { ranking: ['opt-c', 'opt-a'] }] },
  schulze: { rules: {}, choices: [{ ranking: ['opt-a', 'opt-b', 'opt-c'] }, { ranking: ['opt-b', 'opt-a'] }, { ranking: ['opt-c'] }] },
};

describe('a valid bundle', () => {
  it('passes every check, with node:crypto and with the portable code', () => {
    for (const crypto of [nodeCrypto, portableCrypto]) {
      const report = verifyBundle(viaJson(bundle), crypto);
      expect(failed(report)).toEqual([]);
      expect(report.ok).toBe(true);
    }
  });

  it('reports every check in the documented order, and the figures of the round', () => {
    const report = verify(bundle);
    expect(report.checks.map((c) => c.id)).toEqual(checksOf(1).filter((id) => !id.startsWith('receipt')));
    expect(report.figures).toMatchObject({ electorate: 6, entries: 6, counted: 5, finalHead: bundle.outcome.board.head });
    expect(report.recount).toEqual(bundle.outcome.result);
  });

  it('passes with each of its receipts', () => {
    for (const receipt of receipts) {
      const report = verify(bundle, receipt);
      expect(failed(report)).toEqual([]);
      expect(report.checks.map((c) => c.id).slice(-2)).toEqual(['receipt-signature', 'receipt-on-board']);
    }
  });

  it('passes for every method', () => {
    for (const [method, { rules, choices }] of Object.entries(CHOICES)) {
      const ballots: FixtureBallot[] = choices.map((choice, voter) => ({ voter, choice }));
      const seats = method === 'yesno' || method === 'irv' ? 1 : 2;
      const built = buildBundle({ definition: { method, rules, seats } as Partial<RoundDefinition>, ballots });
      expect(failed(verify(built.bundle)), method).toEqual([]);
    }
  });

  it('passes with an empty board', () => {
    const empty = buildBundle({ ballots: [] });
    const report = verify(empty.bundle);
    expect(failed(report)).toEqual([]);
    expect(report.figures?.counted).toBe(0);
  });

  it('gives the same report when signatures are checked in batches elsewhere', async () => {
    const asyncReport = await verifyBundleAsync(viaJson(bundle), nodeCrypto, {
      batchSize: 4,
      inFlight: 2,
      verifyBatch: (tasks) => Promise.resolve(tasks.map((t) => nodeCrypto.verify(t.signature, t.message, t.publicKey))),
    });
    expect(asyncReport).toEqual(verify(bundle));
    expect(await verifyBundleAsync(viaJson(bundle), nodeCrypto)).toEqual(verify(bundle));
    const rejectSecond = await verifyBundleAsync(viaJson(bundle), nodeCrypto, {
      batchSize: 4,
      verifyBatch: (tasks) => Promise.resolve(tasks.map((_, i) => i !== 1)),
    });
    expect(failed(rejectSecond)).toEqual(['ballot-signatures']);
    expect(rejectSecond.checks.find((c) => c.id === 'ballot-signatures')?.problems).toEqual([
      'entry 2: the signature does not verify under ballot.key',
      'entry 6: the signature does not verify under ballot.key',
    ]);
  });

  it('reports progress, at the end with every signature done', () => {
    const calls: [number, number][] = [];
    verifyBundle(viaJson(bundle), nodeCrypto, { onProgress: (done, total) => calls.push([done, total]) });
    expect(calls.at(-1)).toEqual([6, 6]);
  });
});

describe('a bundle changed in any one place', () => {
  const text = JSON.stringify(bundle);
  const parsed = JSON.parse(text) as unknown;
  const paths = allPaths(parsed);

  it('is rejected, whichever field of an entry, the register, the definition or the outcome changed', () => {
    fc.assert(
      fc.property(fc.nat(paths.length - 1), fc.nat(), (p, pick) => {
        const path = paths[p] ?? [];
        const changed = withValue(parsed, path, otherValue(getAt(parsed, path), pick));
        expect(JSON.stringify(changed)).not.toBe(text);
        expect(verify(changed).ok, `${path.join('.')} → ${JSON.stringify(getAt(changed, path))}`).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('is rejected whichever position was removed', () => {
    fc.assert(
      fc.property(fc.nat(paths.length - 1), (p) => {
        const path = paths[p] ?? [];
        expect(verify(without(parsed, path)).ok, path.join('.')).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('is rejected when any single field of any entry is changed (every field, every entry)', () => {
    bundle.board.forEach((_, i) => {
      for (const path of allPaths(parsed).filter((p) => p[0] === 'board' && p[1] === i)) {
        const changed = withValue(parsed, path, otherValue(getAt(parsed, path), 1));
        expect(JSON.stringify(changed)).not.toBe(text);
        expect(verify(changed).ok, path.join('.')).toBe(false);
      }
    });
  });

  it('is rejected when an unknown field is added anywhere', () => {
    const objects = [[], ...paths].filter((path) => {
      const at = getAt(parsed, path);
      return typeof at === 'object' && at !== null && !Array.isArray(at);
    });
    for (const path of objects) {
      const at = getAt(parsed, path) as Record<string, unknown>;
      const changed = path.length === 0 ? { ...at, note: 'x' } : withValue(parsed, path, { ...at, note: 'x' });
      expect(verify(changed).ok, path.join('.')).toBe(false);
    }
  });
});

describe('entries dropped, duplicated, reordered or swapped', () => {
  const board = bundle.board;

  it('a dropped entry breaks the sequence and the chain, even when the outcome is re-signed to match', () => {
    for (const i of [0, 2, board.length - 1]) {
      const dropped = board.filter((_, j) => j !== i);
      expect(verify({ ...bundle, board: dropped }).ok).toBe(false);
      const resigned = withBoard(bundle, dropped);
      const ids = failed(verify(resigned));
      expect(ids.length, `entry ${i + 1}`).toBeGreaterThan(0);
      if (i < board.length - 1) expect(ids).toEqual(expect.arrayContaining(['board-sequence', 'board-chain']));
    }
  });

  it('dropping the last entry with everything re-signed still fails: the receipt proves it', () => {
    const dropped = board.slice(0, -1);
    const resigned = resignedOutcome(withBoard(bundle, dropped), (o) => o);
    const lastReceipt = receipts.at(-1) as SignedReceipt;
    expect(failed(verify(resigned, lastReceipt))).toContain('receipt-on-board');
  });

  it('a duplicated entry is caught', () => {
    const entry = board[1];
    if (entry === undefined) throw new Error('fixture too small');
    const duplicated = [...board.slice(0, 2), entry, ...board.slice(2)];
    const ids = failed(verify(withBoard(bundle, duplicated)));
    expect(ids).toEqual(expect.arrayContaining(['board-sequence', 'ballot-nonces', 'board-chain']));
    const renumbered = duplicated.map((e, i) => ({ ...e, seq: i + 1 }));
    expect(failed(verify(withBoard(bundle, renumbered)))).toEqual(expect.arrayContaining(['ballot-nonces', 'board-chain']));
  });

  it('reordered entries are caught, renumbered or not', () => {
    const swapped = [board[1], board[0], ...board.slice(2)] as Bundle['board'];
    expect(failed(verify(withBoard(bundle, swapped)))).toEqual(expect.arrayContaining(['board-sequence', 'board-chain']));
    const renumbered = swapped.map((e, i) => ({ ...e, seq: i + 1 }));
    expect(failed(verify(withBoard(bundle, renumbered)))).toContain('board-chain');
  });

  it('signatures swapped between entries are caught', () => {
    const [a, b] = board;
    if (a === undefined || b === undefined) throw new Error('fixture too small');
    const swapped = [{ ...a, sig: b.sig }, { ...b, sig: a.sig }, ...board.slice(2)];
    const ids = failed(verify(swapped.length === board.length ? { ...bundle, board: swapped } : bundle));
    expect(ids).toEqual(expect.arrayContaining(['ballot-signatures', 'board-chain']));
  });

  it('an entry attributed to another voter is caught', () => {
    const [a, b] = board;
    if (a === undefined || b === undefined) throw new Error('fixture too small');
    const ids = failed(verify({ ...bundle, board: [{ ...a, voter: b.voter }, ...board.slice(1)] }));
    expect(ids).toContain('ballot-keys');
  });
});

describe('a dishonest server that signs what it publishes', () => {
  it('cannot change the result', () => {
    const changed = resignedOutcome(bundle, (o) => ({ ...o, result: { ...o.result, winners: ['opt-d'] } }));
    const report = verify(changed);
    expect(failed(report)).toEqual(['recount']);
    expect(report.checks.find((c) => c.id === 'recount')?.problems[0]).toMatch(/^result\.winners\[0\]: recount "opt-a", published "opt-d"$/);
  });

  it('cannot change how many voters were counted', () => {
    expect(failed(verify(resignedOutcome(bundle, (o) => ({ ...o, counted: o.counted + 1 }))))).toEqual(['counted']);
  });

  it('cannot count a ballot from a key outside the register', () => {
    const stranger = keyPairFromSeed(seedOf('stranger'));
    const built = buildBundle();
    const entry = viaJson(built.bundle.board[0]);
    if (entry === undefined) throw new Error('fixture too small');
    const ballot = { ...entry.ballot, key: encodeBase64Url(stranger.publicKey) };
    const sig = signFor('ballot', ballot, stranger, naclSigner);
    const ids = failed(verify({ ...built.bundle, board: [{ ...entry, ballot, sig }, ...built.bundle.board.slice(1)] }));
    expect(ids).toContain('ballot-keys');
  });

  it('cannot add or leave out voters without the electorate count telling', () => {
    const built = buildBundle();
    const definition = { ...built.bundle.definition, electorate: { count: 7 } };
    const resigned = { ...built.bundle, definition, definitionSig: signFor('definition', definition, built.instanceKey, naclSigner) };
    expect(failed(verify(resigned))).toEqual(expect.arrayContaining(['register', 'definition-hash']));
  });

  it('cannot accept a second ballot when revoting is off', () => {
    const built = buildBundle({ definition: { revote: false } });
    const report = verify(built.bundle);
    expect(failed(report)).toEqual(['revote']);
    expect(report.checks.find((c) => c.id === 'revote')?.problems[0]).toMatch(/^entry 4: voter .* already has a ballot and revoting is off$/);
  });

  it('cannot sign with another key than the bundle names', () => {
    const other = keyPairFromSeed(seedOf('other instance'));
    const signed = { ...viaJson(bundle), outcomeSig: signFor('outcome', bundle.outcome, other, naclSigner) };
    expect(failed(verify(signed))).toEqual(['outcome-signature']);
    const wrongPurpose = { ...viaJson(bundle), outcomeSig: signFor('definition', bundle.outcome, instanceKey, naclSigner) };
    expect(failed(verify(wrongPurpose))).toEqual(['outcome-signature']);
  });
});

describe('receipts', () => {
  const receipt = receipts[2] as SignedReceipt;

  it('a receipt with a changed field or signature is rejected', () => {
    for (const path of allPaths(receipt).filter((p) => getAt(receipt, p) === null || typeof getAt(receipt, p) !== 'object')) {
      const changed = withValue(receipt, path, otherValue(getAt(receipt, path), 1));
      expect(verify(bundle, changed).ok, path.join('.')).toBe(false);
    }
  });

  it('a receipt from another round or malformed is rejected', () => {
    const other: BundleFixture = buildBundle({ definition: { round: 'round-2' } });
    expect(failed(verify(bundle, other.receipts[2]))).toContain('receipt-on-board');
    expect(failed(verify(bundle, { receipt: receipt.receipt }))).toEqual(['receipt-signature', 'receipt-on-board']);
  });
});

describe('whatever it is given', () => {
  it('reports a malformed entry as a problem of form, and nothing else', () => {
    const report = verify(withValue(bundle, ['board', 2, 'ballot', 'nonce'], 'short'));
    expect(failed(report)).toEqual(['bundle-schema']);
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]?.problems).toEqual(['board[2].ballot.nonce: a nonce is base64url without padding of exactly 16 bytes']);
  });


  it('answers with a report and never throws', () => {
    for (const value of [null, 42, 'bundle', [], {}, { protocol: 2 }, JSON.parse('{"protocol":1,"board":[1e400]}')]) {
      const report = verifyBundle(value, nodeCrypto);
      expect(report.ok).toBe(false);
      expect(report.checks.map((c) => c.id)).toEqual(['bundle-schema']);
    }
  });
});
