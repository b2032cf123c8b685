import { describe, expect, it } from 'vitest';
import type { ContestOf } from '../../shared/counting/plurality';
import type { YesNoAnswer, YesNoRules } from '../../shared/counting/types';
import { countYesNo } from '../../shared/counting/yesno';

const contest = (rules: YesNoRules): ContestOf<'yesno'> => ({
  method: 'yesno',
  options: [{ id: 'motion', label: 'Adopt the budget' }],
  seats: 1,
  rules,
});
const answers = (yes: number, no: number, abstain: number) =>
  (['yes', 'no', 'abstain'] as const).flatMap((answer: YesNoAnswer, i) => Array.from({ length: [yes, no, abstain][i] ?? 0 }, () => ({ answer })));
const lotOrder = ['motion'];

describe('yes/no', () => {
  it('passes a simple majority with no quorum by default', () => {
    expect(countYesNo(contest({}), answers(3, 2, 4), { lotOrder })).toEqual({
      method: 'yesno',
      winners: ['yes'],
      ties: [],
      yes: 3,
      no: 2,
      abstain: 4,
      turnout: 9,
      electorate: null,
      turnoutShare: null,
      quorum: { rule: null, required: 0, met: true },
      threshold: { rule: { kind: 'simple' }, yesShare: '0.600000', met: true },
      passed: true,
    });
  });

  it('fails an even vote under a simple majority', () => {
    const result = countYesNo(contest({ threshold: { kind: 'simple' } }), answers(2, 2, 0), { lotOrder });
    expect(result.threshold).toEqual({ rule: { kind: 'simple' }, yesShare: '0.500000', met: false });
    expect(result.winners).toEqual([]);
    expect(result.passed).toBe(false);
  });

  it('fails when the quorum is missed by one, abstentions counted', () => {
    const quorum = { kind: 'share', numerator: 1, denominator: 3 } as const;
    expect(countYesNo(contest({ quorum }), answers(2, 0, 1), { lotOrder, electorate: 10 })).toEqual({
      method: 'yesno',
      winners: [],
      ties: [],
      yes: 2,
      no: 0,
      abstain: 1,
      turnout: 3,
      electorate: 10,
      turnoutShare: '0.300000',
      quorum: { rule: quorum, required: 4, met: false },
      threshold: { rule: { kind: 'simple' }, yesShare: '1.000000', met: true },
      passed: false,
    });
    // One more abstention meets it.
    expect(countYesNo(contest({ quorum }), answers(2, 0, 2), { lotOrder, electorate: 10 }).passed).toBe(true);
  });

  it('passes a qualified majority exactly met', () => {
    const threshold = { kind: 'qualified', numerator: 2, denominator: 3 } as const;
    const quorum = { kind: 'absolute', count: 7 } as const;
    expect(countYesNo(contest({ quorum, threshold }), answers(4, 2, 1), { lotOrder, electorate: 20 })).toEqual({
      method: 'yesno',
      winners: ['yes'],
      ties: [],
      yes: 4,
      no: 2,
      abstain: 1,
      turnout: 7,
      electorate: 20,
      turnoutShare: '0.350000',
      quorum: { rule: quorum, required: 7, met: true },
      threshold: { rule: threshold, yesShare: '0.666667', met: true },
      passed: true,
    });
    expect(countYesNo(contest({ threshold }), answers(3, 2, 0), { lotOrder }).threshold.met).toBe(false);
  });

  it('does not pass without ballots, or with abstentions only', () => {
    const none = countYesNo(contest({ threshold: { kind: 'qualified', numerator: 1, denominator: 2 } }), [], { lotOrder, electorate: 0 });
    expect(none).toMatchObject({ winners: [], turnout: 0, turnoutShare: null, threshold: { yesShare: null, met: false }, passed: false });
    expect(countYesNo(contest({}), answers(0, 0, 5), { lotOrder }).passed).toBe(false);
  });

  it('needs the electorate for a quorum share', () => {
    expect(() => countYesNo(contest({ quorum: { kind: 'share', numerator: 1, denominator: 2 } }), [], { lotOrder })).toThrow(/electorate/);
  });
});
