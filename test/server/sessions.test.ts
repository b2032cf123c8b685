import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestApp, type TestApp } from '../helpers/app';
import type { ErrorBody, LoginBody } from '../helpers/client';

interface ProposalBody {
  id: string;
  title: string;
  body: string;
  status: string;
  mergedInto: string | null;
  mergedFrom: { id: string; title: string }[];
  hiddenReason?: string | null;
}
interface SessionDetail {
  session: { id: string; title: string; date: string | null; questions: { id: string; text: string; proposals: ProposalBody[] }[] };
}

let t: TestApp;
let admin: LoginBody;
let member: LoginBody;

beforeAll(async () => {
  t = await startTestApp({ loadDemoData: false });
  admin = await t.api.login(ADMIN.email, ADMIN.password);
  member = await t.api.activeMember(admin.accessToken, 'lid@example.org');
});
afterAll(async () => {
  await t.stop();
});

async function newQuestion(): Promise<{ sessionId: string; questionId: string }> {
  const s = await t.api.post<{ session: { id: string } }>('/api/sessions', { title: 'Sessie', date: '2026-11-23' }, admin.accessToken);
  const q = await t.api.post<{ question: { id: string } }>(`/api/sessions/${s.body.session.id}/questions`, { text: 'Vraag?' }, admin.accessToken);
  return { sessionId: s.body.session.id, questionId: q.body.question.id };
}

async function propose(questionId: string, title: string): Promise<string> {
  const res = await t.api.post<{ proposal: { id: string } }>(`/api/questions/${questionId}/proposals`, { title, body: `${title}, uitgelegd` }, member.accessToken);
  expect(res.status).toBe(201);
  return res.body.proposal.id;
}

