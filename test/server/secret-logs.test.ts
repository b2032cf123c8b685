/**
 * The log lines of the credential route and of the ballot route hold no
 * address, no user agent and no member: a line saying who asked for a
 * credential, or who sent a ballot, could be laid beside the board.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestApp, type TestApp } from '../helpers/app';
import type { LoginBody } from '../helpers/client';
import { capturedLogger } from '../helpers/log-capture';
import { Voter, type RoundInfo } from '../helpers/voter';

const AGENT = 'StemkringTestAgent/9.9 (leaks-if-logged)';

let t: TestApp;
let admin: LoginBody;
const capture = capturedLogger();

beforeAll(async () => {
  t = await startTestApp({ loadDemoData: false, logger: capture.logger });
  admin = await t.api.login(ADMIN.email, ADMIN.password);
});
afterAll(async () => {
  await t.stop();
});

describe('the request log of a secret round', () => {
  it('names no address, no user agent and no member for /credential and /ballots', async () => {
    const v = await Voter.create(t.api, admin.accessToken, 'logged@example.org');
    const created = await t.api.post<{ round: { id: string } }>('/api/rounds', { title: 'Log', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }] }, admin.accessToken);
    const id = created.body.round.id;
    expect((await t.api.post(`/api/rounds/${id}/open`, undefined, admin.accessToken)).status).toBe(200);
    const info = (await t.api.get<RoundInfo>(`/api/rounds/${id}`)).body;
    const prepared = v.prepare(info);
    const first = capture.lines.length;

    const asked = await t.api.request('POST', `/api/rounds/${id}/credential`, {
      body: { blindedMessage: prepared.blindedMessage },
      token: v.login.accessToken,
      headers: { 'user-agent': AGENT, 'x-forwarded-for': '203.0.113.7' },
    });
    expect(asked.status).toBe(200);
    // And a refused one: its warn line must say no more.
    const refused = await t.api.request('POST', `/api/rounds/${id}/credential`, { body: { blindedMessage: 'x' }, token: v.login.accessToken, headers: { 'user-agent': AGENT } });
    expect(refused.status).toBe(400);
    await v.credential(info);
    const ballot = v.ballot(info, { pick: 'o1' });
    const cast = await t.api.request('POST', `/api/rounds/${id}/ballots`, {
      body: { ballot, sig: v.sign(ballot) },
      // Sent anyway: the server ignores it, and must not log it either.
      token: v.login.accessToken,
      headers: { 'user-agent': AGENT, 'x-forwarded-for': '203.0.113.7' },
    });
    expect(cast.status).toBe(201);
    const bad = await t.api.request('POST', `/api/rounds/${id}/ballots`, { body: { ballot: { ...ballot, nonce: 'x' }, sig: v.sign(ballot) }, headers: { 'user-agent': AGENT } });
    expect(bad.status).toBe(400);

    const lines = capture.lines.slice(first).map((l) => JSON.parse(l) as Record<string, unknown>);
    const ofRoutes = lines.filter((l) => /\/(credential|ballots)$/.test(String((l['req'] as { url?: unknown } | undefined)?.url)));
    expect(ofRoutes.length).toBeGreaterThanOrEqual(4);
    for (const line of ofRoutes) {
      expect(Object.keys(line['req'] as object).sort()).toEqual(['id', 'method', 'url']);
      expect(Object.keys(line['res'] as object)).toEqual(['statusCode']);
    }
    const text = capture.lines.slice(first).join('\n');
    for (const secret of [AGENT, '203.0.113.7', '127.0.0.1', '::1', v.login.member.id, 'logged@example.org', v.login.accessToken, 'remoteAddress', 'user-agent', 'authorization']) {
      expect(text, secret).not.toContain(secret);
    }
  });
});
