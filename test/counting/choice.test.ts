import { describe, expect, it } from 'vitest';
import { checkChoice } from '../../shared/counting/choice';
import { rulesSchema } from '../../shared/counting/rules';
import type { Contest, CountOption } from '../../shared/counting/types';

const options: CountOption[] = ['a', 'b', 'c'].map((id) => ({ id, label: id }));
const base = { options, seats: 1 };
const plurality: Contest = { ...base, method: 'plurality', rules: {} };
const approval: Contest = { ...base, method: 'approval', rules: { maxApprovals: 2 } };
const yesno: Contest = { ...base, method: 'yesno', rules: {} };
const score: Contest = { ...base, method: 'score', rules: { min: 1, max: 5 } };
const cumulative: Contest = { ...base, method: 'cumulative', rules: { budget: 4 } };
const ranked = (['borda', 'irv', 'stv', 'schulze'] as const).map(
  (method): Contest => (method === 'stv' ? { ...base, method, rules: { variant: 'meek' } } : { ...base, method, rules: {} }),
);

const error = (kind: string, path: string, message: string) => ({ ok: false, error: { kind, path, message: `${path}: ${message}` } });

describe('checkChoice', () => {
  it('accepts a valid choice of every method and returns a copy', () => {
    const choice = { approve: ['a', 'c'] };
    const checked = checkChoice(approval, choice);
    expect(checked).toEqual({ ok: true, value: { approve: ['a', 'c'] } });
    expect(checked.ok && checked.value).not.toBe(choice);
    expect(checkChoice(plurality, { pick: 'b' })).toEqual({ ok: true, value: { pick: 'b' } });
    expect(checkChoice(yesno, { answer: 'abstain' })).toEqual({ ok: true, value: { answer: 'abstain' } });
    expect(checkChoice(score, { scores: { a: 1, c: 5 } })).toEqual({ ok: true, value: { scores: { a: 1, c: 5 } } });
    expect(checkChoice(cumulative, { points: { a: 4, b: 0 } })).toEqual({ ok: true, value: { points: { a: 4, b: 0 } } });
    for (const contest of ranked) {
      expect(checkChoice(contest, { ranking: ['c', 'a'] })).toEqual({ ok: true, value: { ranking: ['c', 'a'] } });
    }
  });

  it('accepts blank choices', () => {
    expect(checkChoice(approval, { approve: [] }).ok).toBe(true);
    expect(checkChoice(score, { scores: {} }).ok).toBe(true);
    expect(checkChoice(cumulative, { points: {} }).ok).toBe(true);
    for (const contest of ranked) expect(checkChoice(contest, { ranking: [] }).ok).toBe(true);
  });

  it('rejects what is not a plain object with exactly its field', () => {
    expect(checkChoice(plurality, null)).toEqual(error('not-an-object', 'choice', 'must be a JSON object'));
    expect(checkChoice(plurality, ['a'])).toEqual(error('not-an-object', 'choice', 'must be a JSON object'));
    expect(checkChoice(plurality, {})).toEqual(error('missing-field', 'choice.pick', 'is required'));
    expect(checkChoice(plurality, { pick: 'a', note: 'x' })).toEqual(
      error('unexpected-field', 'choice["note"]', 'is not part of a plurality choice (expected only "pick")'),
    );
    expect(checkChoice(plurality, { approve: ['a'] })).toMatchObject({ error: { kind: 'unexpected-field' } });
  });

  it('rejects unknown and repeated options with their place', () => {
    expect(checkChoice(plurality, { pick: 'z' })).toEqual(error('unknown-option', 'choice.pick', '"z" is not an option of this round'));
    expect(checkChoice(plurality, { pick: 1 })).toEqual(error('wrong-type', 'choice.pick', 'must be an option id (a string)'));
    expect(checkChoice(approval, { approve: 'a' })).toEqual(error('wrong-type', 'choice.approve', 'must be a list of option ids'));
    expect(checkChoice(approval, { approve: ['a', 'a'] })).toEqual(error('duplicate-option', 'choice.approve[1]', '"a" appears more than once'));
    expect(checkChoice(ranked[3] as Contest, { ranking: ['b', 'c', 'b'] })).toEqual(
      error('duplicate-option', 'choice.ranking[2]', '"b" appears more than once'),
    );
    expect(checkChoice(ranked[0] as Contest, { ranking: ['b', 'x'] })).toEqual(
      error('unknown-option', 'choice.ranking[1]', '"x" is not an option of this round'),
    );
    expect(checkChoice(score, JSON.parse('{"scores":{"__proto__":1}}'))).toEqual(error('unknown-option', 'choice.scores["__proto__"]', '"__proto__" is not an option of this round'));
  });

  it('holds approval to its maximum', () => {
    expect(checkChoice(approval, { approve: ['a', 'b', 'c'] })).toEqual(
      error('too-many-approvals', 'choice.approve', 'approves 3 options; at most 2 allowed'),
    );
  });

  it('takes only yes, no or abstain', () => {
    expect(checkChoice(yesno, { answer: 'maybe' })).toEqual(error('invalid-answer', 'choice.answer', '"maybe" is not "yes", "no" or "abstain"'));
    expect(checkChoice(yesno, { answer: true })).toEqual(error('wrong-type', 'choice.answer', 'must be "yes", "no" or "abstain"'));
  });

  it('holds scores to whole numbers on the scale', () => {
    expect(checkChoice(score, { scores: { a: 0 } })).toEqual(error('out-of-range', 'choice.scores["a"]', '0 is outside the scale [1, 5]'));
    expect(checkChoice(score, { scores: { a: 6 } })).toEqual(error('out-of-range', 'choice.scores["a"]', '6 is outside the scale [1, 5]'));
    expect(checkChoice(score, { scores: { b: 2.5 } })).toEqual(error('not-an-integer', 'choice.scores["b"]', '2.5 is not a whole number'));
    expect(checkChoice(score, { scores: { b: '3' } })).toEqual(error('wrong-type', 'choice.scores["b"]', 'must be a whole number'));
    expect(checkChoice(score, { scores: ['a'] })).toEqual(error('wrong-type', 'choice.scores', 'must be an object from option id to a whole number'));
  });

  it('holds cumulative points to whole numbers within the budget', () => {
    expect(checkChoice(cumulative, { points: { a: -1 } })).toEqual(error('out-of-range', 'choice.points["a"]', '-1 is negative; points are whole numbers from 0'));
    expect(checkChoice(cumulative, { points: { a: 3, b: 2 } })).toEqual(error('over-budget', 'choice.points', 'gives 5 points in all; the budget is 4'));
    expect(checkChoice(cumulative, { points: { a: Number.NaN } })).toMatchObject({ error: { kind: 'not-an-integer' } });
  });
});

