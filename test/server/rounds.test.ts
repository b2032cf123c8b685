import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { listBoard } from '../../server/rounds/repository';
import { verifyBundle } from '../../shared/protocol/verify';
import { verifyStatement } from '../../shared/protocol/signing';
import { ADMIN, startTestApp, type TestApp } from '../helpers/app';
import type { ErrorBody, LoginBody } from '../helpers/client';
import { Voter, type RoundInfo } from '../helpers/voter';

let t: TestApp;
let admin: LoginBody;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.api.login(ADMIN.email, ADMIN.password);
});
afterAll(async () => {
  await t.stop();
});

/** This file holds protocol 1 (named rounds: device keys, voters on the board); secret rounds are secret-rounds.test.ts's. */
async function createRound(body: Record<string, unknown>): Promise<string> {
  const res = await t.api.post<{ round: { id: string } }>('/api/rounds', { secret: false, ...body }, admin.accessToken);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.round.id;
}

async function openRound(id: string): Promise<RoundInfo> {
  const res = await t.api.post(`/api/rounds/${id}/open`, undefined, admin.accessToken);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (await t.api.get<RoundInfo>(`/api/rounds/${id}`)).body;
}

describe('a Community Model Canvas round, end to end', () => {
  it('picks the top three of a question, publishes a bundle that verifies', async () => {
    const sessions = await t.api.get<{ sessions: { id: string }[] }>('/api/sessions');
    const session = await t.api.get<{ session: { questions: { id: string; proposals: { id: string; title: string }[] }[] } }>(
      `/api/sessions/${sessions.body.sessions[0]?.id ?? ''}`,
    );
    const question = session.body.session.questions[0];
    if (question === undefined) throw new Error('demo session has no question');
    const voters = await Promise.all(['a', 'b', 'c', 'd'].map((x) => Voter.create(t.api, admin.accessToken, `canvas-${x}@example.org`)));

    const id = await createRound({ title: 'Top 3: doel', questionId: question.id });
    const draft = await t.api.get<{ round: { method: string; seats: number; options: { id: string }[]; status: string } }>(
      `/api/rounds/${id}`,
      admin.accessToken,
    );
    expect(draft.body.round).toMatchObject({ method: 'approval', seats: 3, status: 'draft' });
    expect(draft.body.round.options.map((o) => o.id)).toEqual(question.proposals.map((p) => p.id));
    expect((await t.api.get(`/api/rounds/${id}`)).status).toBe(404); // drafts are for moderators

    const info = await openRound(id);
    expect(info.definition.options.map((o) => o.label)).toEqual(question.proposals.map((p) => p.title));
    const [p1, p2, p3] = question.proposals.map((p) => p.id);
    const receipts = [];
    for (const [i, v] of voters.entries()) {
      const choice = { approve: i < 3 ? [p1, p2] : [p3] };
      const res = await v.cast(info, choice);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.receipt.seq).toBe(i + 1);
      expect(verifyStatement(nodeCrypto, 'receipt', res.body.receipt, res.body.receiptSig, t.app.instance.publicKeyB64)).toBe(true);
      receipts.push(res.body);
    }
    const live = await t.api.get<{ turnout: { voters: number; ballots: number }; tally: { totals: Record<string, number>; counted: number } }>(`/api/rounds/${id}`);
    expect(live.body.turnout).toMatchObject({ voters: 4, ballots: 4 });
    expect(live.body.tally).toMatchObject({ counted: 4, totals: { [p1 ?? '']: 3, [p2 ?? '']: 3, [p3 ?? '']: 1 } });

    expect((await t.api.get(`/api/rounds/${id}/board`)).status).toBe(401);
    expect((await t.api.get(`/api/rounds/${id}/board`, voters[0]?.login.accessToken)).status).toBe(200);
    expect((await t.api.get(`/api/rounds/${id}/bundle`)).status).toBe(403);
    expect((await t.api.post(`/api/rounds/${id}/publish`, undefined, admin.accessToken)).status).toBe(409);

    expect((await t.api.post(`/api/rounds/${id}/close`, undefined, admin.accessToken)).status).toBe(200);
    const late = await voters[0]?.cast(info, { approve: [p3] });
    expect(late?.status).toBe(409);
    expect(late?.body.error?.code).toBe('round_not_open');
    expect((await t.api.get(`/api/rounds/${id}/board`)).status).toBe(200);

    const pub = await t.api.post<{ round: { status: string } }>(`/api/rounds/${id}/publish`, undefined, admin.accessToken);
    expect(pub.status, JSON.stringify(pub.body)).toBe(200);
    const bundleRes = await t.api.get<unknown>(`/api/rounds/${id}/bundle`);
    expect(bundleRes.status).toBe(200);
    const report = verifyBundle(bundleRes.body, nodeCrypto, { receipt: receipts[1] });
    expect(report.ok, JSON.stringify(report.checks.filter((c) => !c.ok))).toBe(true);
    const published = await t.api.get<{ outcome: { result: { winners: string[] }; counted: number } }>(`/api/rounds/${id}`);
    expect(published.body.outcome.counted).toBe(4);
    expect([...published.body.outcome.result.winners].sort()).toEqual([p1, p2, p3].sort());
    expect(published.body.outcome.result.winners[2]).toBe(p3);

    const sessionAfter = await t.api.get<{ session: { questions: { rounds: { id: string; status: string }[] }[] } }>(
      `/api/sessions/${sessions.body.sessions[0]?.id ?? ''}`,
    );
    expect(sessionAfter.body.session.questions[0]?.rounds).toContainEqual(expect.objectContaining({ id, status: 'published' }));
    const audit = await t.api.get<{ events: { action: string }[] }>(`/api/audit?target=${id}`, admin.accessToken);
    expect(audit.body.events.map((e) => e.action)).toEqual(['round.publish', 'round.close', 'round.open', 'round.create']);
  });
});

