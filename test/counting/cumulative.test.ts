import { describe, expect, it } from 'vitest';
import { countCumulative } from '../../shared/counting/cumulative';
import type { ContestOf } from '../../shared/counting/plurality';

const options = ['a', 'b', 'c'].map((id) => ({ id, label: id }));
const contest = (seats: number, budget = 5): ContestOf<'cumulative'> => ({ method: 'cumulative', options, seats, rules: { budget } });
const lotOrder = ['b', 'c', 'a'];

describe('cumulative', () => {
  it('elects the options with the most points', () => {
    expect(countCumulative(contest(2), [{ points: { a: 5 } }, { points: { b: 1, c: 3 } }, { points: { b: 1, a: 0 } }, { points: {} }], { lotOrder })).toEqual({
      method: 'cumulative',
      winners: ['a', 'c'],
      ties: [],
      ballots: 4,
      blank: 1,
      budget: 5,
      points: { a: 5, b: 2, c: 3 },
    });
  });

  it('settles a tie by the lot', () => {
    expect(countCumulative(contest(1), [{ points: { a: 2, b: 1 } }, { points: { b: 1 } }], { lotOrder })).toEqual({
      method: 'cumulative',
      winners: ['b'],
      ties: [{ decision: 'elect', tied: ['b', 'a'], by: 'lot', chosen: 'b' }],
      ballots: 2,
      blank: 0,
      budget: 5,
      points: { a: 2, b: 2, c: 0 },
    });
  });

  it('elects nobody from no ballots or all-blank ballots', () => {
    const empty = { method: 'cumulative', winners: [], ties: [], budget: 5, points: { a: 0, b: 0, c: 0 } };
    expect(countCumulative(contest(2), [], { lotOrder })).toEqual({ ...empty, ballots: 0, blank: 0 });
    expect(countCumulative(contest(2), [{ points: {} }, { points: { a: 0 } }], { lotOrder })).toEqual({ ...empty, ballots: 2, blank: 2 });
  });

  it('elects fewer than seats when fewer options got points', () => {
    expect(countCumulative(contest(3), [{ points: { c: 1 } }], { lotOrder }).winners).toEqual(['c']);
  });

  it('refuses ballots over budget', () => {
    expect(() => countCumulative(contest(1, 3), [{ points: { a: 2, b: 2 } }], { lotOrder })).toThrow(/budget of 3/);
    expect(() => countCumulative(contest(1), [{ points: { a: 1.5 } }], { lotOrder })).toThrow(/1.5 points/);
  });
});
