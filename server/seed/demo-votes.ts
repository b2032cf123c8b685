import { randomBytes } from 'node:crypto';
import { finishCredential, prepareCredential } from '../../shared/protocol/credential';
import { signedBallot } from '../../shared/protocol/signed-ballot';
import { isSecretDefinition } from '../../shared/protocol/types';
import type { ActionContext } from '../audit/audit';
import { recordAudit } from '../audit/audit';
import { hashPassword } from '../auth/password';
import { newId } from '../ids';
import { toMember, type Member } from '../members/member';
import { insertMember } from '../members/repository';
import type { RoundService } from '../rounds/service';
import { listProposalsOfQuestions, listQuestions } from '../sessions/repository';
import type { Store } from '../store/store';

/**
 * The demo session's four question rounds, voted and published at first
 * start, so that a newcomer sees outcome pages at once and anyone can download
 * a bundle and verify it. Everything goes through the product's own code
 * path, the one the browser's requests take: each round is created for its
 * question and opened as a secret round (its own issuing key), each demo
 * member's device asks for its credential with a blinded request and casts a
 * ballot signed with its round key and carrying the credential, then the
 * round is closed and published (a protocol-2 bundle).
 *
 * The demo members are the session's participants as the article counts
 * them, not people: accounts no one can sign in to (a random password that
 * is thrown away), suspended once they have voted so that they are not in
 * the electorate of any round made later.
 */

export const DEMO_VOTES_SEED = 'demo-votes-2022-11-25';
const PARTICIPANTS = 15;
/** How many participants approve a question's first, second and third answer: all three are chosen, in an order. */
const APPROVALS = [12, 9, 7] as const;

export interface DemoSession {
  readonly title: string;
  readonly date: string;
}

/**
 * Votes the demo rounds once. The seed's row is claimed in the transaction
 * that makes the participants, under its primary key, so a second start (or
 * a process starting alongside) does nothing. A start that stops half-way
 * leaves the rounds it got to as they are (open or closed), for a moderator
 * to see; it does not vote them again.
 */
export async function voteDemoRoundsOnce(
  store: Store,
  rounds: RoundService,
  session: DemoSession,
  ctx: ActionContext,
  now: () => Date,
): Promise<'voted' | 'present' | 'no_session'> {
  const found = await store.db.selectFrom('sessions').select('id').where('title', '=', session.title).where('date', '=', session.date).executeTakeFirst();
  if (found === undefined) return 'no_session';
  const questions = await listQuestions(store.db, found.id);
  const passwordHash = await hashPassword(randomBytes(32).toString('base64url'));

  const claimed = await store.transaction(async (trx) => {
    const claim = await trx.insertInto('seeds').values({ name: DEMO_VOTES_SEED, applied_at: ctx.at }).onConflict((oc) => oc.column('name').doNothing()).executeTakeFirst();
    if (claim.numInsertedOrUpdatedRows === 0n) return { ok: true as const, value: [] as Member[] };
    const participants: Member[] = [];
    for (let i = 1; i <= PARTICIPANTS; i += 1) {
      const row = {
        id: newId(),
        email: `deelnemer-${String(i).padStart(2, '0')}@demo.stemkring.invalid`,
        name: `Deelnemer ${i} (demo)`,
        password_hash: passwordHash,
        role: 'member' as const,
        status: 'active' as const,
        created_at: ctx.at,
        approved_at: ctx.at,
        approved_by: null,
      };
      if (!(await insertMember(trx, row))) throw new Error(`demo participant ${row.email} exists already`);
      participants.push(toMember(row));
    }
    return { ok: true as const, value: participants };
  });
  if (!claimed.ok || claimed.value.length === 0) return 'present';
  const participants = claimed.value;

  const proposals = await listProposalsOfQuestions(
    store.db,
    questions.map((q) => q.id),
  );
  for (const [q, question] of questions.entries()) {
    const answers = proposals.filter((p) => p.question_id === question.id && p.status === 'visible').map((p) => p.id);
    // The round is titled with its question (at most 191 characters in the seed; a title may have 300).
    await voteOneRound(rounds, ctx, now, question.id, `Top 3: ${question.text}`.slice(0, 300), answers, participants, q);
  }
  for (const member of participants) {
    await store.db.updateTable('members').set({ status: 'suspended' }).where('id', '=', member.id).execute();
  }
  await recordAudit(store.db, ctx, { action: 'seed.demo', targetType: 'session', targetId: found.id, detail: { seed: DEMO_VOTES_SEED, rounds: questions.length, participants: PARTICIPANTS } });
  return 'voted';
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }, what: string): T {
  if (!result.ok) throw new Error(`demo votes: ${what} failed: ${result.error.code}: ${result.error.message}`);
  return result.value;
}

async function voteOneRound(
  rounds: RoundService,
  ctx: ActionContext,
  now: () => Date,
  questionId: string, title: string, answers: readonly string[], participants: readonly Member[], q: number): Promise<void> {
  const created = unwrap(await rounds.create(ctx, { title, questionId, method: 'approval', seats: 3, secret: true }), 'creating a round');
  unwrap(await rounds.open(ctx, created.id), 'opening a round');
  const view = unwrap(await rounds.view(created.id, undefined), 'reading the round');
  const { definition, definitionHash } = view;
  if (definition === undefined || definitionHash === undefined || !isSecretDefinition(definition)) throw new Error('demo votes: the round did not open as a secret round');

  for (const [i, member] of participants.entries()) {
    // A fresh device per participant and round: nothing of it is kept, as nothing of a real device is on the server.
    const deviceSeed = new Uint8Array(randomBytes(32));
    const prepared = prepareCredential(deviceSeed, definition.round, definition.issuer);
    if (!prepared.ok) throw new Error(`demo votes: preparing a credential failed: ${prepared.error}`);
    const answer = unwrap(await rounds.requestCredential(member, created.id, { blindedMessage: prepared.value.blindedMessage }), 'asking for a credential');
    const credential = finishCredential(prepared.value, answer.blindSignature);
    if (!credential.ok) throw new Error(`demo votes: the credential does not verify: ${credential.error}`);
    // Each question's answers get 12, 9 and 7 approvals (each count from a different run of participants), the most going to another answer per question.
    const approve = answers.filter((_, k) => (i + 5 * k) % participants.length < (APPROVALS[(k + q) % APPROVALS.length] ?? 0));
    const body = signedBallot({
      definition,
      definitionHash,
      choice: { approve },
      nonce: randomBytes(16).toString('base64url'),
      castAt: now().toISOString(),
      signer: { kind: 'round', pass: { roundKey: prepared.value.roundKey, credential: credential.value }, roundKeys: prepared.value.roundKeys },
    });
    unwrap(await rounds.castSecret(created.id, body, Buffer.byteLength(JSON.stringify(body))), 'casting a ballot');
  }
  unwrap(await rounds.close(ctx, created.id), 'closing a round');
  unwrap(await rounds.publish(ctx, created.id), 'publishing a round');
}
