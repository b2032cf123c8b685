import { describe, expect, it } from 'vitest';
import type { ContestOf } from '../../shared/counting/plurality';
import { countSchulze } from '../../shared/counting/schulze';

const contestOf = (ids: string[], seats: number): ContestOf<'schulze'> => ({
  method: 'schulze',
  options: ids.map((id) => ({ id, label: id })),
  seats,
  rules: {},
});
/** [5, 'ACBED'] is five ballots ranking A, C, B, E, D. */
const ballotsOf = (groups: [number, string][]) =>
  groups.flatMap(([n, ranking]) => Array.from({ length: n }, () => ({ ranking: ranking.split('').filter(Boolean) })));

describe('schulze', () => {
  // The example of Wikipedia's "Schulze method" article: 45 voters, E wins.
  const wikipedia = ballotsOf([
    [5, 'ACBED'], [5, 'ADECB'], [8, 'BEDAC'], [3, 'CABED'],
    [7, 'CAEBD'], [2, 'CBADE'], [7, 'DCEBA'], [8, 'EBADC'],
  ]);

  it('counts the Wikipedia example', () => {
    expect(countSchulze(contestOf(['A', 'B', 'C', 'D', 'E'], 2), wikipedia, { lotOrder: ['A', 'B', 'C', 'D', 'E'] })).toEqual({
      method: 'schulze',
      winners: ['E', 'A'],
      ties: [],
      ballots: 45,
      options: ['A', 'B', 'C', 'D', 'E'],
      pairwise: [
        [0, 20, 26, 30, 22],
        [25, 0, 16, 33, 18],
        [19, 29, 0, 17, 24],
        [15, 12, 28, 0, 14],
        [23, 27, 21, 31, 0],
      ],
      strongestPaths: [
        [0, 28, 28, 30, 24],
        [25, 0, 28, 33, 24],
        [25, 29, 0, 29, 24],
        [25, 28, 28, 0, 24],
        [25, 28, 28, 31, 0],
      ],
      ranking: ['E', 'A', 'C', 'B', 'D'],
      rankedBy: { A: 45, B: 45, C: 45, D: 45, E: 45 },
    });
  });

  it('ranks ranked options above unranked ones and settles a tie in the ranking by the lot', () => {
    expect(countSchulze(contestOf(['a', 'b', 'c'], 1), ballotsOf([[1, 'a'], [1, 'ba']]), { lotOrder: ['b', 'c', 'a'] })).toEqual({
      method: 'schulze',
      winners: ['b'],
      ties: [{ decision: 'rank', tied: ['b', 'a'], by: 'lot', chosen: 'b' }],
      ballots: 2,
      options: ['a', 'b', 'c'],
      pairwise: [
        [0, 1, 2],
        [1, 0, 1],
        [0, 0, 0],
      ],
      strongestPaths: [
        [0, 0, 2],
        [0, 0, 1],
        [0, 0, 0],
      ],
      ranking: ['b', 'a', 'c'],
      rankedBy: { a: 2, b: 1, c: 0 },
    });
  });

  it('ranks by the lot alone, but elects nobody, without ballots or with empty rankings', () => {
    const empty = {
      method: 'schulze',
      winners: [],
      ties: [
        { decision: 'rank', tied: ['c', 'a', 'b'], by: 'lot', chosen: 'c' },
        { decision: 'rank', tied: ['a', 'b'], by: 'lot', chosen: 'a' },
      ],
      options: ['a', 'b', 'c'],
      pairwise: [[0, 0, 0], [0, 0, 0], [0, 0, 0]],
      strongestPaths: [[0, 0, 0], [0, 0, 0], [0, 0, 0]],
      ranking: ['c', 'a', 'b'],
      rankedBy: { a: 0, b: 0, c: 0 },
    };
    expect(countSchulze(contestOf(['a', 'b', 'c'], 1), [], { lotOrder: ['c', 'a', 'b'] })).toEqual({ ...empty, ballots: 0 });
    expect(countSchulze(contestOf(['a', 'b', 'c'], 1), ballotsOf([[3, '']]), { lotOrder: ['c', 'a', 'b'] })).toEqual({ ...empty, ballots: 3 });
  });

  it('settles a perfect cycle by the lot', () => {
    const result = countSchulze(contestOf(['a', 'b', 'c'], 2), ballotsOf([[1, 'abc'], [1, 'bca'], [1, 'cab']]), { lotOrder: ['b', 'a', 'c'] });
    expect(result.ranking).toEqual(['b', 'a', 'c']);
    expect(result.winners).toEqual(['b', 'a']);
    expect(result.ties).toEqual([
      { decision: 'rank', tied: ['b', 'a', 'c'], by: 'lot', chosen: 'b' },
      { decision: 'rank', tied: ['a', 'c'], by: 'lot', chosen: 'a' },
    ]);
  });

  it('elects every ranked option when there are fewer options than seats', () => {
    expect(countSchulze(contestOf(['A', 'B', 'C', 'D', 'E'], 9), wikipedia, { lotOrder: ['A', 'B', 'C', 'D', 'E'] }).winners).toEqual(['E', 'A', 'C', 'B', 'D']);
  });

  it('refuses unknown or repeated options', () => {
    expect(() => countSchulze(contestOf(['a', 'b'], 1), ballotsOf([[1, 'aza']]), { lotOrder: ['a', 'b'] })).toThrow(/unknown option "z"/);
    expect(() => countSchulze(contestOf(['a', 'b'], 1), ballotsOf([[1, 'aba']]), { lotOrder: ['a', 'b'] })).toThrow(/twice/);
  });
});
