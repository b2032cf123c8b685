import { assertNever } from '../result';
import { decimalString, type ContestOf } from './plurality';
import type { BaseResult, Choice, CountContext, YesNoRules } from './types';

/** Decimals in shown shares. */
export const SHARE_PLACES = 6;

/** The quorum applied: `required` voters (yes + no + abstain) had to take part. */
export interface YesNoQuorum {
  /** The rule from the definition; null means no quorum (required is then 0). */
  readonly rule: NonNullable<YesNoRules['quorum']> | null;
  /** For a share: ceil(electorate × numerator / denominator). */
  readonly required: number;
  readonly met: boolean;
}

export interface YesNoThreshold {
  /** The rule from the definition; absent rules mean `simple`. */
  readonly rule: NonNullable<YesNoRules['threshold']>;
  /** yes / (yes + no), rounded half away from zero to SHARE_PLACES decimals; null when nobody answered yes or no. */
  readonly yesShare: string | null;
  /** simple: yes > no. qualified: yes + no > 0 and yes × denominator ≥ numerator × (yes + no). */
  readonly met: boolean;
}

/**
 * Yes/no on a motion. Abstentions count towards the quorum only. The motion
 * passes when the quorum is met and so is the threshold. A yes/no round
 * elects nobody, so `winners` is `['yes']` when the motion passed and `[]`
 * when it did not: "yes won" is the one winner such a round can have, and a
 * reader of winners alone still learns the outcome. There is never a tie to
 * settle: an even vote fails a simple majority (yes must exceed no).
 */
export interface YesNoResult extends BaseResult {
  readonly method: 'yesno';
  readonly winners: readonly ['yes'] | readonly [];
  readonly yes: number;
  readonly no: number;
  readonly abstain: number;
  /** Voters who took part: yes + no + abstain. */
  readonly turnout: number;
  /** Eligible voters, when the caller gave it; null otherwise. */
  readonly electorate: number | null;
  /** turnout / electorate, rounded like yesShare; null without an electorate. */
  readonly turnoutShare: string | null;
  readonly quorum: YesNoQuorum;
  readonly threshold: YesNoThreshold;
  readonly passed: boolean;
}

export function countYesNo(contest: ContestOf<'yesno'>, ballots: readonly Choice[], ctx: CountContext): YesNoResult {
  let yes = 0;
  let no = 0;
  let abstain = 0;
  ballots.forEach((ballot, b) => {
    if (!('answer' in ballot)) throw new Error('yesno ballot without "answer": choices must pass checkChoice first');
    switch (ballot.answer) {
      case 'yes': yes += 1; break;
      case 'no': no += 1; break;
      case 'abstain': abstain += 1; break;
      default: assertNever(ballot.answer, `answer on ballot ${b}`);
    }
  });
  const turnout = yes + no + abstain;
  const electorate = ctx.electorate ?? null;
  if (electorate !== null && (!Number.isSafeInteger(electorate) || electorate < 0)) {
    throw new Error(`electorate must be a whole number, got ${String(electorate)}`);
  }

  const quorumRule = contest.rules.quorum ?? null;
  const required = requiredTurnout(quorumRule, electorate);
  const quorum: YesNoQuorum = { rule: quorumRule, required, met: turnout >= required };

  const thresholdRule = contest.rules.threshold ?? { kind: 'simple' };
  const threshold: YesNoThreshold = {
    rule: thresholdRule,
    yesShare: yes + no > 0 ? decimalString(BigInt(yes), BigInt(yes + no), SHARE_PLACES) : null,
    met: thresholdMet(thresholdRule, yes, no),
  };

  const passed = quorum.met && threshold.met;
  return {
    method: 'yesno',
    winners: passed ? ['yes'] : [],
    ties: [],
    yes,
    no,
    abstain,
    turnout,
    electorate,
    turnoutShare: electorate !== null && electorate > 0 ? decimalString(BigInt(turnout), BigInt(electorate), SHARE_PLACES) : null,
    quorum,
    threshold,
    passed,
  };
}

function requiredTurnout(rule: NonNullable<YesNoRules['quorum']> | null, electorate: number | null): number {
  if (rule === null) return 0;
  switch (rule.kind) {
    case 'absolute':
      assertCount(rule.count, 'quorum count');
      return rule.count;
    case 'share': {
      assertFraction(rule.numerator, rule.denominator, 'quorum share');
      if (electorate === null) throw new Error('a quorum as a share of the electorate needs ctx.electorate');
      // Ceiling division: a quorum of a third of 10 voters is 4, never 3.33.
      const product = BigInt(electorate) * BigInt(rule.numerator);
      const denominator = BigInt(rule.denominator);
      return Number((product + denominator - 1n) / denominator);
    }
    default:
      return assertNever(rule, 'yesno rule');
  }
}

function thresholdMet(rule: NonNullable<YesNoRules['threshold']>, yes: number, no: number): boolean {
  switch (rule.kind) {
    case 'simple':
      return yes > no;
    case 'qualified':
      assertFraction(rule.numerator, rule.denominator, 'qualified threshold');
      // yes + no > 0: without it 0 / 0 would meet any threshold.
      return yes + no > 0 && BigInt(yes) * BigInt(rule.denominator) >= BigInt(rule.numerator) * BigInt(yes + no);
    default:
      return assertNever(rule, 'yesno rule');
  }
}

function assertCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${what} must be a whole number, got ${String(value)}`);
}

function assertFraction(numerator: number, denominator: number, what: string): void {
  assertCount(numerator, `${what} numerator`);
  if (!Number.isSafeInteger(denominator) || denominator < 1 || numerator > denominator) {
    throw new Error(`${what} must be a fraction between 0 and 1, got ${String(numerator)}/${String(denominator)}`);
  }
}