describe('sessions, questions, proposals', () => {
  it('creates a session with questions and proposals, readable by anyone', async () => {
    const s = await t.api.post<{ session: { id: string; title: string; description: string; date: string } }>(
      '/api/sessions',
      { title: 'Platform Vernieuwen', description: 'Vier vragen', date: '2022-11-25' },
      admin.accessToken,
    );
    expect(s.status).toBe(201);
    expect(s.body.session).toMatchObject({ title: 'Platform Vernieuwen', description: 'Vier vragen', date: '2022-11-25' });
    const q1 = await t.api.post<{ question: { id: string; position: number } }>(`/api/sessions/${s.body.session.id}/questions`, { text: 'Eerste vraag?' }, admin.accessToken);
    const q2 = await t.api.post<{ question: { id: string; position: number } }>(`/api/sessions/${s.body.session.id}/questions`, { text: 'Tweede vraag?' }, admin.accessToken);
    expect([q1.body.question.position, q2.body.question.position]).toEqual([1, 2]);
    await propose(q1.body.question.id, 'Voorstel A');

    const list = await t.api.get<{ sessions: { id: string; questionCount: number }[] }>('/api/sessions');
    expect(list.body.sessions).toContainEqual(expect.objectContaining({ id: s.body.session.id, questionCount: 2 }));
    const detail = await t.api.get<SessionDetail>(`/api/sessions/${s.body.session.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.session.questions.map((q) => q.text)).toEqual(['Eerste vraag?', 'Tweede vraag?']);
    expect(detail.body.session.questions[0]?.proposals.map((p) => p.title)).toEqual(['Voorstel A']);
    expect(detail.body.session.questions[0]?.proposals[0]).not.toHaveProperty('authorId');
  });

  it('answers 404 for unknown sessions and questions, 400 for bad input', async () => {
    expect((await t.api.get<ErrorBody>('/api/sessions/unknown')).body.error.code).toBe('not_found');
    expect((await t.api.post('/api/sessions/unknown/questions', { text: 'X' }, admin.accessToken)).status).toBe(404);
    expect((await t.api.post('/api/questions/unknown/proposals', { title: 'X' }, member.accessToken)).status).toBe(404);
    const badDate = await t.api.post<ErrorBody>('/api/sessions', { title: 'X', date: '25-11-2022' }, admin.accessToken);
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.field).toBe('date');
    expect((await t.api.post('/api/sessions', { title: 'X' })).status).toBe(401);
    const { questionId } = await newQuestion();
    expect((await t.api.post(`/api/questions/${questionId}/proposals`, { title: 'X' })).status).toBe(401);
  });

  it('hides a proposal from the public but keeps it, with its reason, for moderators', async () => {
    const { sessionId, questionId } = await newQuestion();
    const keep = await propose(questionId, 'Blijft');
    const spam = await propose(questionId, 'Reclame');
    expect((await t.api.post(`/api/proposals/${spam}/hide`, { reason: 'reclame' }, member.accessToken)).status).toBe(403);
    const missingReason = await t.api.post<ErrorBody>(`/api/proposals/${spam}/hide`, {}, admin.accessToken);
    expect(missingReason.status).toBe(400);
    expect(missingReason.body.error.field).toBe('reason');
    const hidden = await t.api.post<{ proposal: ProposalBody }>(`/api/proposals/${spam}/hide`, { reason: 'reclame' }, admin.accessToken);
    expect(hidden.status).toBe(200);
    expect(hidden.body.proposal).toMatchObject({ status: 'hidden', hiddenReason: 'reclame' });
    expect((await t.api.post(`/api/proposals/${spam}/hide`, { reason: 'again' }, admin.accessToken)).status).toBe(409);

    const publicView = await t.api.get<SessionDetail>(`/api/sessions/${sessionId}`);
    expect(publicView.body.session.questions[0]?.proposals.map((p) => p.id)).toEqual([keep]);
    const modView = await t.api.get<SessionDetail>(`/api/sessions/${sessionId}`, admin.accessToken);
    expect(modView.body.session.questions[0]?.proposals.find((p) => p.id === spam)).toMatchObject({ status: 'hidden', hiddenReason: 'reclame' });
  });

  it('merges duplicates: the duplicate records where it went and the target lists it', async () => {
    const { sessionId, questionId } = await newQuestion();
    const a = await propose(questionId, 'Rechtstreeks stemmen');
    const b = await propose(questionId, 'Direct stemmen');
    const c = await propose(questionId, 'Zelf stemmen');
    const merged = await t.api.post<{ proposal: ProposalBody }>(`/api/proposals/${b}/merge`, { into: a }, admin.accessToken);
    expect(merged.status).toBe(200);
    expect(merged.body.proposal).toMatchObject({ id: b, status: 'merged', mergedInto: a });
    // Merging the target onward carries its duplicates along.
    expect((await t.api.post(`/api/proposals/${a}/merge`, { into: c }, admin.accessToken)).status).toBe(200);
    const view = await t.api.get<SessionDetail>(`/api/sessions/${sessionId}`);
    const proposals = view.body.session.questions[0]?.proposals ?? [];
    expect(proposals.map((p) => p.id)).toEqual([c]);
    expect(proposals[0]?.mergedFrom.map((p) => p.id).sort()).toEqual([a, b].sort());

    expect((await t.api.post<ErrorBody>(`/api/proposals/${c}/merge`, { into: c }, admin.accessToken)).status).toBe(400);
    expect((await t.api.post<ErrorBody>(`/api/proposals/${b}/merge`, { into: c }, admin.accessToken)).status).toBe(409);
    expect((await t.api.post<ErrorBody>(`/api/proposals/${c}/merge`, { into: 'nothere' }, admin.accessToken)).status).toBe(404);
    const other = await newQuestion();
    const elsewhere = await propose(other.questionId, 'Elders');
    const cross = await t.api.post<ErrorBody>(`/api/proposals/${c}/merge`, { into: elsewhere }, admin.accessToken);
    expect(cross.status).toBe(400);
    expect(cross.body.error.field).toBe('into');

    const audit = await t.api.get<{ events: { action: string; detail: { into?: string } }[] }>(`/api/audit?target=${b}`, admin.accessToken);
    expect(audit.body.events[0]).toMatchObject({ action: 'proposal.merge', detail: { into: a } });
  });

  it('stores hostile and unicode text verbatim and shows it back as text', async () => {
    const { sessionId, questionId } = await newQuestion();
    const titles = ["'; DROP TABLE proposals; --", '<img src=x onerror=alert(1)>', 'Zorg & welzijn: “€ 5” — 👩🏽‍⚕️ 中文 العربية', 'Robert"); --'];
    for (const title of titles) await propose(questionId, title);
    const view = await t.api.get<SessionDetail>(`/api/sessions/${sessionId}`);
    expect(view.body.session.questions[0]?.proposals.map((p) => p.title)).toEqual(titles);
  });
});

describe('audit log', () => {
  it('records every state change with actor, action, target, time and outcome', async () => {
    const { sessionId, questionId } = await newQuestion();
    const p = await propose(questionId, 'Audit me');
    await t.api.post(`/api/proposals/${p}/hide`, { reason: 'test' }, admin.accessToken);
    const res = await t.api.get<{ events: { action: string; actorId: string; target: { type: string; id: string }; at: string; outcome: string }[] }>(
      '/api/audit?limit=500',
      admin.accessToken,
    );
    const find = (action: string, id: string) => res.body.events.find((e) => e.action === action && e.target.id === id);
    expect(find('session.create', sessionId)).toMatchObject({ actorId: admin.member.id, outcome: 'ok', target: { type: 'session' } });
    expect(find('question.create', questionId)).toMatchObject({ actorId: admin.member.id });
    expect(find('proposal.create', p)).toMatchObject({ actorId: member.member.id });
    expect(find('proposal.hide', p)?.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const page = await t.api.get<{ events: { seq: number }[]; next: number | null }>('/api/audit?limit=2', admin.accessToken);
    expect(page.body.events).toHaveLength(2);
    const next = await t.api.get<{ events: { seq: number }[] }>(`/api/audit?limit=2&before=${page.body.next ?? 0}`, admin.accessToken);
    expect(next.body.events[0]?.seq).toBeLessThan(page.body.events[1]?.seq ?? 0);
    expect((await t.api.get('/api/audit?limit=abc', admin.accessToken)).status).toBe(400);
  });
});
