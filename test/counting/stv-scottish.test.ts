import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countIrv } from '../../shared/counting/irv';
import type { RankedBallot } from '../../shared/counting/ranked';
import { countStv, type StvResult } from '../../shared/counting/stv';
import { SCOTTISH_RULE } from '../../shared/counting/stv-scottish';
import type { CountOption } from '../../shared/counting/types';
import { randomElection, renameDeep, renamed, renaming, shuffled, units, type RandomElection } from './arbitraries';
import { letters, ballots, expectStagesBalance } from './ranked-fixtures';
import { bltContest, electionFiles, loadBlt, readJson } from './elections';

function scottish(options: readonly CountOption[], seats: number, ballots: readonly RankedBallot[], lotOrder = options.map((o) => o.id)): StvResult {
  return countStv({ method: 'stv', options, seats, rules: { variant: 'scottish' } }, ballots, { lotOrder });
}

function count(e: RandomElection): StvResult {
  return scottish(e.options, e.seats, e.ballots, e.lotOrder);
}


interface Expected {
  seats: number;
  ballots: number;
  quota: string;
  elected: string[];
  stages: { after: string; votes: Record<string, string>; nonTransferable: string; quota: string }[];
}

/** The reference outputs collapse runs of spaces in names ("Ellen   Hurcombe" in the BLT). */
const plain = (name: string): string => name.replace(/\s+/g, ' ');

describe('Scottish STV: Glasgow 2007, every ward, every stage', () => {
  const files = electionFiles('glasgow-2007');
  it('has all 21 wards', () => expect(files).toHaveLength(21));

  it.each(files.map((f) => [f.split('/').pop() ?? f, f]))('%s', (_name, file) => {
    const election = loadBlt(file);
    const expected = readJson(file.replace(/\.blt$/, '.expected.json')) as Expected;
    const { options, ballots: cast } = bltContest(election);
    const result = scottish(options, election.seats, cast);

    expect(result.valid).toBe(expected.ballots);
    expect(result.quota).toBe(expected.quota);
    expect(result.winners.map(plain)).toEqual(expected.elected);
    expect(result.stages).toHaveLength(expected.stages.length);
    expected.stages.forEach((want, i) => {
      const got = result.stages[i];
      const votes = Object.fromEntries(Object.entries(got?.votes ?? {}).map(([name, v]) => [plain(name), v]));
      expect({ stage: i + 1, votes, nonTransferable: got?.nonTransferable, quota: got?.quota }).toEqual({
        stage: i + 1,
        votes: want.votes,
        nonTransferable: want.nonTransferable,
        quota: want.quota,
      });
      const kind = want.after.startsWith('Surplus') ? 'surplus' : want.after.startsWith('Transfer defeated') ? 'exclusion' : 'first-preferences';
      expect(got?.action.kind).toBe(kind);
    });
    expectStagesBalance(result);
    expect(result.ties).toEqual([]);
  });
});

describe('Scottish STV: Leith Walk 2022', () => {
  const [file] = electionFiles('scotland-2022');
  if (file === undefined) throw new Error('no 2022 election found');
  const expected = readJson(file.replace(/\.blt$/, '.expected.json')) as {
    seats: number;
    quota: number;
    firstPreferences: Record<string, number>;
    elected: string[];
  };
  const election = loadBlt(file);
  const { options, ballots: cast } = bltContest(election);
  const result = scottish(options, election.seats, cast);

  it('matches the official quota, first preferences and the four elected in order', () => {
    expect(result.quota).toBe(`${expected.quota}.00000`);
    const first = result.stages[0]?.votes ?? {};
    expect(Object.fromEntries(Object.entries(first).map(([k, v]) => [k, Number(units(v) / 100000n)]))).toEqual(expected.firstPreferences);
    expect(result.winners).toEqual(expected.elected);
    expectStagesBalance(result);
  });
});

