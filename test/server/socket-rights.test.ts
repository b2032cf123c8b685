import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, TestClock, startTestApp, type TestApp } from '../helpers/app';
import type { LoginBody } from '../helpers/client';

/**
 * Issue 13, item 3: a socket has the rights its member has now, not the ones
 * it had at the handshake.
 */

let t: TestApp;
const clock = new TestClock();
const sockets: Socket[] = [];
let serial = 0;

beforeAll(async () => {
  t = await startTestApp({ loadDemoData: false, clock });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t.stop();
});

/** The admin signed in now (the test clock moves, so tokens are fetched fresh). */
const admin = () => t.api.login(ADMIN.email, ADMIN.password);

async function newMember(role: 'member' | 'moderator' = 'member'): Promise<LoginBody> {
  const a = await admin();
  serial += 1;
  const m = await t.api.activeMember(a.accessToken, `rights-${serial}@example.org`);
  if (role === 'member') return m;
  expect((await t.api.post(`/api/members/${m.member.id}/role`, { role }, a.accessToken)).status).toBe(200);
  return t.api.login(m.member.email, 'member-password-1');
}

async function newRound(open: boolean): Promise<string> {
  const a = await admin();
  const created = await t.api.post<{ round: { id: string } }>('/api/rounds', { title: 'Rechten', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }] }, a.accessToken);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  if (open) expect((await t.api.post(`/api/rounds/${created.body.round.id}/open`, undefined, a.accessToken)).status).toBe(200);
  return created.body.round.id;
}

/** A connected socket (reconnection off: a test sees each disconnect). */
async function connected(token: string): Promise<Socket> {
  const s = connect(t.url, { transports: ['websocket'], auth: { token }, reconnection: false });
  sockets.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('connect_error', reject);
  });
  return s;
}

type WatchAnswer = { ok: true } | { ok: false; error: { code: string } };

function watch(s: Socket, roundId: string): Promise<WatchAnswer> {
  return new Promise((resolve) => s.emit('round:watch', { roundId }, resolve));
}

function disconnected(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    if (s.disconnected) resolve('already');
    s.once('disconnect', (reason) => resolve(reason));
  });
}

function refusedHandshake(token: string): Promise<{ code?: string }> {
  const s = connect(t.url, { transports: ['websocket'], auth: { token }, reconnection: false });
  sockets.push(s);
  return new Promise((resolve, reject) => {
    s.once('connect', () => reject(new Error('the handshake was accepted')));
    s.once('connect_error', (e: Error & { data?: { code?: string } }) => resolve(e.data ?? {}));
  });
}

