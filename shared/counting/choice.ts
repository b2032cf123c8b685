import { assertNever, err, ok, type Result } from '../result';
import type { ContestOf } from './plurality';
import type { Choice, Contest, Method } from './types';

/**
 * Checks of a ballot's `choice` against its round (protocol.md, "Ballot"),
 * and the schemas of each method's `rules`.
 *
 * A choice must be a plain object with exactly the one field its method uses.
 * Blank choices are valid: approving nothing, scoring nothing, giving no
 * points, or an empty ranking are all ways to take part without supporting any
 * option (they still count for turnout).
 */

export type ChoiceErrorKind =
  | 'not-an-object'
  | 'missing-field'
  | 'unexpected-field'
  | 'wrong-type'
  | 'unknown-option'
  | 'duplicate-option'
  | 'too-many-approvals'
  | 'invalid-answer'
  | 'not-an-integer'
  | 'out-of-range'
  | 'over-budget';

export interface ChoiceError {
  readonly kind: ChoiceErrorKind;
  /** Where in the choice, e.g. `choice.approve[2]` or `choice.scores["opt-a"]`. */
  readonly path: string;
  /** For people; starts with the path. */
  readonly message: string;
}

/** The one field a choice has, by method. */
export const CHOICE_FIELD = {
  plurality: 'pick',
  approval: 'approve',
  yesno: 'answer',
  score: 'scores',
  cumulative: 'points',
  borda: 'ranking',
  irv: 'ranking',
  stv: 'ranking',
  schulze: 'ranking',
} as const satisfies Record<Method, string>;

type Check<T> = Result<T, ChoiceError>;

function fail(kind: ChoiceErrorKind, path: string, problem: string): Check<never> {
  return err({ kind, path, message: `${path}: ${problem}` });
}

/** Returns a copy of `choice` typed for the contest's method, or the first problem found. */
export function checkChoice(contest: Contest, choice: unknown): Result<Choice, ChoiceError> {
  if (!isPlainObject(choice)) return fail('not-an-object', 'choice', 'must be a JSON object');
  const field = CHOICE_FIELD[contest.method];
  for (const key of Object.keys(choice)) {
    if (key !== field) return fail('unexpected-field', `choice${keyPath(key)}`, `is not part of a ${contest.method} choice (expected only "${field}")`);
  }
  if (!Object.hasOwn(choice, field)) return fail('missing-field', `choice.${field}`, 'is required');
  const value = choice[field];
  const path = `choice.${field}`;
  const known = new Set(contest.options.map((o) => o.id));
  switch (contest.method) {
    case 'plurality': {
      const pick = checkOptionId(value, path, known);
      return pick.ok ? ok({ pick: pick.value }) : pick;
    }
    case 'approval':
      return checkApproval(contest, value, path, known);
    case 'yesno':
      if (typeof value !== 'string') return fail('wrong-type', path, 'must be "yes", "no" or "abstain"');
      if (value !== 'yes' && value !== 'no' && value !== 'abstain') {
        return fail('invalid-answer', path, `${JSON.stringify(value)} is not "yes", "no" or "abstain"`);
      }
      return ok({ answer: value });
    case 'score':
      return checkScores(contest, value, path, known);
    case 'cumulative':
      return checkPoints(contest, value, path, known);
    case 'borda':
    case 'irv':
    case 'stv':
    case 'schulze': {
      const ranking = checkDistinctIds(value, path, known);
      return ranking.ok ? ok({ ranking: ranking.value }) : ranking;
    }
    default:
      return assertNever(contest, 'contest method');
  }
}

function checkApproval(contest: ContestOf<'approval'>, value: unknown, path: string, known: ReadonlySet<string>): Check<Choice> {
  const approve = checkDistinctIds(value, path, known);
  if (!approve.ok) return approve;
  const max = contest.rules.maxApprovals;
  if (max !== undefined && approve.value.length > max) {
    return fail('too-many-approvals', path, `approves ${approve.value.length} options; at most ${max} allowed`);
  }
  return ok({ approve: approve.value });
}

function checkScores(contest: ContestOf<'score'>, value: unknown, path: string, known: ReadonlySet<string>): Check<Choice> {
  const { min, max } = contest.rules;
  const scores = checkOptionRecord(value, path, known, (score, at) => {
    if (score < min || score > max) return fail('out-of-range', at, `${score} is outside the scale [${min}, ${max}]`);
    return ok(score);
  });
  return scores.ok ? ok({ scores: scores.value }) : scores;
}

function checkPoints(contest: ContestOf<'cumulative'>, value: unknown, path: string, known: ReadonlySet<string>): Check<Choice> {
  const points = checkOptionRecord(value, path, known, (given, at) =>
    given < 0 ? fail('out-of-range', at, `${given} is negative; points are whole numbers from 0`) : ok(given),
  );
  if (!points.ok) return points;
  const spent = Object.values(points.value).reduce((sum, given) => sum + given, 0);
  if (spent > contest.rules.budget) {
    return fail('over-budget', path, `gives ${spent} points in all; the budget is ${contest.rules.budget}`);
  }
  return ok({ points: points.value });
}

function checkOptionId(value: unknown, path: string, known: ReadonlySet<string>): Check<string> {
  if (typeof value !== 'string') return fail('wrong-type', path, 'must be an option id (a string)');
  if (!known.has(value)) return fail('unknown-option', path, `${JSON.stringify(value)} is not an option of this round`);
  return ok(value);
}

function checkDistinctIds(value: unknown, path: string, known: ReadonlySet<string>): Check<string[]> {
  if (!Array.isArray(value)) return fail('wrong-type', path, 'must be a list of option ids');
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const [i, item] of (value as unknown[]).entries()) {
    const at = `${path}[${i}]`;
    const id = checkOptionId(item, at, known);
    if (!id.ok) return id;
    if (seen.has(id.value)) return fail('duplicate-option', at, `${JSON.stringify(id.value)} appears more than once`);
    seen.add(id.value);
    ids.push(id.value);
  }
  return ok(ids);
}

/** An object from option id to a whole number, each checked by `each`. */
function checkOptionRecord(
  value: unknown,
  path: string,
  known: ReadonlySet<string>,
  each: (n: number, at: string) => Check<number>,
): Check<Record<string, number>> {
  if (!isPlainObject(value)) return fail('wrong-type', path, 'must be an object from option id to a whole number');
  const entries: [string, number][] = [];
  for (const [id, n] of Object.entries(value)) {
    const at = `${path}${keyPath(id)}`;
    if (!known.has(id)) return fail('unknown-option', at, `${JSON.stringify(id)} is not an option of this round`);
    if (typeof n !== 'number') return fail('wrong-type', at, 'must be a whole number');
    if (!Number.isSafeInteger(n)) return fail('not-an-integer', at, `${String(n)} is not a whole number`);
    const checked = each(n, at);
    if (!checked.ok) return checked;
    entries.push([id, checked.value]);
  }
  // fromEntries defines own properties, so even an option called "__proto__" stays data.
  return ok(Object.fromEntries(entries));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function keyPath(key: string): string {
  return `[${JSON.stringify(key)}]`;
}