describe('ballot checks, in order, each with its own code', () => {
  let info: RoundInfo;
  let voter: Voter;
  let other: Voter;

  beforeAll(async () => {
    voter = await Voter.create(t.api, admin.accessToken, 'checks@example.org');
    other = await Voter.create(t.api, admin.accessToken, 'checks-other@example.org');
    const id = await createRound({ title: 'Peiling', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }], revote: false });
    info = await openRound(id);
  });

  async function expectRefused(body: unknown, status: number, code: string, token: string | null = voter.login.accessToken) {
    const res = await t.api.post<ErrorBody>(`/api/rounds/${info.round.id}/ballots`, body, token ?? undefined);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(code);
  }

  it('refuses each kind of bad ballot and writes nothing', async () => {
    const good = voter.ballot(info, { pick: 'o1' });
    await expectRefused({ ballot: good }, 400, 'invalid_ballot');
    await expectRefused({ ballot: { ...good, extra: 1 }, sig: voter.sign(good) }, 400, 'invalid_ballot');
    const wrongChoice = voter.ballot(info, { pick: 'o9' });
    await expectRefused({ ballot: wrongChoice, sig: voter.sign(wrongChoice) }, 400, 'invalid_choice');
    const wrongInstance = voter.ballot(info, { pick: 'o1' }, { instance: 'another' });
    await expectRefused({ ballot: wrongInstance, sig: voter.sign(wrongInstance) }, 400, 'wrong_instance');
    const wrongRound = voter.ballot(info, { pick: 'o1' }, { round: 'another' });
    await expectRefused({ ballot: wrongRound, sig: voter.sign(wrongRound) }, 400, 'wrong_round');
    const wrongDef = voter.ballot(info, { pick: 'o1' }, { definition: info.definitionHash.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) });
    await expectRefused({ ballot: wrongDef, sig: voter.sign(wrongDef) }, 409, 'wrong_definition');
    // Another member's key, signed by that member: not registered under this voter.
    const foreign = other.ballot(info, { pick: 'o1' });
    await expectRefused({ ballot: foreign, sig: other.sign(foreign) }, 403, 'key_not_registered');
    await expectRefused({ ballot: good, sig: other.sign(good) }, 400, 'bad_signature');
    const old = voter.ballot(info, { pick: 'o1' }, { castAt: new Date(Date.now() - 10 * 60_000).toISOString() });
    await expectRefused({ ballot: old, sig: voter.sign(old) }, 400, 'cast_at_out_of_window');
    await expectRefused({ ballot: good, sig: voter.sign(good) }, 401, 'unauthenticated', null);
    const board = await t.api.get<{ entries: number }>(`/api/rounds/${info.round.id}/board`, voter.login.accessToken);
    expect(board.body.entries).toBe(0);

    const ok = await t.api.post(`/api/rounds/${info.round.id}/ballots`, { ballot: good, sig: voter.sign(good) }, voter.login.accessToken);
    expect(ok.status).toBe(201);
    await expectRefused({ ballot: good, sig: voter.sign(good) }, 409, 'nonce_reused');
    const second = voter.ballot(info, { pick: 'o2' });
    await expectRefused({ ballot: second, sig: voter.sign(second) }, 409, 'already_voted');
  });

  it('answers transport errors on the ballot route as on every other route, and writes nothing', async () => {
    const path = `/api/rounds/${info.round.id}/ballots`;
    const token = voter.login.accessToken;
    const good = voter.ballot(info, { pick: 'o1' });
    const text = JSON.stringify({ ballot: good, sig: voter.sign(good) });
    const entries = async () => (await t.api.get<{ entries: number }>(`/api/rounds/${info.round.id}/board`, token)).body.entries;
    const before = await entries();
    const cases: { options: Parameters<typeof t.api.request>[2]; status: number; code: string }[] = [
      { options: { rawBody: '{"ballot":', token }, status: 400, code: 'invalid_json' },
      { options: { rawBody: text, contentType: 'text/plain', token }, status: 415, code: 'unsupported_media_type' },
      { options: { rawBody: text, contentType: 'application/json; charset=latin1', token }, status: 415, code: 'unsupported_media_type' },
      { options: { rawBody: JSON.stringify({ pad: 'x'.repeat(70_000) }), token }, status: 413, code: 'payload_too_large' },
      { options: { rawBody: JSON.stringify({ ballot: good, sig: voter.sign(good), pad: 'x'.repeat(20_000) }), token }, status: 413, code: 'ballot_too_large' },
      { options: { token }, status: 400, code: 'invalid_ballot' },
      { options: { rawBody: text }, status: 401, code: 'unauthenticated' },
      { options: { rawBody: text, headers: { authorization: 'Basic abc' } }, status: 401, code: 'invalid_token' },
      { options: { rawBody: text, token: 'not.a.jwt' }, status: 401, code: 'invalid_token' },
    ];
    for (const c of cases) {
      const res = await t.api.request<ErrorBody>('POST', path, c.options);
      expect(res.status, JSON.stringify(res.body)).toBe(c.status);
      expect(res.body.error.code).toBe(c.code);
    }
    for (const id of ['x'.repeat(65), '%E0%A4%A', 'no-such-round']) {
      const res = await t.api.request<ErrorBody>('POST', `/api/rounds/${id}/ballots`, { rawBody: text, token });
      expect([400, 404], id).toContain(res.status);
    }
    expect(await entries()).toBe(before);
  });

  it('sends the same security headers and request id on ballot answers as on every other answer', async () => {
    const good = voter.ballot(info, { pick: 'o1' }, { castAt: new Date(Date.now() - 3_600_000).toISOString() });
    const ballot = await t.api.request('POST', `/api/rounds/${info.round.id}/ballots/`, {
      body: { ballot: good, sig: voter.sign(good) },
      token: voter.login.accessToken,
      headers: { 'x-request-id': 'ballot-trace-1' },
    });
    expect(ballot.status).toBe(400); // castAt an hour ago: refused, but by the ballot route (trailing slash and all)
    expect(ballot.headers.get('x-request-id')).toBe('ballot-trace-1');
    const other = await t.api.get('/api/health');
    for (const name of ['content-security-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'cross-origin-opener-policy']) {
      expect(other.headers.get(name), name).not.toBeNull();
      expect(ballot.headers.get(name), name).toBe(other.headers.get(name));
    }
    expect(ballot.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await t.api.request('POST', `/api/rounds/${info.round.id}/ballots`, { body: {}, token: voter.login.accessToken })).headers.get('x-request-id')).toMatch(
      /^[0-9a-f-]{36}$/,
    );
    expect((await t.api.get<ErrorBody>(`/api/rounds/${info.round.id}/ballots`)).status).toBe(404);
  });

  it('keeps members who joined after opening out of the round', async () => {
    const late = await Voter.create(t.api, admin.accessToken, 'late@example.org');
    const b = late.ballot(info, { pick: 'o1' });
    await expectRefused({ ballot: b, sig: late.sign(b) }, 403, 'not_in_electorate', late.login.accessToken);
  });

  it('takes a key added while the round is open into the register', async () => {
    const login = await t.api.activeMember(admin.accessToken, 'keyless@example.org');
    const id = await createRound({ title: 'Sleutel later', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }] });
    const round = await openRound(id);
    const v = new Voter(t.api, login);
    const refused = await v.cast(round, { pick: 'o1' });
    expect(refused.status).toBe(403);
    expect((await t.api.post('/api/me/keys', { publicKey: v.publicKey }, login.accessToken)).status).toBe(201);
    expect((await v.cast(round, { pick: 'o1' })).status).toBe(201);
    const register = await t.api.get<{ register: { voter: string; keys: string[] }[] }>(`/api/rounds/${id}/register`, login.accessToken);
    expect(register.body.register.some((e) => e.keys.includes(v.publicKey))).toBe(true);
  });
});

