import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countIrv, IRV_RULE, type IrvResult } from '../../shared/counting/irv';
import type { RankedBallot } from '../../shared/counting/ranked';
import { randomElection, renameDeep, renamed, renaming, shuffled, type RandomElection } from './arbitraries';
import { bltContest, electionFiles, loadBlt, readJson } from './elections';

const abc = [
  { id: 'a', label: 'Ann' },
  { id: 'b', label: 'Bob' },
  { id: 'c', label: 'Cy' },
];

function irv(options: typeof abc, ballots: readonly RankedBallot[], lotOrder = options.map((o) => o.id)): IrvResult {
  return countIrv({ method: 'irv', options, seats: 1, rules: {} }, ballots, { lotOrder });
}

function count(e: RandomElection): IrvResult {
  return countIrv({ method: 'irv', options: e.options, seats: 1, rules: {} }, e.ballots, { lotOrder: e.lotOrder });
}

const ballots = (spec: Record<string, number>): RankedBallot[] =>
  Object.entries(spec).map(([ranking, weight]) => ({ ranking: ranking === '' ? [] : ranking.split(''), weight }));

describe('countIrv: Minneapolis Mayor 2017', () => {
  const [file] = electionFiles('irv');
  if (file === undefined) throw new Error('no IRV election found');
  const expected = readJson(file.replace(/\.blt$/, '.expected.json')) as {
    ballots: number;
    winner: string;
    rounds: number;
    finalRound: Record<string, number>;
    continuingInFinalRound: number;
  };
  const { options, ballots: cast } = bltContest(loadBlt(file));
  const result = irv(options, cast);

  it('elects Frey in round 18, 46,704 to 34,970 of 81,674 continuing', () => {
    expect(result.winners).toEqual([expected.winner]);
    expect(result.rounds).toHaveLength(expected.rounds);
    const last = result.rounds[result.rounds.length - 1];
    expect(last?.elected).toBe('Jacob Frey');
    expect(last?.continuing).toBe(expected.continuingInFinalRound);
    expect(Object.fromEntries(Object.entries(last?.votes ?? {}).filter(([, v]) => v > 0))).toEqual(expected.finalRound);
    expect(result.ballots).toBe(expected.ballots);
  });

  it('accounts for every ballot in every round', () => {
    for (const round of result.rounds) {
      const sum = Object.values(round.votes).reduce((a, b) => a + b, 0);
      expect(sum).toBe(round.continuing);
      expect(round.continuing + round.exhausted + result.blank).toBe(result.ballots);
    }
    expect(result.ties).toEqual([]);
  });
});

describe('countIrv: named fixtures', () => {
  it('transfers one elimination at a time and records every round', () => {
    const result = irv(abc, ballots({ ab: 4, ba: 2, c: 1, cb: 2, '': 1 }));
    expect(result).toEqual({
      method: 'irv',
      winners: ['a'],
      ties: [],
      rule: IRV_RULE,
      ballots: 10,
      blank: 1,
      rounds: [
        {
          round: 1,
          votes: { a: 4, b: 2, c: 3 },
          continuing: 9,
          exhausted: 0,
          elected: null,
          eliminated: 'b',
          transfers: { to: { a: 2, c: 0 }, exhausted: 0 },
        },
        {
          round: 2,
          votes: { a: 6, b: 0, c: 3 },
          continuing: 9,
          exhausted: 0,
          elected: 'a',
          eliminated: null,
          transfers: null,
        },
      ],
    });
  });

  it('exhausts ballots with no continuing preference', () => {
    const result = irv(abc, ballots({ a: 3, b: 2, cb: 1, c: 1 }));
    // b and c tie at 2 with no earlier round: the lot keeps b. c's ballots: one to b, one exhausted.
    // Then a and b tie at 3; round 1 (b 2 < a 3) settles it.
    expect(result.rounds.map((r) => [r.eliminated, r.transfers?.exhausted ?? null, r.continuing])).toEqual([
      ['c', 1, 7],
      ['b', 3, 6],
      [null, null, 3],
    ]);
    expect(result.winners).toEqual(['a']);
    expect(result.ties).toEqual([
      { stage: 1, decision: 'exclude', tied: ['b', 'c'], by: 'lot', chosen: 'c' },
      { stage: 2, decision: 'exclude', tied: ['a', 'b'], by: 'lookback', chosen: 'b' },
    ]);
  });

  it('elects nobody without ballots', () => {
    const result = irv(abc, []);
    expect(result.winners).toEqual([]);
    expect(result.rounds).toEqual([{ round: 1, votes: { a: 0, b: 0, c: 0 }, continuing: 0, exhausted: 0, elected: null, eliminated: null, transfers: null }]);
  });

  it('elects nobody when every ballot is blank, and counts them', () => {
    const result = irv(abc, [{ ranking: [] }, { ranking: [], weight: 4 }]);
    expect(result.winners).toEqual([]);
    expect(result.blank).toBe(5);
    expect(result.ballots).toBe(5);
  });

  it('settles a tie of every option by the lot, keeping the most favoured', () => {
    const result = irv(abc, ballots({ a: 1, b: 1, c: 1 }), ['b', 'c', 'a']);
    expect(result.winners).toEqual(['b']);
    expect(result.ties).toEqual([
      { stage: 1, decision: 'exclude', tied: ['a', 'b', 'c'], by: 'lot', chosen: 'a' },
      { stage: 2, decision: 'exclude', tied: ['b', 'c'], by: 'lot', chosen: 'c' },
    ]);
  });

  it('elects the only option', () => {
    expect(irv([{ id: 'x', label: 'X' }], [{ ranking: ['x'] }]).winners).toEqual(['x']);
  });

  it('throws on what checkChoice would have refused', () => {
    expect(() => irv(abc, [{ ranking: ['a', 'z'] }])).toThrow(/unknown option "z"/);
    expect(() => irv(abc, [{ ranking: ['a', 'a'] }])).toThrow(/twice/);
    expect(() => irv(abc, [{ pick: 'a' }] as unknown as RankedBallot[])).toThrow(/ranking/);
    expect(() => irv(abc, [{ ranking: ['a'], weight: 0 }])).toThrow(/weight/);
    expect(() => irv(abc, [], ['a', 'b'])).toThrow(/lotOrder/);
    expect(() => countIrv({ method: 'irv', options: abc, seats: 2, rules: {} }, [], { lotOrder: ['a', 'b', 'c'] })).toThrow(/one seat/);
  });
});

describe('countIrv: properties', () => {
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

  it('elects an option ranked first by a majority of ballots', () => {
    fc.assert(
      fc.property(randomElection(), (e) => {
        const result = count(e);
        const valid = result.ballots - result.blank;
        for (const o of e.options) {
          const first = e.ballots.filter((b) => b.ranking[0] === o.id).reduce((a, b) => a + (b.weight ?? 1), 0);
          if (first * 2 > valid) expect(result.winners).toEqual([o.id]);
        }
      }),
    );
  });

  it('keeps every ballot accounted for and elects one option exactly when some ballot is valid', () => {
    fc.assert(
      fc.property(randomElection(), (e) => {
        const result = count(e);
        for (const round of result.rounds) {
          expect(Object.values(round.votes).reduce((a, b) => a + b, 0)).toBe(round.continuing);
          expect(round.continuing + round.exhausted + result.blank).toBe(result.ballots);
        }
        expect(result.winners).toHaveLength(result.ballots > result.blank ? 1 : 0);
      }),
    );
  });
});