describe('Scottish STV: named fixtures', () => {
  it('transfers a surplus at its transfer value, then excludes, then fills the last seat', () => {
    const result = scottish(letters('abcd'), 2, ballots({ ab: 5, ac: 2, a: 1, b: 1, c: 2, d: 1 }));
    const zero = { a: '0.00000', b: '0.00000', c: '0.00000', d: '0.00000' };
    expect(result).toEqual({
      method: 'stv',
      variant: 'scottish',
      winners: ['a', 'b'],
      ties: [],
      rule: SCOTTISH_RULE,
      seats: 2,
      ballots: 12,
      blank: 0,
      valid: 12,
      decimals: 5,
      quota: '5.00000',
      excluded: ['d', 'c'],
      stages: [
        {
          stage: 1,
          action: { kind: 'first-preferences' },
          description: 'First preferences; elected: A',
          quota: '5.00000',
          votes: { a: '8.00000', b: '1.00000', c: '2.00000', d: '1.00000' },
          transfers: null,
          nonTransferable: '0.00000',
          residue: '0.00000',
          elected: ['a'],
          excluded: [],
          keepFactors: null,
          iterations: null,
        },
        {
          stage: 2,
          action: { kind: 'surplus', option: 'a', surplus: '3.00000', transferValues: [{ paperValue: '1.00000', transferValue: '0.37500' }] },
          description: 'Surplus of A (3.00000) transferred',
          quota: '5.00000',
          votes: { a: '5.00000', b: '2.87500', c: '2.75000', d: '1.00000' },
          transfers: { votes: { ...zero, a: '-3.00000', b: '1.87500', c: '0.75000' }, nonTransferable: '0.37500', residue: '0.00000' },
          nonTransferable: '0.37500',
          residue: '0.00000',
          elected: [],
          excluded: [],
          keepFactors: null,
          iterations: null,
        },
        {
          stage: 3,
          action: { kind: 'exclusion', option: 'd' },
          description: 'D excluded, papers transferred',
          quota: '5.00000',
          votes: { a: '5.00000', b: '2.87500', c: '2.75000', d: '0.00000' },
          transfers: { votes: { ...zero, d: '-1.00000' }, nonTransferable: '1.00000', residue: '0.00000' },
          nonTransferable: '1.37500',
          residue: '0.00000',
          elected: [],
          excluded: ['d'],
          keepFactors: null,
          iterations: null,
        },
        {
          stage: 4,
          action: { kind: 'exclusion', option: 'c' },
          description: 'C excluded, papers transferred; elected to fill the last vacancies: B',
          quota: '5.00000',
          votes: { a: '5.00000', b: '2.87500', c: '0.00000', d: '0.00000' },
          transfers: { votes: { ...zero, c: '-2.75000' }, nonTransferable: '2.75000', residue: '0.00000' },
          nonTransferable: '4.12500',
          residue: '0.00000',
          elected: ['b'],
          excluded: ['c'],
          keepFactors: null,
          iterations: null,
        },
      ],
    });
  });

  it('ignores the remainder of a transfer value and keeps it as residue', () => {
    // 13 valid, 2 seats: quota 5; a has 9, surplus 4, transfer value 4/9 = 0.44444 (remainder ignored)
    const result = scottish(letters('abc'), 2, ballots({ ab: 9, b: 2, c: 2 }));
    const stage2 = result.stages[1];
    expect(stage2?.action).toMatchObject({ kind: 'surplus', transferValues: [{ paperValue: '1.00000', transferValue: '0.44444' }] });
    expect(stage2?.votes).toEqual({ a: '5.00000', b: '5.99996', c: '2.00000' });
    expect(stage2?.residue).toBe('0.00004');
    expect(result.winners).toEqual(['a', 'b']);
    expectStagesBalance(result);
  });

  it('elects nobody without ballots or with blank ballots only', () => {
    for (const cast of [[], [{ ranking: [] }, { ranking: [], weight: 3 }]]) {
      const result = scottish(letters('abc'), 2, cast);
      expect(result.winners).toEqual([]);
      expect(result.stages).toHaveLength(1);
      expect(result.quota).toBe('1.00000');
      expect(result.blank).toBe(cast.reduce((a, b) => a + (b.weight ?? 1), 0));
    }
  });

  it('elects every option when there are fewer options than seats', () => {
    const result = scottish(letters('abc'), 5, ballots({ c: 1, ba: 2 }));
    expect(result.winners).toEqual(['a', 'b', 'c']);
    expect(result.stages).toHaveLength(1);
  });

  it('settles a tie of every option by the lot, excluding the least favoured', () => {
    const result = scottish(letters('abcd'), 2, ballots({ a: 1, b: 1, c: 1, d: 1 }), ['c', 'a', 'd', 'b']);
    // quota 2: nobody reaches it; b then d are excluded (least favoured), leaving c and a.
    expect(result.excluded).toEqual(['b', 'd']);
    expect(result.winners).toEqual(['a', 'c']);
    expect(result.ties).toEqual([
      { stage: 2, decision: 'exclude', tied: ['a', 'b', 'c', 'd'], by: 'lot', chosen: 'b' },
      { stage: 3, decision: 'exclude', tied: ['a', 'c', 'd'], by: 'lot', chosen: 'd' },
    ]);
  });

  it('looks back at earlier stages before drawing lots', () => {
    // After b's exclusion, c and d are tied at 3; at stage 1 c had 3 and d 2, so d goes.
    const result = scottish(letters('abcde'), 1, ballots({ a: 4, bd: 1, c: 3, d: 2, e: 1 }), ['d', 'c', 'b', 'a', 'e']);
    expect(result.ties).toContainEqual({ stage: 4, decision: 'exclude', tied: ['c', 'd'], by: 'lookback', chosen: 'd' });
  });

  it('orders equal surpluses by the lot when every stage had them equal', () => {
    const result = scottish(letters('abc'), 2, ballots({ ac: 4, bc: 4, c: 1 }), ['b', 'a', 'c']);
    expect(result.winners).toEqual(['b', 'a']);
    expect(result.ties).toEqual([{ stage: 1, decision: 'order of election', tied: ['a', 'b'], by: 'lot', chosen: 'b' }]);
  });
});

