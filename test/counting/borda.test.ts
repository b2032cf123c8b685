import { describe, expect, it } from 'vitest';
import { BORDA_SCORING, countBorda } from '../../shared/counting/borda';
import type { ContestOf } from '../../shared/counting/plurality';

const options = ['a', 'b', 'c', 'd'].map((id) => ({ id, label: id }));
const contest = (seats: number): ContestOf<'borda'> => ({ method: 'borda', options, seats, rules: {} });
const lotOrder = ['d', 'a', 'c', 'b'];
/** 'bca' ranks b, then c, then a; '' ranks nothing. */
const rank = (...rankings: string[]) => rankings.map((r) => ({ ranking: r.split('').filter(Boolean) }));

describe('borda', () => {
  it('scores n-1-i for position i and nothing for unranked options', () => {
    // 4 options, so 3, 2, 1, 0 points by position: a 3+2, b 2+3, c 1+3, d 0.
    expect(countBorda(contest(2), rank('abcd', 'ba', 'c', ''), { lotOrder })).toEqual({
      method: 'borda',
      winners: ['a', 'b'],
      ties: [{ decision: 'elect', tied: ['a', 'b'], by: 'lot', chosen: 'a' }],
      scoring: BORDA_SCORING,
      ballots: 4,
      points: { a: 5, b: 5, c: 4, d: 0 },
      rankedBy: { a: 2, b: 2, c: 2, d: 1 },
    });
  });

  it('can elect an option with no points that some ballot ranked', () => {
    expect(countBorda(contest(4), rank('abcd'), { lotOrder }).winners).toEqual(['a', 'b', 'c', 'd']);
  });

  it('elects nobody from no ballots or all-empty rankings', () => {
    const empty = { method: 'borda', winners: [], ties: [], scoring: BORDA_SCORING, points: { a: 0, b: 0, c: 0, d: 0 }, rankedBy: { a: 0, b: 0, c: 0, d: 0 } };
    expect(countBorda(contest(1), [], { lotOrder })).toEqual({ ...empty, ballots: 0 });
    expect(countBorda(contest(1), rank('', ''), { lotOrder })).toEqual({ ...empty, ballots: 2 });
  });

  it('settles every option tied by the lot', () => {
    // Each option gets 3 + 2 + 1 + 0 = 6 points over a cyclic set of rankings.
    expect(countBorda(contest(2), rank('abcd', 'bcda', 'cdab', 'dabc'), { lotOrder })).toMatchObject({
      winners: ['d', 'a'],
      ties: [
        { decision: 'elect', tied: ['d', 'a', 'c', 'b'], by: 'lot', chosen: 'd' },
        { decision: 'elect', tied: ['a', 'c', 'b'], by: 'lot', chosen: 'a' },
      ],
      points: { a: 6, b: 6, c: 6, d: 6 },
    });
  });

  it('elects fewer than seats when fewer options are ranked', () => {
    expect(countBorda(contest(10), rank('ab'), { lotOrder }).winners).toEqual(['a', 'b']);
  });

  it('refuses a ranking with a repeated option', () => {
    expect(() => countBorda(contest(1), rank('aba'), { lotOrder })).toThrow(/twice/);
  });
});