describe('socket rights follow the member', () => {
  it('disconnects the sockets of a member who is suspended, and takes none back', async () => {
    const m = await newMember();
    const s = await connected(m.accessToken);
    expect(await watch(s, await newRound(true))).toEqual({ ok: true });
    const gone = disconnected(s);
    const a = await admin();
    expect((await t.api.post(`/api/members/${m.member.id}/suspend`, { reason: 'test' }, a.accessToken)).status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    expect(await refusedHandshake(m.accessToken)).toMatchObject({ code: 'account_suspended' });
  });

  it('disconnects the sockets of a login that signs out, and only those', async () => {
    const m = await newMember();
    const other = await t.api.login(m.member.email, 'member-password-1');
    const s = await connected(m.accessToken);
    const elsewhere = await connected(other.accessToken);
    const round = await newRound(true);
    expect(await watch(s, round)).toEqual({ ok: true });
    expect(await watch(elsewhere, round)).toEqual({ ok: true });
    const gone = disconnected(s);
    expect((await t.api.post('/api/auth/logout', { refreshToken: m.refreshToken })).status).toBe(204);
    expect(await gone).toBe('io server disconnect');
    // The member's other sign-in (another device) goes on.
    expect(await watch(elsewhere, await newRound(true))).toEqual({ ok: true });
    expect(elsewhere.connected).toBe(true);
    expect(await refusedHandshake(m.accessToken)).toMatchObject({ code: 'session_ended' });
  });

  it('disconnects the sockets of a login whose refresh chain is revoked for a reused refresh token', async () => {
    const m = await newMember();
    const s = await connected(m.accessToken);
    expect(await watch(s, await newRound(true))).toEqual({ ok: true });
    expect((await t.api.post('/api/auth/refresh', { refreshToken: m.refreshToken })).status).toBe(200);
    const gone = disconnected(s);
    const reused = await t.api.post<{ error: { code: string } }>('/api/auth/refresh', { refreshToken: m.refreshToken });
    expect(reused.body.error.code).toBe('refresh_token_reused');
    expect(await gone).toBe('io server disconnect');
  });

  it('refuses round:watch on a socket whose access token expired since the handshake', async () => {
    const m = await newMember();
    const s = await connected(m.accessToken);
    expect(await watch(s, await newRound(true))).toEqual({ ok: true });
    clock.advance(16 * 60 * 1000);
    const errors: { code: string }[] = [];
    s.on('round:error', (e: { code: string }) => errors.push(e));
    const later = await newRound(true);
    expect(await watch(s, later)).toMatchObject({ ok: false, error: { code: 'token_expired' } });
    expect(errors).toMatchObject([{ code: 'token_expired' }]);
  });

  it('disconnects a moderator who is demoted; with the old token they no longer watch drafts', async () => {
    const mod = await newMember('moderator');
    const s = await connected(mod.accessToken);
    const draft = await newRound(false);
    expect(await watch(s, draft)).toEqual({ ok: true });
    const gone = disconnected(s);
    const a = await admin();
    expect((await t.api.post(`/api/members/${mod.member.id}/role`, { role: 'member' }, a.accessToken)).status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    const again = await connected(mod.accessToken);
    expect(await watch(again, draft)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await watch(again, await newRound(false))).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('reads the member afresh on every round:watch, whatever changed the member', async () => {
    // Changed behind the service's back (an operator at the database): no one disconnects the socket.
    const mod = await newMember('moderator');
    const s = await connected(mod.accessToken);
    expect(await watch(s, await newRound(false))).toEqual({ ok: true });
    t.app.store.sqlite.prepare("update members set role = 'member' where id = ?").run(mod.member.id);
    expect(await watch(s, await newRound(false))).toMatchObject({ ok: false, error: { code: 'not_found' } });
    t.app.store.sqlite.prepare("update members set status = 'suspended' where id = ?").run(mod.member.id);
    expect(await watch(s, await newRound(true))).toMatchObject({ ok: false, error: { code: 'account_suspended' } });
  });

  it('takes a draft away from a moderator demoted while their connection was down, when socket.io recovers it', async () => {
    const mod = await newMember('moderator');
    const s = await connected(mod.accessToken);
    const draft = await newRound(false);
    const open = await newRound(true);
    expect(await watch(s, draft)).toEqual({ ok: true });
    expect(await watch(s, open)).toEqual({ ok: true });
    const id = s.id ?? '';
    s.io.engine.close(); // the network drops
    await until(() => !t.app.io.sockets.sockets.has(id));
    const a = await admin();
    expect((await t.api.post(`/api/members/${mod.member.id}/role`, { role: 'member' }, a.accessToken)).status).toBe(200);
    s.connect();
    await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    expect(s.recovered).toBe(true);
    const rooms = () => [...(t.app.io.sockets.sockets.get(id)?.rooms ?? [])];
    await until(() => !rooms().some((r) => r.startsWith(`round:${draft}`)));
    expect(rooms()).toContain(`round:${open}`);
  });

  it('keeps an anonymous socket anonymous: published rounds only', async () => {
    const s = connect(t.url, { transports: ['websocket'], reconnection: false });
    sockets.push(s);
    await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    expect(await watch(s, await newRound(true))).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
  });
});

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