describe('Scottish STV: properties', () => {
  it('does not depend on the order of the ballots', () => {
    fc.assert(
      fc.property(randomElection(), fc.integer(), (e, seed) => {
        expect(count({ ...e, ballots: shuffled(e.ballots, seed) })).toEqual(count(e));
      }),
    );
  });

  it('renaming the options renames the result', () => {
    fc.assert(
      fc.property(randomElection(), (e) => {
        const names = renaming(e.options);
        expect(count(renamed(e, names))).toEqual(renameDeep(count(e), names));
      }),
    );
  });

  it('balances every stage: votes + non-transferable + residue = valid vote', () => {
    fc.assert(
      fc.property(randomElection({ maxOptions: 8, maxBallots: 60 }), (e) => {
        const result = count(e);
        expectStagesBalance(result);
        expect(result.winners.length).toBe(result.valid === 0 ? 0 : Math.min(e.seats, e.options.length));
      }),
    );
  });

  it('with one seat elects the IRV winner when no tie arises', () => {
    fc.assert(
      fc.property(randomElection({ maxOptions: 6, maxBallots: 60 }), (e) => {
        const stv = scottish(e.options, 1, e.ballots, e.lotOrder);
        const irv = countIrv({ method: 'irv', options: e.options, seats: 1, rules: {} }, e.ballots, { lotOrder: e.lotOrder });
        fc.pre(stv.ties.length === 0 && irv.ties.length === 0);
        expect(stv.winners).toEqual(irv.winners);
      }),
    );
  });
});
