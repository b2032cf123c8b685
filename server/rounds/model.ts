import type { Round } from '../../shared/api/rounds';
import type { Method } from '../../shared/counting/types';
import type { RoundOption } from '../../shared/protocol/types';
import type { RoundRow } from '../store/schema';

// The API's round shapes and inputs are the contract's (shared/api/rounds.ts).
export { createRoundInput, ROUND_STATUSES, roundListQuery, type CreateRoundInput, type Round, type RoundStatus } from '../../shared/api/rounds';

/** A yes/no round votes on one motion; its options are the three answers. */
export const YESNO_OPTIONS: readonly RoundOption[] = [
  { id: 'yes', label: 'Voor' },
  { id: 'no', label: 'Tegen' },
  { id: 'abstain', label: 'Onthouding' },
];

export function toRound(row: RoundRow, options: readonly RoundOption[]): Round {
  return {
    id: row.id,
    title: row.title,
    method: row.method as Method,
    questionId: row.question_id,
    options,
    seats: row.seats,
    rules: JSON.parse(row.rules) as Record<string, unknown>,
    revote: row.revote,
    sealed: row.sealed,
    secret: row.secret,
    closesAt: row.closes_at,
    status: row.status,
    createdAt: row.created_at,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    publishedAt: row.published_at,
    electorate: row.electorate_count,
  };
}
