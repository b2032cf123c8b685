import fs from 'node:fs';
import { z } from 'zod';
import { ok } from '../../shared/result';
import { recordAudit, type ActionContext } from '../audit/audit';
import type { Store } from '../store/store';
import { newId } from '../ids';
import { insertProposal, insertQuestion, insertSession } from '../sessions/repository';

const demoSchema = z.object({
  name: z.string().min(1),
  source: z.string(),
  session: z.object({ title: z.string().min(1), date: z.iso.date(), description: z.string() }),
  questions: z.array(
    z.object({
      text: z.string().min(1),
      proposals: z.array(z.object({ title: z.string().min(1), body: z.string() })),
    }),
  ),
});

/** The demo session's title and date, by which the demo votes find it. */
export async function demoSessionOf(file: string): Promise<{ title: string; date: string }> {
  const seed = demoSchema.parse(JSON.parse(await fs.promises.readFile(file, 'utf8')));
  return { title: seed.session.title, date: seed.session.date };
}

/**
 * Loads a session from a seed file once: the seed's name is recorded in the
 * same transaction, under its primary key, so a second start (or a crash
 * half-way) never duplicates it.
 */
export async function loadSeedOnce(store: Store, file: string, ctx: ActionContext): Promise<'loaded' | 'present'> {
  const seed = demoSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const result = await store.transaction(async (trx) => {
    // The seed's row goes in first and its primary key decides: a start that
    // finds it taken (by an earlier start, or a process starting alongside)
    // loads nothing.
    const claimed = await trx.insertInto('seeds').values({ name: seed.name, applied_at: ctx.at }).onConflict((oc) => oc.column('name').doNothing()).executeTakeFirst();
    if (claimed.numInsertedOrUpdatedRows === 0n) return ok('present' as const);
    const sessionId = newId();
    await insertSession(trx, {
      id: sessionId,
      title: seed.session.title,
      description: seed.session.description,
      date: seed.session.date,
      created_by: null,
      created_at: ctx.at,
    });
    let position = 0;
    for (const q of seed.questions) {
      const questionId = newId();
      position += 1;
      await insertQuestion(trx, { id: questionId, session_id: sessionId, text: q.text, position, created_by: null, created_at: ctx.at });
      for (const p of q.proposals) {
        await insertProposal(trx, {
          id: newId(),
          question_id: questionId,
          author_id: null,
          title: p.title,
          body: p.body,
          status: 'visible',
          hidden_reason: null,
          merged_into: null,
          changed_by: null,
          changed_at: null,
          created_at: ctx.at,
        });
      }
    }
    await recordAudit(trx, ctx, { action: 'seed.demo', targetType: 'session', targetId: sessionId, detail: { seed: seed.name, source: seed.source } });
    return ok('loaded' as const);
  });
  if (!result.ok) throw new Error('seed failed');
  return result.value;
}
