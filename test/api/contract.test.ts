/**
 * The contract (shared/api) against the real app: each route called through
 * the test client's `ok`, which parses every success with the route's
 * response schema under its key, and every refusal with api.md's error body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, pathOf, queryString, type RouteDef } from '../../shared/api/index';
import nacl from 'tweetnacl';
import { finishCredential, prepareCredential } from '../../shared/protocol/credential';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { signStatement } from '../../shared/protocol/signing';
import { isSecretDefinition } from '../../shared/protocol/types';
import { ADMIN, startTestApp, type TestApp } from '../helpers/app';
import type { LoginBody } from '../helpers/client';

describe('the route table', () => {
  it('names each method and path once, every path under /api but the instance document', () => {
    const routes: RouteDef[] = Object.values(ROUTES);
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of routes) expect(r.path.startsWith('/api/') || r.path === '/.well-known/stemkring.json').toBe(true);
  });

  it('fills path params and queries', () => {
    expect(pathOf(ROUTES.openRound, { id: 'r1' })).toBe('/api/rounds/r1/open');
    expect(pathOf(ROUTES.revokeKey, { publicKey: 'a/b' })).toBe('/api/me/keys/a%2Fb');
    expect(queryString({ limit: 50, before: undefined, action: 'key.add' })).toBe('?limit=50&action=key.add');
    expect(queryString({})).toBe('');
  });
});

describe('the app answers as the contract says', () => {
  let t: TestApp;
  let admin: LoginBody;

  beforeAll(async () => {
    t = await startTestApp({ loadDemoData: false });
    admin = await t.api.login(ADMIN.email, ADMIN.password);
  });
  afterAll(async () => {
    await t.stop();
  });

  it('members and keys', async () => {
    const token = admin.accessToken;
    const me = await t.api.ok('me', { token });
    expect(me.member.email).toBe(ADMIN.email);
    const { member } = await t.api.ok('register', { body: { email: 'c@example.org', name: 'C', password: 'member-password-1' } });
    expect(member.status).toBe('pending');
    const pending = await t.api.ok('members', { query: { status: 'pending' }, token });
    expect(pending.members.map((m) => m.id)).toContain(member.id);
    await t.api.ok('approve', { params: { id: member.id }, token });
    await t.api.ok('setRole', { params: { id: member.id }, body: { role: 'moderator' }, token });
    await t.api.ok('suspend', { params: { id: member.id }, body: { reason: 'test' }, token });
    await t.api.ok('reinstate', { params: { id: member.id }, token });
    const invites = await t.api.ok('invites', { body: { count: 2 }, token });
    expect(invites.codes).toHaveLength(2);
    const tokens = await t.api.ok('login', { body: { email: 'c@example.org', password: 'member-password-1' } });
    const again = await t.api.ok('refresh', { body: { refreshToken: tokens.refreshToken } });
    expect(await t.api.ok('logout', { body: { refreshToken: again.refreshToken } })).toBeNull();
    const refused = await t.api.call('approve', { params: { id: member.id }, token: again.accessToken });
    expect(refused.status).toBe(401);
    await t.api.ok('audit', { query: { limit: 5 }, token });
    await t.api.ok('health');
    await t.api.ok('instance');
  });

  it('sessions and rounds, from draft to published', async () => {
    const token = admin.accessToken;
    const { session } = await t.api.ok('createSession', { body: { title: 'Sessie', date: '2026-11-23' }, token });
    const { question } = await t.api.ok('addQuestion', { params: { id: session.id }, body: { text: 'Vraag?' }, token });
    const a = await t.api.ok('propose', { params: { id: question.id }, body: { title: 'A' }, token });
    const b = await t.api.ok('propose', { params: { id: question.id }, body: { title: 'B' }, token });
    const c = await t.api.ok('propose', { params: { id: question.id }, body: { title: 'C' }, token });
    await t.api.ok('hide', { params: { id: c.proposal.id }, body: { reason: 'off topic' }, token });
    await t.api.ok('merge', { params: { id: b.proposal.id }, body: { into: a.proposal.id }, token });
    expect((await t.api.ok('sessions')).sessions.map((s) => s.id)).toContain(session.id);
    await t.api.ok('session', { params: { id: session.id }, token });

    const { round } = await t.api.ok('createRound', { body: { title: 'Stemming', method: 'plurality', options: [{ label: 'Ja' }, { label: 'Nee' }] }, token });
    const { id } = round;
    await t.api.ok('rounds', { query: { status: 'draft' }, token });
    await t.api.ok('openRound', { params: { id }, token });
    const opened = await t.api.ok('round', { params: { id }, token });
    // Secret by default: the credential signed in, then the ballot without a token.
    const definition = opened.definition;
    if (definition === undefined || !isSecretDefinition(definition)) throw new Error('a new round is secret by default');
    const prepared = prepareCredential(nacl.randomBytes(32), id, definition.issuer);
    if (!prepared.ok) throw new Error(prepared.error);
    const { blindSignature } = await t.api.ok('requestCredential', { params: { id }, body: { blindedMessage: prepared.value.blindedMessage }, token });
    const credential = finishCredential(prepared.value, blindSignature);
    if (!credential.ok) throw new Error(credential.error);
    const ballot = {
      instance: definition.instance,
      round: id,
      definition: opened.definitionHash ?? '',
      key: prepared.value.roundKey,
      credential: credential.value,
      choice: { pick: definition.options[0]?.id ?? '' },
      nonce: encodeBase64Url(nacl.randomBytes(16)),
      castAt: new Date().toISOString(),
    };
    const cast = await t.api.ok('castBallot', { params: { id }, body: { ballot, sig: signStatement('ballot', ballot, prepared.value.roundKeys.secretKey) } });
    expect(cast.receipt.seq).toBe(1);
    await t.api.ok('roundRegister', { params: { id }, token });
    await t.api.ok('roundBoard', { params: { id }, token });
    await t.api.ok('closeRound', { params: { id }, token });
    await t.api.ok('publishRound', { params: { id }, token });
    const view = await t.api.ok('round', { params: { id } });
    expect(view.round.status).toBe('published');
    const bundle = await t.api.ok('roundBundle', { params: { id } });
    expect(bundle.outcome.round).toBe(id);
  });
});
