import type { Proposal, Question, Session } from '../../shared/api/sessions';
import type { ProposalRow, QuestionRow, SessionRow } from '../store/schema';

// The API's session shapes and inputs are the contract's (shared/api/sessions.ts).
export {
  hideInput,
  mergeInput,
  proposalInput,
  questionInput,
  sessionInput,
  type Proposal,
  type ProposalStatus,
  type Question,
  type Session,
} from '../../shared/api/sessions';

export function toSession(row: SessionRow): Session {
  return { id: row.id, title: row.title, description: row.description, date: row.date, createdAt: row.created_at };
}

export function toQuestion(row: QuestionRow): Question {
  return { id: row.id, sessionId: row.session_id, text: row.text, position: row.position, createdAt: row.created_at };
}

export function toProposal(row: ProposalRow, all: readonly ProposalRow[], forModerator: boolean): Proposal {
  const proposal: Proposal = {
    id: row.id,
    questionId: row.question_id,
    title: row.title,
    body: row.body,
    status: row.status,
    createdAt: row.created_at,
    mergedFrom: all.filter((p) => p.merged_into === row.id).map((p) => ({ id: p.id, title: p.title })),
    mergedInto: row.merged_into,
  };
  if (forModerator) {
    proposal.hiddenReason = row.hidden_reason;
    proposal.authorId = row.author_id;
  }
  return proposal;
}
