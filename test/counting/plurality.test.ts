import { describe, expect, it } from 'vitest';
import { countPlurality, decimalString } from '../../shared/counting/plurality';
import type { ContestOf } from '../../shared/counting/plurality';

const options = [
  { id: 'a', label: 'Alma' },
  { id: 'b', label: 'Bram' },
  { id: 'c', label: 'Cato' },
];
const contest = (seats: number): ContestOf<'plurality'> => ({ method: 'plurality', options, seats, rules: {} });
const picks = (...ids: string[]) => ids.map((pick) => ({ pick }));

describe('plurality', () => {
  it('elects the most picked options in order', () => {
    expect(countPlurality(contest(2), picks('a', 'b', 'a', 'c', 'a', 'b'), { lotOrder: ['c', 'b', 'a'] })).toEqual({
      method: 'plurality',
      winners: ['a', 'b'],
      ties: [],
      ballots: 6,
      votes: { a: 3, b: 2, c: 1 },
    });
  });

  it('elects nobody without ballots', () => {
    expect(countPlurality(contest(1), [], { lotOrder: ['a', 'b', 'c'] })).toEqual({
      method: 'plurality',
      winners: [],
      ties: [],
      ballots: 0,
      votes: { a: 0, b: 0, c: 0 },
    });
  });

  it('settles every option tied by the lot, one record per place', () => {
    expect(countPlurality(contest(2), picks('a', 'b', 'c'), { lotOrder: ['c', 'a', 'b'] })).toEqual({
      method: 'plurality',
      winners: ['c', 'a'],
      ties: [
        { decision: 'elect', tied: ['c', 'a', 'b'], by: 'lot', chosen: 'c' },
        { decision: 'elect', tied: ['a', 'b'], by: 'lot', chosen: 'a' },
      ],
      ballots: 3,
      votes: { a: 1, b: 1, c: 1 },
    });
  });

  it('records no tie below the last seat', () => {
    const result = countPlurality(contest(1), picks('a', 'a', 'b', 'c'), { lotOrder: ['c', 'b', 'a'] });
    expect(result.winners).toEqual(['a']);
    expect(result.ties).toEqual([]);
  });

  it('elects only options someone picked when there are fewer than seats', () => {
    expect(countPlurality(contest(5), picks('b', 'a', 'b'), { lotOrder: ['a', 'b', 'c'] })).toEqual({
      method: 'plurality',
      winners: ['b', 'a'],
      ties: [],
      ballots: 3,
      votes: { a: 1, b: 2, c: 0 },
    });
  });

  it('refuses a lot that leaves an option out, and an unchecked ballot', () => {
    expect(() => countPlurality(contest(1), [], { lotOrder: ['a', 'b'] })).toThrow(/lacks option "c"/);
    expect(() => countPlurality(contest(1), picks('z'), { lotOrder: ['a', 'b', 'c'] })).toThrow(/unknown option "z"/);
    expect(() => countPlurality(contest(0), [], { lotOrder: ['a', 'b', 'c'] })).toThrow(/seats/);
  });
});

describe('decimalString', () => {
  it('rounds half away from zero and keeps the width', () => {
    expect(decimalString(2n, 3n, 6)).toBe('0.666667');
    expect(decimalString(1n, 8n, 2)).toBe('0.13');
    expect(decimalString(-1n, 8n, 2)).toBe('-0.13');
    expect(decimalString(-1n, 1000n, 2)).toBe('0.00');
    expect(decimalString(7n, 2n, 1)).toBe('3.5');
    expect(decimalString(6n, 2n, 1)).toBe('3.0');
    expect(decimalString(5n, 1n, 0)).toBe('5');
  });
});
