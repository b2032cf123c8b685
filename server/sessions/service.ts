import type { Result } from '../../shared/result';
import { ok } from '../../shared/result';
import { recordAudit, type ActionContext } from '../audit/audit';
import type { Store } from '../store/store';
import type { Round } from '../rounds/model';
import { failure, type Failure } from '../failure';
import { newId } from '../ids';
import { toProposal, toQuestion, toSession, type Proposal, type Question, type Session } from './model';
import * as repo from './repository';
import type { SessionDetail } from '../../shared/api/sessions';

// The API's shape is the contract's (shared/api/sessions.ts).
export type { SessionDetail } from '../../shared/api/sessions';

export class SessionService {
  constructor(
    private readonly store: Store,
    private readonly roundsOf: (questionIds: readonly string[]) => Promise<Round[]>,
  ) {}

  async list(): Promise<(Session & { questionCount: number })[]> {
    return (await repo.listSessions(this.store.db)).map((r) => ({ ...toSession(r), questionCount: r.question_count }));
  }

  /** The public sees visible proposals (duplicates folded in); moderators see every proposal with its record. */
  async detail(id: string, forModerator: boolean): Promise<SessionDetail | undefined> {
    const session = await repo.findSession(this.store.db, id);
    if (session === undefined) return undefined;
    const questions = await repo.listQuestions(this.store.db, id);
    const proposals = await repo.listProposalsOfQuestions(
      this.store.db,
      questions.map((q) => q.id),
    );
    const rounds = (await this.roundsOf(questions.map((q) => q.id))).filter((r) => forModerator || r.status !== 'draft');
    return {
      ...toSession(session),
      questions: questions.map((q) => {
        const own = proposals.filter((p) => p.question_id === q.id);
        const shown = forModerator ? own : own.filter((p) => p.status === 'visible');
        return {
          ...toQuestion(q),
          proposals: shown.map((p) => toProposal(p, own, forModerator)),
          rounds: rounds.filter((r) => r.questionId === q.id),
        };
      }),
    };
  }

  async create(ctx: ActionContext, input: { title: string; description?: string | undefined; date?: string | undefined }): Promise<Result<Session, Failure>> {
    return this.store.transaction(async (trx) => {
      const id = newId();
      const row = {
        id,
        title: input.title,
        description: input.description ?? '',
        date: input.date ?? null,
        created_by: ctx.actorId,
        created_at: ctx.at,
      };
      await repo.insertSession(trx, row);
      await recordAudit(trx, ctx, { action: 'session.create', targetType: 'session', targetId: id });
      return ok(toSession(row));
    });
  }

  async addQuestion(ctx: ActionContext, sessionId: string, text: string): Promise<Result<Question, Failure>> {
    return this.store.transaction(async (trx) => {
      if ((await repo.findSession(trx, sessionId)) === undefined) return failure('not_found', 'no such session');
      const id = newId();
      const row = { id, session_id: sessionId, text, created_by: ctx.actorId, created_at: ctx.at };
      const position = await repo.appendQuestion(trx, row);
      await recordAudit(trx, ctx, { action: 'question.create', targetType: 'question', targetId: id, detail: { sessionId } });
      return ok(toQuestion({ ...row, position }));
    });
  }

  async propose(ctx: ActionContext, questionId: string, input: { title: string; body?: string | undefined }): Promise<Result<Proposal, Failure>> {
    return this.store.transaction(async (trx) => {
      if ((await repo.findQuestion(trx, questionId)) === undefined) return failure('not_found', 'no such question');
      const id = newId();
      const row = {
        id,
        question_id: questionId,
        author_id: ctx.actorId,
        title: input.title,
        body: input.body ?? '',
        status: 'visible' as const,
        hidden_reason: null,
        merged_into: null,
        changed_by: null,
        changed_at: null,
        created_at: ctx.at,
      };
      await repo.insertProposal(trx, row);
      await recordAudit(trx, ctx, { action: 'proposal.create', targetType: 'proposal', targetId: id, detail: { questionId } });
      return ok(toProposal(row, [row], false));
    });
  }

  async hide(ctx: ActionContext, proposalId: string, reason: string): Promise<Result<Proposal, Failure>> {
    return this.store.transaction(async (trx) => {
      const row = await repo.findProposal(trx, proposalId);
      if (row === undefined) return failure('not_found', 'no such proposal');
      if (row.status !== 'visible') return failure('conflict', `this proposal is ${row.status} already`);
      const update = { status: 'hidden' as const, hidden_reason: reason, changed_by: ctx.actorId, changed_at: ctx.at };
      await repo.updateProposal(trx, proposalId, update);
      await recordAudit(trx, ctx, { action: 'proposal.hide', targetType: 'proposal', targetId: proposalId, detail: { reason } });
      return ok(toProposal({ ...row, ...update }, [], true));
    });
  }

  /** Folds a duplicate into another visible proposal of the same question; the duplicate records where it went. */
  async merge(ctx: ActionContext, proposalId: string, intoId: string): Promise<Result<Proposal, Failure>> {
    return this.store.transaction(async (trx) => {
      const row = await repo.findProposal(trx, proposalId);
      if (row === undefined) return failure('not_found', 'no such proposal');
      if (intoId === proposalId) return failure('invalid_input', 'a proposal cannot be merged into itself', 'into');
      const into = await repo.findProposal(trx, intoId);
      if (into === undefined) return failure('not_found', 'no proposal to merge into', 'into');
      if (into.question_id !== row.question_id) {
        return failure('invalid_input', 'both proposals must answer the same question', 'into');
      }
      if (row.status !== 'visible') return failure('conflict', `this proposal is ${row.status} already`);
      if (into.status !== 'visible') return failure('conflict', `the proposal to merge into is ${into.status}`, 'into');
      const update = { status: 'merged' as const, merged_into: intoId, changed_by: ctx.actorId, changed_at: ctx.at };
      await repo.updateProposal(trx, proposalId, update);
      await repo.repointMerged(trx, proposalId, intoId);
      await recordAudit(trx, ctx, { action: 'proposal.merge', targetType: 'proposal', targetId: proposalId, detail: { into: intoId } });
      return ok(toProposal({ ...row, ...update }, [], true));
    });
  }
}