describe('one person, one vote under concurrency', () => {
  it('keeps exactly one of 50 simultaneous ballots without revote, and counts only the latest with revote', async () => {
    const v = await Voter.create(t.api, admin.accessToken, 'burst@example.org');
    const noRevote = await openRound(await createRound({ title: 'Eén keer', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }], revote: false }));
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => v.cast(noRevote, { pick: i % 2 === 0 ? 'o1' : 'o2' })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error?.code === 'already_voted')).toBe(true);
    const board = await t.api.get<{ entries: number }>(`/api/rounds/${noRevote.round.id}/board`, v.login.accessToken);
    expect(board.body.entries).toBe(1);

    const revote = await openRound(await createRound({ title: 'Mag opnieuw', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }], revote: true }));
    const all = await Promise.all(Array.from({ length: 50 }, (_, i) => v.cast(revote, { pick: i === 49 ? 'o2' : 'o1' })));
    expect(all.every((r) => r.status === 201)).toBe(true);
    const last = all.reduce((a, b) => (b.body.receipt.seq > a.body.receipt.seq ? b : a));
    const view = await t.api.get<{ turnout: { voters: number; ballots: number }; tally: { leading: string[]; totals: Record<string, number> } }>(`/api/rounds/${revote.round.id}`);
    expect(view.body.turnout).toMatchObject({ voters: 1, ballots: 50 });
    // The ballot with the highest seq is the one that counts, in the live tally and in the count.
    const lastPick = all.indexOf(last) === 49 ? 'o2' : 'o1';
    expect(view.body.tally.leading).toEqual([lastPick]);
    expect(view.body.tally.totals).toEqual({ o1: lastPick === 'o1' ? 1 : 0, o2: lastPick === 'o2' ? 1 : 0 });
    await t.api.post(`/api/rounds/${revote.round.id}/close`, undefined, admin.accessToken);
    const closed = await t.api.get<{ tally: { winners: string[] } }>(`/api/rounds/${revote.round.id}`);
    expect(closed.body.tally.winners).toEqual([lastPick]);
  });
});

