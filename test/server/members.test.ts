import nacl from 'tweetnacl';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { buildApp, type App } from '../../server/app';
import { ADMIN, freshDataDir, startTestApp, testConfig, type TestApp } from '../helpers/app';
import { ApiClient, type ErrorBody, type LoginBody, type MemberBody } from '../helpers/client';

let t: TestApp;
let admin: LoginBody;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.api.login(ADMIN.email, ADMIN.password);
});
afterAll(async () => {
  await t.stop();
});

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

async function auditActions(target: string): Promise<string[]> {
  const res = await t.api.get<{ events: { action: string; outcome: string }[] }>(`/api/audit?target=${target}`, admin.accessToken);
  return res.body.events.map((e) => `${e.action}:${e.outcome}`);
}

describe('registration and approval', () => {
  it('registers a pending member who can sign in but not propose until approved', async () => {
    const reg = await t.api.post<{ member: MemberBody }>('/api/auth/register', {
      email: 'Anna@Example.org',
      name: 'Anna de Vries',
      password: 'anna-password',
    });
    expect(reg.status).toBe(201);
    expect(reg.body.member).toMatchObject({ email: 'anna@example.org', name: 'Anna de Vries', role: 'member', status: 'pending' });
    expect(Object.keys(reg.body.member).sort()).toEqual(['email', 'id', 'name', 'role', 'status']);

    const login = await t.api.login('anna@example.org', 'anna-password');
    const me = await t.api.get<{ member: MemberBody; keys: unknown[] }>('/api/me', login.accessToken);
    expect(me.status).toBe(200);
    expect(me.body.member.status).toBe('pending');

    const sessions = await t.api.get<{ sessions: { id: string }[] }>('/api/sessions');
    const detail = await t.api.get<{ session: { questions: { id: string }[] } }>(`/api/sessions/${sessions.body.sessions[0]?.id ?? ''}`);
    const questionId = detail.body.session.questions[0]?.id ?? '';
    const refused = await t.api.post<ErrorBody>(`/api/questions/${questionId}/proposals`, { title: 'Mijn voorstel' }, login.accessToken);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('account_pending');

    const pending = await t.api.get<{ members: MemberBody[] }>('/api/members?status=pending', admin.accessToken);
    expect(pending.body.members.map((m) => m.email)).toContain('anna@example.org');

    const approved = await t.api.post<{ member: MemberBody }>(`/api/members/${reg.body.member.id}/approve`, undefined, admin.accessToken);
    expect(approved.status).toBe(200);
    expect(approved.body.member.status).toBe('active');
    const again = await t.api.post<ErrorBody>(`/api/members/${reg.body.member.id}/approve`, undefined, admin.accessToken);
    expect(again.status).toBe(409);

    const proposed = await t.api.post(`/api/questions/${questionId}/proposals`, { title: 'Mijn voorstel' }, login.accessToken);
    expect(proposed.status).toBe(201);
    expect(await auditActions(reg.body.member.id)).toEqual(expect.arrayContaining(['member.register:ok', 'member.login:ok', 'member.approve:ok']));
  });

  it('refuses a second account with the same email, whatever its case', async () => {
    await t.api.post('/api/auth/register', { email: 'dup@example.org', name: 'Dup', password: 'dup-password' });
    const res = await t.api.post<ErrorBody>('/api/auth/register', { email: 'DUP@example.org', name: 'Dup 2', password: 'dup-password' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'email_taken', field: 'email' });
  });

  it('activates at once with a valid invite, and an invite works once', async () => {
    const invites = await t.api.post<{ codes: string[] }>('/api/invites', { count: 2 }, admin.accessToken);
    expect(invites.status).toBe(201);
    expect(invites.body.codes).toHaveLength(2);
    const code = invites.body.codes[0] ?? '';
    const reg = await t.api.post<{ member: MemberBody }>('/api/auth/register', {
      email: 'invited@example.org',
      name: 'Invited',
      password: 'invited-password',
      inviteCode: code,
    });
    expect(reg.status).toBe(201);
    expect(reg.body.member.status).toBe('active');
    const reuse = await t.api.post<ErrorBody>('/api/auth/register', {
      email: 'invited2@example.org',
      name: 'Invited 2',
      password: 'invited-password',
      inviteCode: code,
    });
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toMatchObject({ code: 'invalid_invite', field: 'inviteCode' });
    // Nothing was written for the refused registration.
    const retry = await t.api.post('/api/auth/register', { email: 'invited2@example.org', name: 'Invited 2', password: 'invited-password' });
    expect(retry.status).toBe(201);
  });

  it('validates registration input and names the field', async () => {
    const cases: [unknown, string][] = [
      [{ email: 'not-an-email', name: 'X', password: 'long-enough' }, 'email'],
      [{ email: 'short@example.org', name: 'X', password: 'short' }, 'password'],
      [{ email: 'blank@example.org', name: '   ', password: 'long-enough' }, 'name'],
      [{ email: 'long@example.org', name: 'x'.repeat(10_000), password: 'long-enough' }, 'name'],
      [{ email: 'types@example.org', name: 42, password: 'long-enough' }, 'name'],
      [{ email: 'extra@example.org', name: 'X', password: 'long-enough', role: 'admin' }, 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await t.api.post<ErrorBody>('/api/auth/register', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
      expect(res.body.error.field).toBe(field);
    }
  });
});

describe('sign-in and tokens', () => {
  it('refuses a wrong password and an unknown email alike', async () => {
    const wrong = await t.api.post<ErrorBody>('/api/auth/login', { email: ADMIN.email, password: 'wrong-password' });
    const unknown = await t.api.post<ErrorBody>('/api/auth/login', { email: 'nobody@example.org', password: 'wrong-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error).toEqual(unknown.body.error);
  });

  it('refuses requests without a token, with a bad token, and with an expired-looking token', async () => {
    expect((await t.api.get<ErrorBody>('/api/me')).body.error.code).toBe('unauthenticated');
    const bad = await t.api.get<ErrorBody>('/api/me', 'not.a.jwt');
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid_token');
    const tampered = admin.accessToken.slice(0, -2) + (admin.accessToken.endsWith('AA') ? 'BB' : 'AA');
    expect((await t.api.get('/api/me', tampered)).status).toBe(401);
  });

  it('lets a refresh token work once; reusing a spent one ends the whole chain', async () => {
    const m = await t.api.activeMember(admin.accessToken, 'refresh@example.org');
    const first = await t.api.post<LoginBody>('/api/auth/refresh', { refreshToken: m.refreshToken });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(m.refreshToken);
    const second = await t.api.post<LoginBody>('/api/auth/refresh', { refreshToken: first.body.refreshToken });
    expect(second.status).toBe(200);

    const replay = await t.api.post<ErrorBody>('/api/auth/refresh', { refreshToken: m.refreshToken });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('refresh_token_reused');
    // The newest token of that chain is revoked too, and so is its access token.
    const after = await t.api.post<ErrorBody>('/api/auth/refresh', { refreshToken: second.body.refreshToken });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('refresh_token_revoked');
    const access = await t.api.get<ErrorBody>('/api/me', second.body.accessToken);
    expect(access.status).toBe(401);
    expect(access.body.error.code).toBe('session_ended');
    // Another login of the same member is a separate chain and still works.
    const other = await t.api.login('refresh@example.org', 'member-password-1');
    expect((await t.api.post('/api/auth/refresh', { refreshToken: other.refreshToken })).status).toBe(200);
    expect(await auditActions(m.member.id)).toContain('auth.refresh_reuse:denied');

    const unknown = await t.api.post<ErrorBody>('/api/auth/refresh', { refreshToken: 'x'.repeat(43) });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('invalid_refresh_token');
  });
});

describe('roles and suspension', () => {
  it('keeps moderator routes from members', async () => {
    const m = await t.api.activeMember(admin.accessToken, 'plain@example.org');
    const token = m.accessToken;
    const checks: [string, string, unknown][] = [
      ['GET', '/api/members', undefined],
      ['POST', `/api/members/${m.member.id}/approve`, undefined],
      ['POST', `/api/members/${m.member.id}/role`, { role: 'admin' }],
      ['POST', '/api/invites', {}],
      ['POST', '/api/sessions', { title: 'X' }],
      ['GET', '/api/audit', undefined],
    ];
    for (const [method, path, body] of checks) {
      const res = await t.api.request<ErrorBody>(method, path, { token, ...(body === undefined ? {} : { body }) });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });

  it('lets only admins change roles, and never removes the last admin', async () => {
    const m = await t.api.activeMember(admin.accessToken, 'future-mod@example.org');
    const res = await t.api.post<{ member: MemberBody }>(`/api/members/${m.member.id}/role`, { role: 'moderator' }, admin.accessToken);
    expect(res.status).toBe(200);
    expect(res.body.member.role).toBe('moderator');
    const mod = await t.api.login('future-mod@example.org', 'member-password-1');
    expect((await t.api.get('/api/members', mod.accessToken)).status).toBe(200);
    expect((await t.api.post(`/api/members/${m.member.id}/role`, { role: 'admin' }, mod.accessToken)).status).toBe(403);
    const invalid = await t.api.post<ErrorBody>(`/api/members/${m.member.id}/role`, { role: 'king' }, admin.accessToken);
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.field).toBe('role');
    const last = await t.api.post<ErrorBody>(`/api/members/${admin.member.id}/role`, { role: 'member' }, admin.accessToken);
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('last_admin');
    expect((await t.api.post('/api/members/nosuchmember/role', { role: 'member' }, admin.accessToken)).status).toBe(404);
  });

  it('keeps a suspended member out: no sign-in, no token use, no refresh', async () => {
    const m = await t.api.activeMember(admin.accessToken, 'suspend-me@example.org');
    const susp = await t.api.post<{ member: MemberBody }>(`/api/members/${m.member.id}/suspend`, { reason: 'spam' }, admin.accessToken);
    expect(susp.status).toBe(200);
    expect(susp.body.member.status).toBe('suspended');
    const login = await t.api.post<ErrorBody>('/api/auth/login', { email: 'suspend-me@example.org', password: 'member-password-1' });
    expect(login.status).toBe(403);
    expect(login.body.error.code).toBe('account_suspended');
    expect((await t.api.get<ErrorBody>('/api/me', m.accessToken)).body.error.code).toBe('account_suspended');
    const refresh = await t.api.post<ErrorBody>('/api/auth/refresh', { refreshToken: m.refreshToken });
    expect(refresh.status).toBe(403);
    expect(refresh.body.error.code).toBe('account_suspended');
    expect(await auditActions(m.member.id)).toEqual(expect.arrayContaining(['member.suspend:ok', 'member.login:denied']));

    expect((await t.api.post(`/api/members/${m.member.id}/reinstate`, undefined, admin.accessToken)).status).toBe(200);
    expect((await t.api.post('/api/auth/login', { email: 'suspend-me@example.org', password: 'member-password-1' })).status).toBe(200);
  });
});

describe('token answers', () => {
  it('are never stored by a cache: login, refresh and their refusals carry Cache-Control: no-store', async () => {
    await t.api.activeMember(admin.accessToken, 'nostore@example.org');
    const login = await t.api.post<LoginBody>('/api/auth/login', { email: 'nostore@example.org', password: 'member-password-1' });
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    const refresh = await t.api.post<LoginBody>('/api/auth/refresh', { refreshToken: login.body.refreshToken });
    expect(refresh.status).toBe(200);
    expect(refresh.headers.get('cache-control')).toBe('no-store');
    const wrong = await t.api.post('/api/auth/login', { email: 'nostore@example.org', password: 'wrong-password' });
    expect(wrong.headers.get('cache-control')).toBe('no-store');
    const register = await t.api.post('/api/auth/register', { email: 'nostore2@example.org', name: 'N', password: 'member-password-1' });
    expect(register.headers.get('cache-control')).toBe('no-store');
  });
});

describe('device keys', () => {
  it('registers, lists and revokes an Ed25519 device key', async () => {
    const m = await t.api.activeMember(admin.accessToken, 'keys@example.org');
    const { publicKey } = nacl.sign.keyPair();
    const key = b64url(publicKey);
    const added = await t.api.post<{ key: { publicKey: string } }>('/api/me/keys', { publicKey: key }, m.accessToken);
    expect(added.status).toBe(201);
    expect(added.body.key.publicKey).toBe(key);
    const me = await t.api.get<{ keys: { publicKey: string; revokedAt: string | null }[] }>('/api/me', m.accessToken);
    expect(me.body.keys).toEqual([expect.objectContaining({ publicKey: key, revokedAt: null })]);

    const dup = await t.api.post<ErrorBody>('/api/me/keys', { publicKey: key }, m.accessToken);
    expect(dup.status).toBe(409);
    const other = await t.api.activeMember(admin.accessToken, 'keys2@example.org');
    expect((await t.api.post('/api/me/keys', { publicKey: key }, other.accessToken)).status).toBe(409);
    expect((await t.api.delete(`/api/me/keys/${key}`, other.accessToken)).status).toBe(404);

    const revoked = await t.api.delete<{ key: { revokedAt: string | null } }>(`/api/me/keys/${key}`, m.accessToken);
    expect(revoked.status).toBe(200);
    expect(revoked.body.key.revokedAt).not.toBeNull();
    expect((await t.api.delete(`/api/me/keys/${key}`, m.accessToken)).status).toBe(409);
    // Key events name the member, never the key (issue 13, item 7: the key is on the board).
    expect((await auditActions(m.member.id)).filter((a) => a.startsWith('key.'))).toEqual(['key.revoke:ok', 'key.add:ok']);
    expect(await auditActions(key)).toEqual([]);
  });

  it('refuses keys that are not 32-byte Ed25519 points', async () => {
    const m = await t.api.activeMember(admin.accessToken, 'badkeys@example.org');
    const bad = [
      'abc',
      b64url(new Uint8Array(31).fill(7)),
      b64url(new Uint8Array(33).fill(7)),
      Buffer.from(nacl.sign.keyPair().publicKey).toString('base64'),
      b64url(new Uint8Array(32).fill(255)), // y out of range
      b64url(Uint8Array.from([1, ...new Array<number>(31).fill(0)])), // the identity: small order
    ];
    for (const publicKey of bad) {
      const res = await t.api.post<ErrorBody>('/api/me/keys', { publicKey }, m.accessToken);
      expect(res.status, publicKey).toBe(400);
      expect(res.body.error.field).toBe('publicKey');
    }
    expect((await t.api.post('/api/me/keys', { publicKey: 5 }, m.accessToken)).status).toBe(400);
  });
});

describe('sign-out', () => {
  it('ends the login: its refresh chain and its access token stop working at once, other logins go on', async () => {
    const m = await t.api.activeMember(admin.accessToken, 'logout@example.org');
    const other = await t.api.login('logout@example.org', 'member-password-1');
    expect((await t.api.get('/api/me', m.accessToken)).status).toBe(200);
    const res = await t.api.post('/api/auth/logout', { refreshToken: m.refreshToken });
    expect(res.status).toBe(204);
    const refused = await t.api.post<ErrorBody>('/api/auth/refresh', { refreshToken: m.refreshToken });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('refresh_token_revoked');
    // The access token of that login ends with it: on HTTP, on the ballot endpoint and at a socket's handshake.
    const me = await t.api.get<ErrorBody>('/api/me', m.accessToken);
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('session_ended');
    const ballot = await t.api.post<ErrorBody>('/api/rounds/someround/ballots', {}, m.accessToken);
    expect(ballot.status).toBe(401);
    expect(ballot.body.error.code).toBe('session_ended');
    const s = connect(t.url, { transports: ['websocket'], auth: { token: m.accessToken }, reconnection: false });
    try {
      const error = await new Promise<{ message: string }>((resolve) => s.on('connect_error', resolve));
      expect(error.message).toBe('session_ended');
    } finally {
      s.close();
    }
    expect((await t.api.get('/api/me', other.accessToken)).status).toBe(200);
    expect((await t.api.post('/api/auth/refresh', { refreshToken: other.refreshToken })).status).toBe(200);
    expect((await t.api.post<ErrorBody>('/api/auth/logout', { refreshToken: 'unknown-token' })).status).toBe(401);
    expect(await auditActions(m.member.id)).toContain('auth.logout:ok');
  });
});

describe('rank: moderators act only on members', () => {
  it('lets only an admin reinstate or approve a moderator or an admin', async () => {
    const mod = await t.api.activeMember(admin.accessToken, 'rank-mod@example.org');
    expect((await t.api.post(`/api/members/${mod.member.id}/role`, { role: 'moderator' }, admin.accessToken)).status).toBe(200);
    const modToken = (await t.api.login('rank-mod@example.org', 'member-password-1')).accessToken;
    const other = await t.api.activeMember(admin.accessToken, 'rank-admin@example.org');
    expect((await t.api.post(`/api/members/${other.member.id}/role`, { role: 'admin' }, admin.accessToken)).status).toBe(200);
    expect((await t.api.post(`/api/members/${other.member.id}/suspend`, { reason: 'test' }, admin.accessToken)).status).toBe(200);

    const reinstate = await t.api.post<ErrorBody>(`/api/members/${other.member.id}/reinstate`, undefined, modToken);
    expect(reinstate.status).toBe(403);
    expect(reinstate.body.error.code).toBe('forbidden');
    const members = await t.api.get<{ members: MemberBody[] }>('/api/members?status=suspended', admin.accessToken);
    expect(members.body.members.find((m) => m.id === other.member.id)?.status).toBe('suspended');
    expect((await t.api.post(`/api/members/${other.member.id}/reinstate`, undefined, admin.accessToken)).status).toBe(200);

    // A pending account an admin made a moderator is approved by an admin only.
    const reg = await t.api.post<{ member: MemberBody }>('/api/auth/register', { email: 'rank-pending@example.org', name: 'P', password: 'member-password-1' });
    expect((await t.api.post(`/api/members/${reg.body.member.id}/role`, { role: 'moderator' }, admin.accessToken)).status).toBe(200);
    const approve = await t.api.post<ErrorBody>(`/api/members/${reg.body.member.id}/approve`, undefined, modToken);
    expect(approve.status).toBe(403);
    expect(approve.body.error.code).toBe('forbidden');
    expect((await t.api.post(`/api/members/${reg.body.member.id}/approve`, undefined, admin.accessToken)).status).toBe(200);

    // On members a moderator still acts.
    const plain = await t.api.activeMember(admin.accessToken, 'rank-plain@example.org');
    expect((await t.api.post(`/api/members/${plain.member.id}/suspend`, {}, modToken)).status).toBe(200);
    expect((await t.api.post(`/api/members/${plain.member.id}/reinstate`, undefined, modToken)).status).toBe(200);
  });
});

describe('STEMKRING_BOOTSTRAP_ADMIN on an existing account', () => {
  const BOSS = 'boss@example.org';
  const X = 'registrant-password-x';
  const Y = 'configured-password-y';
  const Z = 'configured-password-z';
  // Each test starts the app on one data folder several times.

  async function startWith(dataDir: string, bootstrapAdmin: { email: string; password: string } | null): Promise<{ app: App; api: ApiClient }> {
    const app = await buildApp(testConfig(dataDir, { bootstrapAdmin, loadDemoData: false, cryptoWorkers: 0 }), { logger: pino({ level: 'silent' }) });
    return { app, api: new ApiClient(await app.start()) };
  }

  it('never makes an admin of the registrant: the configured password takes over and old sign-ins end', async () => {
    const dataDir = freshDataDir();
    const first = await startWith(dataDir, null);
    const reg = await first.api.post<{ member: MemberBody }>('/api/auth/register', { email: BOSS, name: 'Not the boss', password: X });
    expect(reg.body.member.status).toBe('pending');
    const squatter = await first.api.login(BOSS, X);
    await first.app.stop();

    const second = await startWith(dataDir, { email: BOSS, password: Y });
    try {
      const boss = await second.api.login(BOSS, Y);
      expect(boss.member).toMatchObject({ id: reg.body.member.id, role: 'admin', status: 'active' });
      const withX = await second.api.post<ErrorBody>('/api/auth/login', { email: BOSS, password: X });
      expect(withX.status).toBe(401);
      expect(withX.body.error.code).toBe('invalid_credentials');
      const oldAccess = await second.api.get<ErrorBody>('/api/me', squatter.accessToken);
      expect(oldAccess.status).toBe(401);
      expect(oldAccess.body.error.code).toBe('session_ended');
      const oldRefresh = await second.api.post<ErrorBody>('/api/auth/refresh', { refreshToken: squatter.refreshToken });
      expect(oldRefresh.body.error.code).toBe('refresh_token_revoked');
      const audit = await second.api.get<{ events: { action: string; detail: Record<string, unknown> }[] }>(
        `/api/audit?action=admin.bootstrap&target=${reg.body.member.id}`,
        boss.accessToken,
      );
      expect(audit.body.events[0]?.detail).toMatchObject({ created: false, passwordReset: true, previousRole: 'member', previousStatus: 'pending' });
    } finally {
      await second.app.stop();
    }
  }, 90_000);

  it('sets an active admin to the configured password when it changed, and leaves it alone when not', async () => {
    const dataDir = freshDataDir();
    const first = await startWith(dataDir, { email: BOSS, password: Y });
    const before = await first.api.login(BOSS, Y);
    await first.app.stop();

    const same = await startWith(dataDir, { email: BOSS, password: Y });
    expect((await same.api.get('/api/me', before.accessToken)).status).toBe(200);
    await same.app.stop();

    const changed = await startWith(dataDir, { email: BOSS, password: Z });
    try {
      expect((await changed.api.login(BOSS, Z)).member.role).toBe('admin');
      expect((await changed.api.post('/api/auth/login', { email: BOSS, password: Y })).status).toBe(401);
      expect((await changed.api.get<ErrorBody>('/api/me', before.accessToken)).body.error.code).toBe('session_ended');
    } finally {
      await changed.app.stop();
    }
  }, 90_000);

  it('refuses to start rather than reactivate a suspended account named there', async () => {
    const dataDir = freshDataDir();
    const first = await startWith(dataDir, { email: BOSS, password: Y });
    const boss = await first.api.login(BOSS, Y);
    const other = await first.api.activeMember(boss.accessToken, 'second-admin@example.org');
    expect((await first.api.post(`/api/members/${other.member.id}/role`, { role: 'admin' }, boss.accessToken)).status).toBe(200);
    const second = await first.api.login('second-admin@example.org', 'member-password-1');
    expect((await first.api.post(`/api/members/${boss.member.id}/suspend`, { reason: 'left' }, second.accessToken)).status).toBe(200);
    await first.app.stop();

    await expect(startWith(dataDir, { email: BOSS, password: Y })).rejects.toThrow(
      /boss@example\.org is suspended.*reinstate it in the app.*STEMKRING_BOOTSTRAP_ADMIN/s,
    );
    // Nothing changed, and the data folder opens again with another admin named.
    const again = await startWith(dataDir, { email: 'second-admin@example.org', password: 'member-password-1' });
    try {
      expect((await again.api.post<ErrorBody>('/api/auth/login', { email: BOSS, password: Y })).body.error.code).toBe('account_suspended');
    } finally {
      await again.app.stop();
    }
  }, 90_000);
});
