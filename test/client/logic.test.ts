/** The client's pure logic, in node: ballots, receipts against boards, exports, figures, routes, recovery files. */
import { describe, expect, it } from 'vitest';
import { countApproval } from '../../shared/counting/approval';
import { portableCrypto } from '../../shared/protocol/crypto-portable';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { keyPairFromSeed } from '../../shared/protocol/signing';
import { LiveTallyState } from '../../shared/tally/live';
import {
  addToRanking,
  checkedChoice,
  choiceOf,
  emptyDraft,
  isBlank,
  moveInRanking,
  ownEntry,
  removeFromRanking,
  setPoints,
  toggleApproval,
  withEntry,
} from '../../client/domain/ballot-logic';
import { ballotsBlt, ballotsCsv, csvCell, outcomeJson } from '../../client/domain/exports';
import { figuresOf, sortedBars } from '../../client/domain/figures';
import { allHold, checkReceipt } from '../../client/domain/receipt-check';
import { readRecoveryFile, recoveryFile } from '../../shared/protocol/recovery-file';
import { matchRoute, safeLocalPath } from '../../client/core/route-match';
import { buildBundle, DEFAULT_DEFINITION, viaJson } from '../protocol/bundle-fixture';

const HEADINGS = { seq: 'nr', voter: 'stemmer', roundKey: 'rondesleutel', castAt: 'tijd', counts: 'telt', answer: 'stem', yes: 'ja', no: 'nee' };

describe('ballot drafts', () => {
  it('refuses an approval beyond the maximum and allows taking one back', () => {
    let sel = toggleApproval([], 'a', true, 2).approve;
    sel = toggleApproval(sel, 'b', true, 2).approve;
    const over = toggleApproval(sel, 'c', true, 2);
    expect(over).toEqual({ approve: ['a', 'b'], refused: true });
    expect(toggleApproval(sel, 'a', false, 2)).toEqual({ approve: ['b'], refused: false });
    expect(toggleApproval(sel, 'c', true, undefined).refused).toBe(false);
  });

  it('clamps points to what the budget still allows, and drops zeros', () => {
    let points = setPoints({}, 'a', 4, 5);
    points = setPoints(points, 'b', 9, 5);
    expect(points).toEqual({ a: 4, b: 1 });
    expect(setPoints(points, 'b', -3, 5)).toEqual({ a: 4 });
    expect(setPoints(points, 'a', 2.7, 5)).toEqual({ a: 2, b: 1 });
  });

  it('keeps points and scores for options whose ids name members of Object.prototype', () => {
    let points = setPoints({}, '__proto__', 2, 5);
    points = setPoints(points, 'constructor', 9, 5);
    expect(Object.entries(points)).toEqual([
      ['__proto__', 2],
      ['constructor', 3],
    ]);
    expect(Object.entries(setPoints(points, 'toString', 1, 5))).toEqual([
      ['__proto__', 2],
      ['constructor', 3],
    ]);
    expect(Object.entries(setPoints(points, '__proto__', 0, 5))).toEqual([['constructor', 3]]);
    const scores = withEntry<number | null>(withEntry<number | null>({}, '__proto__', 4), 'hasOwnProperty', null);
    expect(ownEntry(scores, '__proto__')).toBe(4);
    expect(ownEntry(scores, 'constructor')).toBeUndefined();
    const choice = choiceOf({ kind: 'scores', scores });
    expect(choice !== null && 'scores' in choice && Object.entries(choice.scores)).toEqual([['__proto__', 4]]);
    expect(JSON.parse(JSON.stringify(choiceOf({ kind: 'points', points })))).toEqual(JSON.parse('{"points":{"__proto__":2,"constructor":3}}'));
  });

  it('moves, adds and removes in a ranking', () => {
    let r = addToRanking([], 'c');
    r = addToRanking(r, 'a');
    r = addToRanking(r, 'a');
    expect(r).toEqual(['c', 'a']);
    expect(moveInRanking(r, 'a', 0)).toEqual(['a', 'c']);
    expect(moveInRanking(r, 'c', 99)).toEqual(['a', 'c']);
    expect(moveInRanking(r, 'x', 0)).toEqual(['c', 'a']);
    expect(removeFromRanking(r, 'c')).toEqual(['a']);
  });

  it('makes protocol choices and checks them as the server does', () => {
    const def = DEFAULT_DEFINITION;
    expect(checkedChoice(def, emptyDraft('approval'))).toEqual({ ok: true, choice: { approve: [] } });
    expect(checkedChoice(def, { kind: 'approve', approve: ['opt-a', 'opt-b', 'opt-c', 'opt-d'] })).toMatchObject({ ok: false, reason: 'invalid' });
    expect(checkedChoice({ ...def, method: 'plurality', rules: {} }, emptyDraft('plurality'))).toEqual({ ok: false, reason: 'incomplete' });
    expect(choiceOf({ kind: 'scores', scores: { a: 3, b: null } })).toEqual({ scores: { a: 3 } });
    expect(choiceOf({ kind: 'points', points: { a: 0, b: 2 } })).toEqual({ points: { b: 2 } });
    expect(isBlank({ ranking: [] })).toBe(true);
    expect(isBlank({ answer: 'abstain' })).toBe(false);
  });
});