describe('closing by the clock', () => {
  it('closes a round at closesAt with no traffic, and records that the clock closed it', async () => {
    const closesAt = new Date(Date.now() + 1_500).toISOString();
    const id = await createRound({ title: 'Snel', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }], closesAt });
    await openRound(id);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    const view = await t.api.get<{ round: { status: string; closedAt: string } }>(`/api/rounds/${id}`);
    expect(view.body.round).toMatchObject({ status: 'closed', closedAt: closesAt });
    const audit = await t.api.get<{ events: { action: string; actorId: string | null; detail: { by: string } }[] }>(`/api/audit?target=${id}`, admin.accessToken);
    expect(audit.body.events[0]).toMatchObject({ action: 'round.close', actorId: null, detail: { by: 'clock' } });
  });

  it('closes at start a round whose closing time passed while the server was down', async () => {
    const other = await startTestApp({ loadDemoData: false });
    const token = (await other.api.login(ADMIN.email, ADMIN.password)).accessToken;
    const closesAt = new Date(Date.now() + 1_000).toISOString();
    const created = await other.api.post<{ round: { id: string } }>(
      '/api/rounds',
      { title: 'Over tijd', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }], closesAt },
      token,
    );
    const id = created.body.round.id;
    expect((await other.api.post(`/api/rounds/${id}/open`, undefined, token)).status).toBe(200);
    const timers = other.app.rounds;
    await timers.stop(); // the server goes down before the clock fires
    await other.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const again = await startTestApp({ dataDir: other.dataDir, loadDemoData: false });
    try {
      const view = await again.api.get<{ round: { status: string; closedAt: string } }>(`/api/rounds/${id}`);
      expect(view.body.round).toMatchObject({ status: 'closed', closedAt: closesAt });
    } finally {
      await again.stop();
    }
  });

  it('refuses a closing time in the past', async () => {
    const res = await t.api.post<ErrorBody>(
      '/api/rounds',
      { title: 'Te laat', method: 'plurality', options: [{ label: 'A' }], closesAt: '2020-01-01T00:00:00.000Z' },
      admin.accessToken,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('closesAt');
  });
});

