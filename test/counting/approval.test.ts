import { describe, expect, it } from 'vitest';
import { countApproval } from '../../shared/counting/approval';
import type { ContestOf } from '../../shared/counting/plurality';

const options = ['a', 'b', 'c', 'd'].map((id) => ({ id, label: id.toUpperCase() }));
const contest = (seats: number, maxApprovals?: number): ContestOf<'approval'> => ({
  method: 'approval',
  options,
  seats,
  rules: maxApprovals === undefined ? {} : { maxApprovals },
});
const lotOrder = ['d', 'c', 'b', 'a'];
/** 'abc' approves a, b and c; '' approves nothing. */
const approve = (...sets: string[]) => sets.map((s) => ({ approve: s.split('').filter(Boolean) }));

describe('approval', () => {
  it('elects the most approved, settling a tie for the last seat by the lot', () => {
    expect(countApproval(contest(2, 3), approve('abc', 'ab', 'b', 'c', ''), { lotOrder })).toEqual({
      method: 'approval',
      winners: ['b', 'c'],
      ties: [{ decision: 'elect', tied: ['c', 'a'], by: 'lot', chosen: 'c' }],
      ballots: 5,
      blank: 1,
      maxApprovals: 3,
      approvals: { a: 2, b: 3, c: 2, d: 0 },
    });
  });

  it('settles every option tied by the lot', () => {
    expect(countApproval(contest(2), approve('abc', 'b', 'ac'), { lotOrder })).toEqual({
      method: 'approval',
      winners: ['c', 'b'],
      ties: [
        { decision: 'elect', tied: ['c', 'b', 'a'], by: 'lot', chosen: 'c' },
        { decision: 'elect', tied: ['b', 'a'], by: 'lot', chosen: 'b' },
      ],
      ballots: 3,
      blank: 0,
      maxApprovals: null,
      approvals: { a: 2, b: 2, c: 2, d: 0 },
    });
  });

  it('elects nobody when there are no ballots or all are blank', () => {
    const empty = { method: 'approval', winners: [], ties: [], blank: 0, maxApprovals: null, approvals: { a: 0, b: 0, c: 0, d: 0 } };
    expect(countApproval(contest(1), [], { lotOrder })).toEqual({ ...empty, ballots: 0 });
    expect(countApproval(contest(1), approve('', ''), { lotOrder })).toEqual({ ...empty, ballots: 2, blank: 2 });
  });

  it('elects only approved options when there are fewer than seats', () => {
    expect(countApproval(contest(4), approve('a', 'ab'), { lotOrder }).winners).toEqual(['a', 'b']);
  });

  it('refuses ballots that could not have passed checkChoice', () => {
    expect(() => countApproval(contest(1, 1), approve('ab'), { lotOrder })).toThrow(/more than 1/);
    expect(() => countApproval(contest(1), [{ approve: ['a', 'a'] }], { lotOrder })).toThrow(/twice/);
    expect(() => countApproval(contest(1), [{ pick: 'a' }], { lotOrder })).toThrow(/checkChoice/);
  });
});
