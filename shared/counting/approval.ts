import { electTop, lotRanks, type ContestOf } from './plurality';
import type { BaseResult, Choice, CountContext } from './types';

/**
 * Approval: each ballot approves any number of options (at most
 * `rules.maxApprovals` when set); the `seats` options with the most approvals
 * win, most approved first. An option nobody approved is never elected, so a
 * count can return fewer winners than seats.
 */
export interface ApprovalResult extends BaseResult {
  readonly method: 'approval';
  /** Ballots counted, blank ones included. */
  readonly ballots: number;
  /** Ballots that approved no option. */
  readonly blank: number;
  /** The rule the ballots were checked against; null means no limit. */
  readonly maxApprovals: number | null;
  /** Approvals per option id; every option appears, zero included. */
  readonly approvals: Readonly<Record<string, number>>;
}

export function countApproval(contest: ContestOf<'approval'>, ballots: readonly Choice[], ctx: CountContext): ApprovalResult {
  const lot = lotRanks(contest, ctx);
  const index = new Map(contest.options.map((o, i) => [o.id, i]));
  const approvals = new Array<number>(contest.options.length).fill(0);
  // Per-ballot stamps find a repeated approval without allocating a set per ballot.
  const seenOnBallot = new Int32Array(contest.options.length).fill(-1);
  const max = contest.rules.maxApprovals;
  let blank = 0;
  ballots.forEach((ballot, b) => {
    if (!('approve' in ballot)) throw new Error('approval ballot without "approve": choices must pass checkChoice first');
    if (max !== undefined && ballot.approve.length > max) throw new Error(`ballot ${b} approves more than ${max} options`);
    if (ballot.approve.length === 0) blank += 1;
    for (const id of ballot.approve) {
      const i = index.get(id);
      if (i === undefined) throw new Error(`ballot ${b} approves unknown option ${JSON.stringify(id)}`);
      if (seenOnBallot[i] === b) throw new Error(`ballot ${b} approves ${JSON.stringify(id)} twice`);
      seenOnBallot[i] = b;
      approvals[i] = (approvals[i] ?? 0) + 1;
    }
  });
  const of = (id: string): number => approvals[index.get(id) ?? -1] ?? 0;
  const { winners, ties } = electTop(
    contest.options.map((o) => o.id).filter((id) => of(id) > 0),
    (a, b) => of(b) - of(a),
    contest.seats,
    lot,
  );
  return {
    method: 'approval',
    winners,
    ties,
    ballots: ballots.length,
    blank,
    maxApprovals: max ?? null,
    approvals: Object.fromEntries(contest.options.map((o) => [o.id, of(o.id)])),
  };
}