describe('sealed rounds', () => {
  it('show turnout but no tally and no board until they close', async () => {
    const v = await Voter.create(t.api, admin.accessToken, 'sealed@example.org');
    const info = await openRound(await createRound({ title: 'Geheim', method: 'yesno', sealed: true, rules: { quorum: { kind: 'absolute', count: 1 } } }));
    expect((await v.cast(info, { answer: 'yes' })).status).toBe(201);
    const open = await t.api.get<{ turnout: { voters: number }; tally?: unknown }>(`/api/rounds/${info.round.id}`, admin.accessToken);
    expect(open.body.turnout.voters).toBe(1);
    expect(open.body.tally).toBeUndefined();
    const board = await t.api.get<ErrorBody>(`/api/rounds/${info.round.id}/board`, v.login.accessToken);
    expect(board.status).toBe(403);
    await t.api.post(`/api/rounds/${info.round.id}/close`, undefined, admin.accessToken);
    const closed = await t.api.get<{ tally: { method: string; passed: boolean } }>(`/api/rounds/${info.round.id}`);
    expect(closed.body.tally).toMatchObject({ method: 'yesno', passed: true });
    expect((await t.api.get(`/api/rounds/${info.round.id}/board`)).status).toBe(200);
  });
});

describe('who reads a round\'s register and board', () => {
  it('lets the electorate and moderators read an open round, refuses pending members and outsiders with 403, and hides drafts with 404', async () => {
    const inside = await Voter.create(t.api, admin.accessToken, 'reader-inside@example.org');
    const reg = await t.api.post('/api/auth/register', { email: 'reader-pending@example.org', name: 'Wacht', password: 'member-password-1' });
    expect(reg.status).toBe(201);
    const pending = await t.api.login('reader-pending@example.org', 'member-password-1');
    expect(pending.member.status).toBe('pending');

    const draft = await createRound({ title: 'Lezers', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }] });
    for (const token of [undefined, pending.accessToken, inside.login.accessToken]) {
      for (const part of ['board', 'register']) {
        const res = await t.api.get<ErrorBody>(`/api/rounds/${draft}/${part}`, token);
        expect(res.status, `${part} ${JSON.stringify(res.body)}`).toBe(404);
        expect(res.body.error.code).toBe('not_found');
      }
    }
    expect((await t.api.get<ErrorBody>(`/api/rounds/${draft}/board`, admin.accessToken)).body.error.code).toBe('round_not_open');

    const info = await openRound(draft);
    const outside = await Voter.create(t.api, admin.accessToken, 'reader-outside@example.org');
    expect((await inside.cast(info, { pick: 'o1' })).status).toBe(201);
    const expectations: [string | undefined, number, string | null][] = [
      [undefined, 401, 'unauthenticated'],
      [pending.accessToken, 403, 'account_pending'],
      [outside.login.accessToken, 403, 'not_in_electorate'],
      [inside.login.accessToken, 200, null],
      [admin.accessToken, 200, null],
    ];
    for (const [token, status, code] of expectations) {
      for (const part of ['board', 'register']) {
        const res = await t.api.get<ErrorBody>(`/api/rounds/${info.round.id}/${part}`, token);
        expect(res.status, `${part} ${JSON.stringify(res.body)}`).toBe(status);
        if (code !== null) expect(res.body.error.code).toBe(code);
      }
    }

    // Closed: the board is public (api.md); the register still is the electorate's until it is published in the bundle.
    expect((await t.api.post(`/api/rounds/${info.round.id}/close`, undefined, admin.accessToken)).status).toBe(200);
    expect((await t.api.get(`/api/rounds/${info.round.id}/board`)).status).toBe(200);
    expect((await t.api.get(`/api/rounds/${info.round.id}/board`, pending.accessToken)).status).toBe(200);
    expect((await t.api.get<ErrorBody>(`/api/rounds/${info.round.id}/register`, pending.accessToken)).status).toBe(403);
    expect((await t.api.get<ErrorBody>(`/api/rounds/${info.round.id}/register`, outside.login.accessToken)).status).toBe(403);
    expect((await t.api.get(`/api/rounds/${info.round.id}/register`, inside.login.accessToken)).status).toBe(200);
    expect((await t.api.post(`/api/rounds/${info.round.id}/publish`, undefined, admin.accessToken)).status).toBe(200);
    expect((await t.api.get(`/api/rounds/${info.round.id}/register`)).status).toBe(200);
  });
});