describe('rulesSchema', () => {
  it('fills the documented defaults', () => {
    expect(rulesSchema('plurality').parse({})).toEqual({});
    expect(rulesSchema('approval').parse({})).toEqual({});
    expect(rulesSchema('yesno').parse({})).toEqual({ threshold: { kind: 'simple' } });
    expect(rulesSchema('score').parse({})).toEqual({ min: 0, max: 5 });
    expect(rulesSchema('stv').parse({})).toEqual({ variant: 'scottish' });
  });

  it('keeps valid rules and rejects the rest', () => {
    const yesnoRules = { quorum: { kind: 'share', numerator: 1, denominator: 3 }, threshold: { kind: 'qualified', numerator: 2, denominator: 3 } };
    expect(rulesSchema('yesno').parse(yesnoRules)).toEqual(yesnoRules);
    expect(rulesSchema('cumulative').parse({ budget: 10 })).toEqual({ budget: 10 });
    const rejected: [Parameters<typeof rulesSchema>[0], unknown][] = [
      ['plurality', { extra: 1 }],
      ['approval', { maxApprovals: 0 }],
      ['approval', { maxApprovals: 1.5 }],
      ['yesno', { threshold: { kind: 'qualified', numerator: 1, denominator: 3 } }],
      ['yesno', { quorum: { kind: 'share', numerator: 4, denominator: 3 } }],
      ['yesno', { quorum: { kind: 'absolute', count: 0 } }],
      ['score', { min: 5, max: 5 }],
      ['score', { min: 0, max: 101 }],
      ['cumulative', {}],
      ['stv', { variant: 'wigm' }],
      ['schulze', { seats: 2 }],
    ];
    for (const [method, rules] of rejected) expect(rulesSchema(method).safeParse(rules).success, `${method} ${JSON.stringify(rules)}`).toBe(false);
  });
});
