/**
 * The demo data's rounds: at first start the demo session's four questions
 * each get a secret round, voted by demo participants through the credential
 * protocol, closed and published, so a newcomer sees outcomes and can verify
 * a bundle. Once only, and the participants are in no later electorate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCredentialCrypto } from '../../node/crypto/blind-rsa';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { verifyBundle } from '../../shared/protocol/verify';
import { ADMIN, freshDataDir, startTestApp, type TestApp } from '../helpers/app';

const dataDir = freshDataDir();
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ dataDir, demoVotes: true });
});
afterAll(async () => {
  await t.stop();
});

interface ListedRound {
  id: string;
  questionId: string | null;
  status: string;
  secret: boolean;
}

describe('the demo rounds', () => {
  it('are the demo session’s four question rounds, secret and published, each electing the question’s three answers', async () => {
    const rounds = (await t.api.get<{ rounds: ListedRound[] }>('/api/rounds')).body.rounds;
    expect(rounds).toHaveLength(4);
    const sessions = (await t.api.get<{ sessions: { id: string }[] }>('/api/sessions')).body.sessions;
    const { session } = (await t.api.get<{ session: { questions: { id: string; proposals: { id: string }[] }[] } }>(`/api/sessions/${sessions[0]?.id ?? ''}`)).body;
    for (const round of rounds) {
      expect(round).toMatchObject({ status: 'published', secret: true });
      const question = session.questions.find((q) => q.id === round.questionId);
      expect(question).toBeDefined();
      const bundle = (await t.api.get<Record<string, unknown>>(`/api/rounds/${round.id}/bundle`)).body;
      expect(bundle['protocol']).toBe(2);
      const report = verifyBundle(bundle, nodeCrypto, { credentials: nodeCredentialCrypto });
      expect(report.ok, JSON.stringify(report.checks.filter((c) => !c.ok))).toBe(true);
      const outcome = bundle['outcome'] as { counted: number; register: { issued: number }; result: { winners: string[]; approvals: Record<string, number> } };
      expect(outcome.counted).toBe(15);
      expect(outcome.register.issued).toBe(15);
      expect([...outcome.result.winners].sort()).toEqual((question?.proposals.map((p) => p.id) ?? []).sort());
      expect(Object.values(outcome.result.approvals).sort((a, b) => a - b)).toEqual([7, 9, 12]);
    }
  });

  it('leave the demo participants out of any later round’s electorate', async () => {
    const admin = await t.api.login(ADMIN.email, ADMIN.password);
    const created = await t.api.post<{ round: { id: string } }>('/api/rounds', { title: 'Later', method: 'plurality', options: [{ label: 'A' }] }, admin.accessToken);
    const opened = await t.api.post<{ round: { electorate: number } }>(`/api/rounds/${created.body.round.id}/open`, undefined, admin.accessToken);
    expect(opened.body.round.electorate).toBe(1);
  });

  it('are voted once: a second start finds them and votes nothing again', async () => {
    await t.stop();
    t = await startTestApp({ dataDir, demoVotes: true });
    const rounds = (await t.api.get<{ rounds: ListedRound[] }>('/api/rounds')).body.rounds;
    expect(rounds.filter((r) => r.questionId !== null)).toHaveLength(4);
  });
});