describe('a closed round is counted once', () => {
  it('counts once however many anonymous reads arrive at once, keeps health answering, and publishes that same count', async () => {
    const voters = await Promise.all(['a', 'b', 'c'].map((x) => Voter.create(t.api, admin.accessToken, `once-${x}@example.org`)));
    const info = await openRound(await createRound({ title: 'Eén telling', method: 'schulze', options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }] }));
    for (const [i, v] of voters.entries()) expect((await v.cast(info, { ranking: i === 2 ? ['o2', 'o1', 'o3'] : ['o1', 'o2', 'o3'] })).status).toBe(201);
    const counted: string[] = [];
    t.app.rounds.on({ counted: (roundId) => counted.push(roundId) });
    expect((await t.api.post(`/api/rounds/${info.round.id}/close`, undefined, admin.accessToken)).status).toBe(200);

    const reads = Array.from({ length: 50 }, () => t.api.get<{ tally: { winners: string[] }; turnout: { voters: number; ballots: number } }>(`/api/rounds/${info.round.id}`));
    const health = t.api.get<{ status: string }>('/api/health');
    const answers = await Promise.all(reads);
    expect((await health).status).toBe(200);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body.tally.winners).toEqual(['o1']);
      expect(a.body.turnout).toMatchObject({ voters: 3, ballots: 3 });
    }
    expect(counted.filter((id) => id === info.round.id)).toHaveLength(1);

    expect((await t.api.post(`/api/rounds/${info.round.id}/publish`, undefined, admin.accessToken)).status).toBe(200);
    const published = await t.api.get<{ outcome: { counted: number; result: { winners: string[] } }; turnout: { voters: number; ballots: number } }>(`/api/rounds/${info.round.id}`);
    expect(published.body.outcome).toMatchObject({ counted: 3, result: { winners: ['o1'] } });
    expect(published.body.turnout).toMatchObject({ voters: 3, ballots: 3 });
    expect(counted.filter((id) => id === info.round.id)).toHaveLength(1);
  });
});

