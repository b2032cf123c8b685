import { insertAtNextPosition } from '../store/next-position';
import type { Executor } from '../store/store';
import type { ProposalRow, ProposalsTable, QuestionRow, QuestionsTable, SessionRow, SessionsTable } from '../store/schema';
import type { Insertable, Updateable } from 'kysely';

export async function insertSession(db: Executor, row: Insertable<SessionsTable>): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export async function listSessions(db: Executor): Promise<(SessionRow & { question_count: number })[]> {
  const rows = await db
    .selectFrom('sessions')
    .selectAll('sessions')
    .select((eb) =>
      eb.selectFrom('questions').whereRef('questions.session_id', '=', 'sessions.id').select(eb.fn.countAll<number>().as('n')).as('question_count'),
    )
    .orderBy('date', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, question_count: Number(r.question_count ?? 0) }));
}

export async function findSession(db: Executor, id: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts a question at a position given by the caller (a seed's own order). */
export async function insertQuestion(db: Executor, row: Insertable<QuestionsTable>): Promise<void> {
  await db.insertInto('questions').values(row).execute();
}

/**
 * Inserts a question after the session's last one; answers its position. The
 * position is unique per session by the database's rule: a question added by
 * someone else between the read and the insert takes it, and we take the next.
 */
export function appendQuestion(db: Executor, row: Omit<Insertable<QuestionsTable>, 'position'>): Promise<number> {
  return insertAtNextPosition(
    `a question of session ${row.session_id}`,
    async () => (await db.selectFrom('questions').select((eb) => eb.fn.max('position').as('p')).where('session_id', '=', row.session_id).executeTakeFirst())?.p,
    async (position) => {
      const inserted = await db
        .insertInto('questions')
        .values({ ...row, position })
        .onConflict((oc) => oc.columns(['session_id', 'position']).doNothing())
        .executeTakeFirst();
      return inserted.numInsertedOrUpdatedRows === 1n;
    },
  );
}

export async function findQuestion(db: Executor, id: string): Promise<QuestionRow | undefined> {
  return db.selectFrom('questions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listQuestions(db: Executor, sessionId: string): Promise<QuestionRow[]> {
  return db.selectFrom('questions').selectAll().where('session_id', '=', sessionId).orderBy('position').execute();
}

export async function insertProposal(db: Executor, row: Insertable<ProposalsTable>): Promise<void> {
  await db.insertInto('proposals').values(row).execute();
}

export async function findProposal(db: Executor, id: string): Promise<ProposalRow | undefined> {
  return db.selectFrom('proposals').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listProposalsOfQuestions(db: Executor, questionIds: readonly string[]): Promise<ProposalRow[]> {
  if (questionIds.length === 0) return [];
  return db
    .selectFrom('proposals')
    .select(['id', 'question_id', 'author_id', 'title', 'body', 'status', 'hidden_reason', 'merged_into', 'changed_by', 'changed_at', 'created_at'])
    .where('question_id', 'in', questionIds)
    .orderBy('created_at')
    // Insertion order breaks ties, so proposals made in one go keep their order.
    .orderBy('seq')
    .execute();
}

export async function updateProposal(db: Executor, id: string, update: Updateable<ProposalsTable>): Promise<void> {
  await db.updateTable('proposals').set(update).where('id', '=', id).execute();
}

/** Re-points proposals that were merged into `from` so every duplicate lands on the final one. */
export async function repointMerged(db: Executor, from: string, to: string): Promise<void> {
  await db.updateTable('proposals').set({ merged_into: to }).where('merged_into', '=', from).execute();
}
