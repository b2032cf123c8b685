import { assertNever } from '../result';
import { countApproval, type ApprovalResult } from './approval';
import { countBorda, type BordaResult } from './borda';
import { countCumulative, type CumulativeResult } from './cumulative';
import { countIrv, type IrvResult } from './irv';
import { countPlurality, type PluralityResult } from './plurality';
import { countSchulze, type SchulzeResult } from './schulze';
import { countScore, type ScoreResult } from './score';
import { countStv, type StvResult } from './stv';
import type { Choice, Contest, CountContext } from './types';
import { countYesNo, type YesNoResult } from './yesno';

/**
 * The counting library's entry point: one pure function from a contest, its
 * counting ballots and the lot to a result. The caller computes the lot
 * (`ctx.lotOrder`, which needs hashing); nothing here does I/O.
 *
 * Ballots must have passed `checkChoice` for the same contest. A count that
 * meets a ballot that could not have passed throws: that is a bug upstream,
 * not an outcome.
 */
export type CountResult =
  | PluralityResult
  | ApprovalResult
  | YesNoResult
  | ScoreResult
  | CumulativeResult
  | BordaResult
  | IrvResult
  | StvResult
  | SchulzeResult;

export function count(contest: Contest, ballots: readonly Choice[], ctx: CountContext): CountResult {
  switch (contest.method) {
    case 'plurality':
      return countPlurality(contest, ballots, ctx);
    case 'approval':
      return countApproval(contest, ballots, ctx);
    case 'yesno':
      return countYesNo(contest, ballots, ctx);
    case 'score':
      return countScore(contest, ballots, ctx);
    case 'cumulative':
      return countCumulative(contest, ballots, ctx);
    case 'borda':
      return countBorda(contest, ballots, ctx);
    case 'irv':
      return countIrv(contest, ballots, ctx);
    case 'stv':
      return countStv(contest, ballots, ctx);
    case 'schulze':
      return countSchulze(contest, ballots, ctx);
    default:
      return assertNever(contest, 'contest method');
  }
}

export * from './types';
export { checkChoice, CHOICE_FIELD, type ChoiceError, type ChoiceErrorKind } from './choice';
export { rulesSchema, type RulesSchemas } from './rules';
export { countPlurality, decimalString, type ContestOf, type PluralityResult } from './plurality';
export { countApproval, type ApprovalResult } from './approval';
export { countYesNo, SHARE_PLACES, type YesNoQuorum, type YesNoResult, type YesNoThreshold } from './yesno';
export { countScore, MEAN_PLACES, SCORE_ORDER, type ScoreResult, type ScoreTally } from './score';
export { countCumulative, type CumulativeResult } from './cumulative';
export { countBorda, BORDA_SCORING, type BordaResult } from './borda';
export { countSchulze, type SchulzeResult } from './schulze';
export { countIrv, IRV_RULE, type IrvResult, type IrvRound, type IrvTransfers } from './irv';
export { countStv, type StvAction, type StvResult, type StvStage, type StvTransfers } from './stv';