describe('the board is streamed', () => {
  /** The board exactly as it was built in memory before it was streamed (docs/protocol.md "Board"). */
  async function boardAsBuilt(roundId: string, status: string, head: string): Promise<string> {
    const entries = await listBoard(t.app.store.db, roundId);
    const parts = entries.map(
      (e) => `{"seq":${e.seq},"voter":${JSON.stringify(e.voter)},"ballot":${e.ballot},"sig":"${e.sig}","leaf":"${e.leaf}","head":"${e.head}"}`,
    );
    return `{"round":${JSON.stringify(roundId)},"status":"${status}","entries":${entries.length},"head":"${head}","board":[${parts.join(',')}]}`;
  }

  it('sends the same bytes as before, chunked rather than built whole, while open and once closed', async () => {
    const voters = await Promise.all(['a', 'b', 'c'].map((x) => Voter.create(t.api, admin.accessToken, `stream-${x}@example.org`)));
    const info = await openRound(await createRound({ title: 'Stroom', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }] }));
    const empty = await fetch(`${t.url}/api/rounds/${info.round.id}/board`, { headers: { authorization: `Bearer ${voters[0]?.login.accessToken ?? ''}` } });
    const emptyHead = (await t.api.get<{ head: string }>(`/api/rounds/${info.round.id}`)).body.head;
    expect(await empty.text()).toBe(await boardAsBuilt(info.round.id, 'open', emptyHead));
    for (const [i, v] of voters.entries()) expect((await v.cast(info, { pick: i === 0 ? 'o2' : 'o1' })).status).toBe(201);
    expect((await voters[0]?.cast(info, { pick: 'o1' }))?.status).toBe(201);

    const open = await fetch(`${t.url}/api/rounds/${info.round.id}/board`, { headers: { authorization: `Bearer ${voters[0]?.login.accessToken ?? ''}` } });
    const openHead = (await t.api.get<{ head: string }>(`/api/rounds/${info.round.id}`)).body.head;
    expect(open.status).toBe(200);
    expect(open.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(open.headers.get('content-length')).toBeNull();
    expect(open.headers.get('transfer-encoding')).toBe('chunked');
    expect(await open.text()).toBe(await boardAsBuilt(info.round.id, 'open', openHead));

    expect((await t.api.post(`/api/rounds/${info.round.id}/close`, undefined, admin.accessToken)).status).toBe(200);
    const closed = await fetch(`${t.url}/api/rounds/${info.round.id}/board`);
    expect(closed.headers.get('content-length')).toBeNull();
    const text = await closed.text();
    expect(text).toBe(await boardAsBuilt(info.round.id, 'closed', openHead));
    expect((JSON.parse(text) as { entries: number }).entries).toBe(4);
    // Read in pages of one entry, the pieces still make the same text.
    const paged = await t.app.rounds.board(info.round.id, undefined, 1);
    if (!paged.ok) throw new Error(paged.error.message);
    const pieces: string[] = [];
    for await (const piece of paged.value) pieces.push(piece);
    expect(pieces.length).toBeGreaterThan(4);
    expect(pieces.join('')).toBe(text);
  });
});

