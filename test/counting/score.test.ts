import { describe, expect, it } from 'vitest';
import type { ContestOf } from '../../shared/counting/plurality';
import { countScore, SCORE_ORDER } from '../../shared/counting/score';

const options = ['a', 'b', 'c'].map((id) => ({ id, label: id }));
const contest = (seats: number, min = 0, max = 5): ContestOf<'score'> => ({ method: 'score', options, seats, rules: { min, max } });
const lotOrder = ['c', 'b', 'a'];
const unscored = { scorers: 0, sum: 0, mean: null, median: null, distribution: [0, 0, 0, 0, 0, 0] };

describe('score', () => {
  it('gives exact means, medians and distributions, and leaves out "no opinion"', () => {
    expect(countScore(contest(2), [{ scores: { a: 5, b: 1 } }, { scores: { a: 2, b: 4 } }, { scores: { a: 4 } }, { scores: {} }], { lotOrder })).toEqual({
      method: 'score',
      winners: ['a', 'b'],
      ties: [],
      order: SCORE_ORDER,
      ballots: 4,
      scale: { min: 0, max: 5 },
      options: {
        a: { scorers: 3, sum: 11, mean: '3.666667', median: '4.0', distribution: [0, 0, 1, 0, 1, 1] },
        b: { scorers: 2, sum: 5, mean: '2.500000', median: '2.5', distribution: [0, 1, 0, 0, 1, 0] },
        c: unscored,
      },
    });
  });

  it('settles equal means by the median, then by the lot', () => {
    // a: 0, 3, 3 (mean 2, median 3); b: 2, 2, 2 (mean 2, median 2); c: 1, 3 then 2 (mean 2, median 2).
    const result = countScore(
      contest(3),
      [{ scores: { a: 0, b: 2, c: 1 } }, { scores: { a: 3, b: 2, c: 3 } }, { scores: { a: 3, b: 2, c: 2 } }],
      { lotOrder },
    );
    expect(result.winners).toEqual(['a', 'c', 'b']);
    expect(result.ties).toEqual([{ decision: 'elect', tied: ['c', 'b'], by: 'lot', chosen: 'c' }]);
    expect(result.options['b']).toEqual({ scorers: 3, sum: 6, mean: '2.000000', median: '2.0', distribution: [0, 0, 3, 0, 0, 0] });
  });

  it('treats equal fractions over different counts as equal means', () => {
    // a: 1/3 over three scorers, b: 2/6 over six; both medians 0, so the lot decides.
    const result = countScore(contest(1, 0, 1), [
      ...[1, 0, 0].map((a) => ({ scores: { a } })),
      ...[1, 1, 0, 0, 0, 0].map((b) => ({ scores: { b } })),
    ], { lotOrder });
    expect(result.winners).toEqual(['b']);
    expect(result.ties).toEqual([{ decision: 'elect', tied: ['b', 'a'], by: 'lot', chosen: 'b' }]);
    expect([result.options['a']?.mean, result.options['b']?.mean]).toEqual(['0.333333', '0.333333']);
  });

  it('handles a scale with negative scores', () => {
    const result = countScore(contest(1, -2, 2), [{ scores: { a: -2, b: -1 } }, { scores: { a: -1 } }], { lotOrder });
    expect(result.winners).toEqual(['b']);
    expect(result.options['a']).toEqual({ scorers: 2, sum: -3, mean: '-1.500000', median: '-1.5', distribution: [1, 1, 0, 0, 0] });
  });

  it('elects nobody from no ballots or all-empty ballots', () => {
    const empty = { method: 'score', winners: [], ties: [], order: SCORE_ORDER, scale: { min: 0, max: 5 }, options: { a: unscored, b: unscored, c: unscored } };
    expect(countScore(contest(1), [], { lotOrder })).toEqual({ ...empty, ballots: 0 });
    expect(countScore(contest(1), [{ scores: {} }], { lotOrder })).toEqual({ ...empty, ballots: 1 });
  });

  it('settles every option tied by the lot', () => {
    const result = countScore(contest(2), [{ scores: { a: 3, b: 3, c: 3 } }], { lotOrder });
    expect(result.winners).toEqual(['c', 'b']);
    expect(result.ties).toEqual([
      { decision: 'elect', tied: ['c', 'b', 'a'], by: 'lot', chosen: 'c' },
      { decision: 'elect', tied: ['b', 'a'], by: 'lot', chosen: 'b' },
    ]);
  });

  it('elects fewer than seats when fewer options were scored', () => {
    expect(countScore(contest(3), [{ scores: { b: 0 } }], { lotOrder }).winners).toEqual(['b']);
  });

  it('refuses scores outside the scale', () => {
    expect(() => countScore(contest(1), [{ scores: { a: 6 } }], { lotOrder })).toThrow(/outside \[0, 5\]/);
  });
});