describe('checking a receipt against the board', () => {
  const fx = buildBundle();
  const board = fx.bundle.board;
  const base = { instanceKey: fx.bundle.instanceKey, definitionHash: fx.bundle.outcome.definition, revote: true };

  it('holds for every receipt of an honest board, and tells a replaced ballot apart', () => {
    for (const [i, r] of fx.receipts.entries()) {
      const entry = board[i];
      const steps = checkReceipt({ ...r, ...(entry === undefined ? {} : { ballot: entry.ballot, sig: entry.sig }) }, { ...base, board }, portableCrypto);
      expect(allHold(steps), JSON.stringify(steps)).toBe(true);
    }
    // Voter 0 voted again (entry 4): their first ballot no longer counts.
    const first = checkReceipt(fx.receipts[0] ?? { receipt: board[0] as never, receiptSig: '' }, { ...base, board }, portableCrypto);
    expect(first.find((s) => s.id === 'counts')?.state).toBe('replaced');
  });

  it('fails when the board changed a ballot, dropped one, or the receipt is forged', () => {
    const r = fx.receipts[1];
    if (r === undefined) throw new Error('fixture has receipts');
    const changed = viaJson(board).map((e) => (e.seq === 2 ? { ...e, ballot: { ...e.ballot, choice: { approve: ['opt-d'] } } } : e));
    const steps = checkReceipt(r, { ...base, board: changed }, portableCrypto);
    expect(steps.find((s) => s.id === 'leaf')?.state).toBe('failed');
    expect(allHold(steps)).toBe(false);
    const dropped = board.filter((e) => e.seq !== 2);
    expect(allHold(checkReceipt(r, { ...base, board: dropped }, portableCrypto))).toBe(false);
    const forged = { ...r, receipt: { ...r.receipt, seq: 3 } };
    expect(checkReceipt(forged, { ...base, board }, portableCrypto)[0]).toEqual({ id: 'receipt-signature', state: 'failed' });
  });

  it('checks only the signature while the board is sealed', () => {
    const r = fx.receipts[0];
    if (r === undefined) throw new Error('fixture has receipts');
    const steps = checkReceipt(r, { ...base, board: null }, portableCrypto);
    expect(steps.map((s) => s.state)).toEqual(['ok', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
  });
});

describe('downloads from a bundle', () => {
  it('defuses spreadsheet formulas and quotes what needs quoting', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+31')).toBe("'+31");
    expect(csvCell('a, b')).toBe('"a, b"');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
  });

  it('writes every board entry as a CSV line, marking which ballots count', () => {
    const fx = buildBundle();
    const lines = ballotsCsv(fx.bundle, HEADINGS).trimEnd().split('\r\n');
    expect(lines[0]).toBe(['nr', 'stemmer', 'tijd', 'telt', ...DEFAULT_DEFINITION.options.map((o) => o.label)].join(','));
    expect(lines).toHaveLength(fx.bundle.board.length + 1);
    expect(lines[1]?.split(',').slice(3)).toEqual(['nee', '1', '1', '', '']);
    expect(lines[4]?.split(',').slice(3)).toEqual(['ja', '', '', '1', '']);
  });

  it('writes the counting rankings of a ranked round as BLT, and the signed outcome as JSON', () => {
    const fx = buildBundle({
      definition: { method: 'irv', seats: 1, rules: {} },
      ballots: [
        { voter: 0, choice: { ranking: ['opt-b', 'opt-a'] } },
        { voter: 1, choice: { ranking: ['opt-b', 'opt-a'] } },
        { voter: 2, choice: { ranking: ['opt-c'] } },
      ],
    });
    const blt = ballotsBlt(fx.bundle);
    expect(blt.ok && blt.value.split('\n').slice(0, 3)).toEqual(['4 1', '2 2 1 0', '1 3 0']);
    const csv = ballotsCsv(fx.bundle, HEADINGS).split('\r\n');
    expect(csv[1]?.split(',').slice(4)).toEqual(['2', '1', '', '']);
    expect(JSON.parse(outcomeJson(fx.bundle))).toEqual({ outcome: fx.bundle.outcome, outcomeSig: fx.bundle.outcomeSig, instanceKey: fx.bundle.instanceKey });
  });
});

describe('figures for charts', () => {
  const options = DEFAULT_DEFINITION.options;

  it('reads a live tally and a count result alike', () => {
    const live = new LiveTallyState({ method: 'approval', options, seats: 2, revote: true });
    live.apply(1, 'v1', { approve: ['opt-a', 'opt-b'] });
    live.apply(2, 'v2', { approve: ['opt-b'] });
    const f = figuresOf(live.snapshot(), options);
    expect(f.unit).toBe('approvals');
    expect(f.bars.map((b) => [b.id, b.value, b.leading])).toEqual([
      ['opt-a', 1, true],
      ['opt-b', 2, true],
      ['opt-c', 0, false],
      ['opt-d', 0, false],
    ]);
    expect(sortedBars(f)[0]?.id).toBe('opt-b');
    const result = countApproval({ method: 'approval', options, seats: 1, rules: {} }, [{ approve: ['opt-c'] }], { lotOrder: options.map((o) => o.id) });
    const g = figuresOf(result, options);
    expect(g.bars.filter((b) => b.leading).map((b) => b.id)).toEqual(['opt-c']);
    expect(g.max).toBe(1);
  });

  it('uses the score scale as the top of a score chart', () => {
    const live = new LiveTallyState({ method: 'score', options, seats: 1, revote: true });
    live.apply(1, 'v1', { scores: { 'opt-a': 4 } });
    const f = figuresOf(live.snapshot(), options, { min: 0, max: 5 });
    expect(f.max).toBe(5);
    expect(f.bars[0]).toMatchObject({ value: 4, scorers: 1 });
    expect(f.bars[1]).toMatchObject({ value: 0, exact: '', scorers: 0 });
  });
});

describe('routes and recovery files', () => {
  it('matches paths with id params and refuses anything else', () => {
    expect(matchRoute('/rounds/:id/outcome', '/rounds/abc_1-2/outcome')).toEqual({ id: 'abc_1-2' });
    expect(matchRoute('/rounds/:id', '/rounds/abc/outcome')).toBeNull();
    expect(matchRoute('/rounds/:id', '/rounds/%3Cscript%3E')).toBeNull();
    expect(matchRoute('/', '/')).toEqual({});
    expect(safeLocalPath('//evil.example/x')).toBe('/');
    expect(safeLocalPath('https://evil.example')).toBe('/');
    expect(safeLocalPath('/rounds/x?y=1')).toBe('/rounds/x?y=1');
  });

  it('restores the same key from a recovery file, and notices damage or another account', () => {
    const keys = keyPairFromSeed(new Uint8Array(32).fill(7));
    const text = JSON.stringify(recoveryFile('m1', 'a@b.nl', keys, '2026-01-01T00:00:00.000Z'));
    const back = readRecoveryFile(text, 'm1');
    expect(back.ok && encodeBase64Url(back.value.keys.secretKey)).toBe(encodeBase64Url(keys.secretKey));
    expect(readRecoveryFile(text, 'm2')).toEqual({ ok: false, error: 'other_member' });
    expect(readRecoveryFile(text.replace(/"seed": ?"./, '"seed":"A'), 'm1')).toEqual({ ok: false, error: 'damaged' });
    expect(readRecoveryFile('{"kind":"x"}', 'm1')).toEqual({ ok: false, error: 'not_a_key_file' });
    expect(readRecoveryFile('nope', 'm1')).toEqual({ ok: false, error: 'not_json' });
  });
});