describe('round definitions', () => {
  it('validates method, rules and options with the failing field named', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ title: 'X', method: 'dictator', options: [{ label: 'A' }] }, 'method'],
      [{ title: 'X', method: 'plurality' }, 'options'],
      [{ title: 'X', method: 'cumulative', options: [{ label: 'A' }] }, 'rules.budget'],
      [{ title: 'X', method: 'score', options: [{ label: 'A' }], rules: { min: 5, max: 1 } }, 'rules'],
      [{ title: 'X', method: 'stv', options: [{ label: 'A' }], rules: { variant: 'irish' } }, 'rules.variant'],
      [{ title: 'X', method: 'plurality', options: [{ id: 'a', label: 'A' }, { id: 'a', label: 'B' }] }, 'options'],
      [{ title: 'X', method: 'yesno', options: [{ label: 'A' }] }, 'options'],
      [{ title: 'X', questionId: 'nosuchquestion' }, 'questionId'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api.post<ErrorBody>('/api/rounds', body, admin.accessToken);
      expect(res.status, JSON.stringify(body)).toBe(field === 'questionId' ? 404 : 400);
      expect(res.body.error.field, JSON.stringify(res.body)).toMatch(new RegExp(`^${field.replace('.', '\\.')}`));
    }
  });

  it('refuses at creation what open would refuse, naming the field, so that open never answers 500', async () => {
    const session = await t.api.post<{ session: { id: string } }>('/api/sessions', { title: 'Twee voorstellen' }, admin.accessToken);
    const question = await t.api.post<{ question: { id: string } }>(`/api/sessions/${session.body.session.id}/questions`, { text: 'Wat?' }, admin.accessToken);
    const questionId = question.body.question.id;
    const proposals = [];
    for (const title of ['Eerste', 'Tweede']) {
      const p = await t.api.post<{ proposal: { id: string } }>(`/api/questions/${questionId}/proposals`, { title }, admin.accessToken);
      expect(p.status, JSON.stringify(p.body)).toBe(201);
      proposals.push(p.body.proposal.id);
    }
    // The default of 3 seats for a question's round does not fit 2 proposals.
    const tooMany = await t.api.post<ErrorBody>('/api/rounds', { title: 'Top 3', questionId }, admin.accessToken);
    expect(tooMany.status, JSON.stringify(tooMany.body)).toBe(400);
    expect(tooMany.body.error).toMatchObject({ code: 'invalid_input', field: 'seats' });
    const seatsOverOptions = await t.api.post<ErrorBody>('/api/rounds', { title: 'X', method: 'approval', seats: 3, options: [{ label: 'A' }, { label: 'B' }] }, admin.accessToken);
    expect(seatsOverOptions.status).toBe(400);
    expect(seatsOverOptions.body.error).toMatchObject({ code: 'invalid_input', field: 'seats' });
    const given = await t.api.post<ErrorBody>('/api/rounds', { title: 'X', method: 'plurality', options: [{ id: 'a', label: 'A' }, { id: 'a', label: 'B' }] }, admin.accessToken);
    expect(given.body.error).toMatchObject({ code: 'invalid_input', field: 'options.1.id' });

    // A round that fits is created, and opens; hiding a proposal meanwhile makes open refuse with a code, not fail.
    const fits = await createRound({ title: 'Top 2', questionId, seats: 2 });
    const hidden = await t.api.post(`/api/proposals/${proposals[1] ?? ''}/hide`, { reason: 'dubbel' }, admin.accessToken);
    expect(hidden.status, JSON.stringify(hidden.body)).toBe(200);
    const open = await t.api.post<ErrorBody>(`/api/rounds/${fits}/open`, undefined, admin.accessToken);
    expect(open.status, JSON.stringify(open.body)).toBe(409);
    expect(open.body.error).toMatchObject({ code: 'conflict', field: 'seats' });
  });

  it('gives options without an id ids that cannot collide with the ids given', async () => {
    const id = await createRound({ title: 'Ids', method: 'plurality', options: [{ label: 'A' }, { id: 'o1', label: 'B' }, { label: 'C' }] });
    const info = await openRound(id);
    const ids = info.definition.options.map((o) => o.id);
    expect(new Set(ids).size).toBe(3);
    expect(ids[1]).toBe('o1');
    expect(info.definition.options.map((o) => o.label)).toEqual(['A', 'B', 'C']);
  });

  it('signs the definition at open; its hash is the SHA-256 of its canonical JSON', async () => {
    const { definitionHash: hashOf } = await import('../../shared/protocol/board');
    const info = await openRound(await createRound({ title: 'Hash', method: 'schulze', options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }] }));
    const view = await t.api.get<{ definition: Parameters<typeof hashOf>[0]; definitionHash: string; definitionSig: string }>(`/api/rounds/${info.round.id}`);
    expect(hashOf(view.body.definition, nodeCrypto)).toBe(view.body.definitionHash);
    expect(verifyStatement(nodeCrypto, 'definition', view.body.definition, view.body.definitionSig, t.app.instance.publicKeyB64)).toBe(true);
  });
});
