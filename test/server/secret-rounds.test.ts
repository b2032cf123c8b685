/**
 * Secret rounds (protocol 2) on the server: the credential signed in, the
 * ballot cast without a token, the board without voters, the register
 * {electorate, issued}, one credential per member and round, and the
 * refusals, each with its code.
 */
import fs from 'node:fs';
import path from 'node:path';
import nacl from 'tweetnacl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { finishCredential } from '../../shared/protocol/credential';
import { encodeBase64Url, utf8 } from '../../shared/protocol/encoding';
import { jcs } from '../../shared/protocol/jcs';
import { BundleV2Schema } from '../../shared/protocol/schemas-v2';
import { signStatement, verifyStatement } from '../../shared/protocol/signing';
import { ADMIN, startTestApp, type TestApp } from '../helpers/app';
import type { ErrorBody, LoginBody } from '../helpers/client';
import { Voter, type RoundInfo } from '../helpers/voter';

let t: TestApp;
let admin: LoginBody;

beforeAll(async () => {
  t = await startTestApp({ loadDemoData: false });
  admin = await t.api.login(ADMIN.email, ADMIN.password);
});
afterAll(async () => {
  await t.stop();
});

async function createRound(body: Record<string, unknown> = {}): Promise<string> {
  const res = await t.api.post<{ round: { id: string; secret: boolean } }>(
    '/api/rounds',
    { title: 'Geheim', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }], ...body },
    admin.accessToken,
  );
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.round.id;
}

async function openRound(id: string): Promise<RoundInfo> {
  const res = await t.api.post(`/api/rounds/${id}/open`, undefined, admin.accessToken);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (await t.api.get<RoundInfo>(`/api/rounds/${id}`)).body;
}

async function secretRound(body: Record<string, unknown> = {}): Promise<RoundInfo> {
  return openRound(await createRound(body));
}

function castRaw(roundId: string, body: unknown, token?: string) {
  return t.api.post<ErrorBody & { receipt: { seq: number } }>(`/api/rounds/${roundId}/ballots`, body, token);
}

function askCredential(roundId: string, blindedMessage: unknown, token: string) {
  return t.api.post<ErrorBody & { blindSignature: string }>(`/api/rounds/${roundId}/credential`, { blindedMessage }, token);
}

describe('a secret round, end to end', () => {
  it('is the default; issues a credential signed in, takes ballots without a token, keeps the latest per credential, publishes a protocol-2 bundle', async () => {
    const voters = await Promise.all(['a', 'b', 'c'].map((x) => Voter.create(t.api, admin.accessToken, `flow-${x}@example.org`)));
    const id = await createRound();
    expect((await t.api.get<{ round: { secret: boolean } }>(`/api/rounds/${id}`, admin.accessToken)).body.round.secret).toBe(true);
    const info = await openRound(id);
    expect(typeof info.definition.issuer).toBe('string');

    const [a, b, c] = voters as [Voter, Voter, Voter];
    const before = await t.api.get<{ me: { credentialIssued: boolean; voted: boolean; eligible: boolean } }>(`/api/rounds/${id}`, a.login.accessToken);
    expect(before.body.me).toMatchObject({ eligible: true, credentialIssued: false, voted: false });

    const first = await a.cast(info, { pick: 'o1' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(verifyStatement(nodeCrypto, 'receipt', first.body.receipt, first.body.receiptSig, t.app.instance.publicKeyB64)).toBe(true);
    // The revote replaces a's first ballot in the count: the latest per credential counts.
    expect((await a.cast(info, { pick: 'o2' })).status).toBe(201);
    expect((await b.cast(info, { pick: 'o1' })).status).toBe(201);

    // A token sent along (even another member's) is ignored: the ballot stands on its credential alone.
    await c.credential(info);
    const withToken = c.ballot(info, { pick: 'o2' });
    const sent = await castRaw(id, { ballot: withToken, sig: c.sign(withToken) }, a.login.accessToken);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    // Nor does a broken token matter.
    const broken = c.ballot(info, { pick: 'o2' });
    expect((await t.api.request('POST', `/api/rounds/${id}/ballots`, { body: { ballot: broken, sig: c.sign(broken) }, headers: { authorization: 'Bearer nonsense' } })).status).toBe(201);

    const after = await t.api.get<{ me: { credentialIssued: boolean; voted: boolean }; turnout: { voters: number; ballots: number } }>(`/api/rounds/${id}`, a.login.accessToken);
    expect(after.body.me).toMatchObject({ credentialIssued: true, voted: false });
    expect(after.body.turnout).toMatchObject({ voters: 3, ballots: 5 });

    const board = await t.api.get<{ board: Record<string, unknown>[] }>(`/api/rounds/${id}/board`, admin.accessToken);
    expect(board.body.board).toHaveLength(5);
    for (const e of board.body.board) expect(Object.keys(e).sort()).toEqual(['ballot', 'head', 'leaf', 'seq', 'sig']);

    const register = await t.api.get<{ register: { electorate: string[]; issued: string[] }; count: number }>(`/api/rounds/${id}/register`, admin.accessToken);
    expect(Object.keys(register.body.register).sort()).toEqual(['electorate', 'issued']);
    expect(register.body.register.issued).toHaveLength(3);
    expect(register.body.count).toBe(register.body.register.electorate.length);
    expect([...register.body.register.issued].sort()).toEqual(register.body.register.issued);

    expect((await t.api.post(`/api/rounds/${id}/close`, undefined, admin.accessToken)).status).toBe(200);
    expect((await t.api.post(`/api/rounds/${id}/publish`, undefined, admin.accessToken)).status).toBe(200);
    const bundle = await t.api.get<Record<string, unknown>>(`/api/rounds/${id}/bundle`);
    expect(bundle.status).toBe(200);
    const parsed = BundleV2Schema.safeParse(bundle.body);
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
    if (!parsed.success) return;
    const v2 = parsed.data;
    expect(v2.protocol).toBe(2);
    expect(v2.outcome.counted).toBe(3);
    expect(v2.outcome.register).toEqual({
      count: v2.register.electorate.length,
      issued: 3,
      root: encodeBase64Url(nodeCrypto.sha256(utf8(jcs(v2.register)))),
    });
    // a's revote counts, not its first ballot: o1 (b) and o2 (a, c) → o2 wins 2 to 1.
    expect(v2.outcome.result.winners).toEqual(['o2']);
  });

  it('refuses a second ballot under one credential when revote is off', async () => {
    const v = await Voter.create(t.api, admin.accessToken, 'once@example.org');
    const info = await secretRound({ revote: false });
    expect((await v.cast(info, { pick: 'o1' })).status).toBe(201);
    const again = await v.cast(info, { pick: 'o2' });
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe('already_voted');
  });
});

describe('one credential per member and round', () => {
  it('answers the same request again with the same blind signature, and refuses another request with 409', async () => {
    const v = await Voter.create(t.api, admin.accessToken, 'twice@example.org');
    const info = await secretRound();
    const prepared = v.prepare(info);
    const one = await askCredential(info.round.id, prepared.blindedMessage, v.login.accessToken);
    const two = await askCredential(info.round.id, prepared.blindedMessage, v.login.accessToken);
    expect(one.status).toBe(200);
    expect(two.status).toBe(200);
    expect(two.body.blindSignature).toBe(one.body.blindSignature);
    expect(finishCredential(prepared, one.body.blindSignature).ok).toBe(true);
    // The connection that carried the signed-in request is not kept for the ballot.
    expect(one.headers.get('connection')).toBe('close');

    // Another device of the same member (another seed): another request, refused.
    const other = new Voter(t.api, v.login);
    const refused = await askCredential(info.round.id, other.prepare(info).blindedMessage, v.login.accessToken);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('credential_already_issued');
  });

  it('gives at most one distinct blind signature and keeps exactly one row for 50 concurrent requests, half of them different', async () => {
    const v = await Voter.create(t.api, admin.accessToken, 'burst@example.org');
    const info = await secretRound();
    const requests = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? v : new Voter(t.api, v.login)).prepare(info).blindedMessage);
    const answers = await Promise.all(requests.map((r) => askCredential(info.round.id, r, v.login.accessToken)));
    const signatures = new Set(answers.filter((a) => a.status === 200).map((a) => a.body.blindSignature));
    expect(signatures.size).toBe(1);
    for (const a of answers) expect(a.status === 200 || (a.status === 409 && a.body.error.code === 'credential_already_issued')).toBe(true);
    const rows = await t.app.store.db.selectFrom('credential_issuances').selectAll().where('round_id', '=', info.round.id).execute();
    expect(rows).toHaveLength(1);
  });
});

describe('what a secret round refuses', () => {
  let v: Voter;
  let roundA: RoundInfo;
  let roundB: RoundInfo;

  beforeAll(async () => {
    v = await Voter.create(t.api, admin.accessToken, 'refusals@example.org');
    roundA = await secretRound();
    roundB = await secretRound();
    await v.credential(roundA);
    await v.credential(roundB);
  });

  it('refuses a credential of another round, a ballot without one, and forged ones, with invalid_credential or invalid_ballot', async () => {
    const held = v.heldCredential(roundA.round.id);
    if (held === undefined) throw new Error('no credential');
    // Round A's credential and round key, in round B.
    const crossed = v.ballot(roundB, { pick: 'o1' }, { key: held.prepared.roundKey, credential: held.credential });
    const r1 = await castRaw(roundB.round.id, { ballot: crossed, sig: v.sign(crossed) });
    expect([r1.status, r1.body.error?.code]).toEqual([400, 'invalid_credential']);

    const good = v.ballot(roundB, { pick: 'o1' });
    const without: Record<string, unknown> = { ...good };
    delete without['credential'];
    const r2 = await castRaw(roundB.round.id, { ballot: without, sig: v.sign(without) });
    expect([r2.status, r2.body.error?.code]).toEqual([400, 'invalid_ballot']);

    const random = v.ballot(roundB, { pick: 'o1' }, { credential: encodeBase64Url(nacl.randomBytes(256)) });
    const r3 = await castRaw(roundB.round.id, { ballot: random, sig: v.sign(random) });
    expect([r3.status, r3.body.error?.code]).toEqual([400, 'invalid_credential']);

    // A valid credential of round B, but for another round key (a ballot signed with a key nobody was issued for).
    const stranger = nacl.sign.keyPair();
    const otherKey = v.ballot(roundB, { pick: 'o1' }, { key: encodeBase64Url(stranger.publicKey) });
    const r4 = await castRaw(roundB.round.id, { ballot: otherKey, sig: signStatement('ballot', otherKey, stranger.secretKey) });
    expect([r4.status, r4.body.error?.code]).toEqual([400, 'invalid_credential']);

    // The right credential, but signed by another key than the round key: bad_signature, after the credential passed.
    const r5 = await castRaw(roundB.round.id, { ballot: good, sig: signStatement('ballot', good, stranger.secretKey) });
    expect([r5.status, r5.body.error?.code]).toEqual([400, 'bad_signature']);

    const board = await t.api.get<{ board: unknown[] }>(`/api/rounds/${roundB.round.id}/board`, admin.accessToken);
    expect(board.body.board).toHaveLength(0);
    expect((await castRaw(roundB.round.id, { ballot: good, sig: v.sign(good) })).status).toBe(201);
  });

  it('refuses /credential in order: not found, named round, not open, pending, not in the electorate, bad request', async () => {
    const token = v.login.accessToken;
    const blinded = v.prepare(roundA).blindedMessage;
    expect((await t.api.post('/api/rounds/ZZZZZZZZZZZZZZZZ/credential', { blindedMessage: blinded })).status).toBe(401);
    const missing = await askCredential('ZZZZZZZZZZZZZZZZ', blinded, token);
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);

    const named = await openRound(await createRound({ secret: false }));
    const r1 = await askCredential(named.round.id, blinded, token);
    expect([r1.status, r1.body.error.code]).toEqual([409, 'round_not_secret']);

    const draft = await createRound();
    const r2 = await askCredential(draft, blinded, admin.accessToken);
    expect([r2.status, r2.body.error.code]).toEqual([409, 'round_not_open']);

    const late = await Voter.create(t.api, admin.accessToken, 'late@example.org');
    const r3 = await askCredential(roundA.round.id, late.prepare(roundA).blindedMessage, late.login.accessToken);
    expect([r3.status, r3.body.error.code]).toEqual([403, 'not_in_electorate']);

    const reg = await t.api.post('/api/auth/register', { email: 'pending-secret@example.org', name: 'Wacht', password: 'member-password-1' });
    expect(reg.status).toBe(201);
    const pending = await t.api.login('pending-secret@example.org', 'member-password-1');
    const r4 = await askCredential(roundA.round.id, blinded, pending.accessToken);
    expect([r4.status, r4.body.error.code]).toEqual([403, 'account_pending']);

    const fresh = await secretRound();
    const r5 = await askCredential(fresh.round.id, 'not base64', admin.accessToken);
    expect([r5.status, r5.body.error.code, r5.body.error.field]).toEqual([400, 'invalid_input', 'blindedMessage']);
    // 256 bytes of 0xff: above any 2048-bit modulus.
    const r6 = await askCredential(fresh.round.id, encodeBase64Url(new Uint8Array(256).fill(255)), admin.accessToken);
    expect([r6.status, r6.body.error.code, r6.body.error.field]).toEqual([400, 'invalid_input', 'blindedMessage']);
    // A bad request took nothing: the admin's real request still gets its credential.
    const admins = new Voter(t.api, admin);
    expect((await admins.credential(fresh)).credential).toBeTruthy();
  });

  it('forgets the private issuing key at the close, and issues nothing after it', async () => {
    const info = await secretRound();
    const stored = await t.app.store.db.selectFrom('round_issuers').selectAll().where('round_id', '=', info.round.id).executeTakeFirstOrThrow();
    expect(stored.private_key).not.toBeNull();
    expect(stored.public_key).toBe(info.definition.issuer);
    expect((await t.api.post(`/api/rounds/${info.round.id}/close`, undefined, admin.accessToken)).status).toBe(200);
    const after = await t.app.store.db.selectFrom('round_issuers').selectAll().where('round_id', '=', info.round.id).executeTakeFirstOrThrow();
    expect(after.private_key).toBeNull();
    // Nor can it be read back from a copy of the files: not from free space in a page, not from the write-ahead log.
    const key = Buffer.from((stored.private_key ?? '').slice(200, 264));
    expect(key.length).toBe(64);
    for (const name of fs.readdirSync(t.dataDir)) {
      const file = path.join(t.dataDir, name);
      if (fs.statSync(file).isFile()) expect(fs.readFileSync(file).includes(key), name).toBe(false);
    }
    const r = await askCredential(info.round.id, v.prepare(info).blindedMessage, v.login.accessToken);
    expect([r.status, r.body.error.code]).toEqual([409, 'round_not_open']);
  });

  it('keeps an open secret round working across a restart (its issuer read back from the database)', async () => {
    const other = await startTestApp({ loadDemoData: false });
    const login = await other.api.login(ADMIN.email, ADMIN.password);
    const created = await other.api.post<{ round: { id: string } }>('/api/rounds', { title: 'Herstart', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }] }, login.accessToken);
    const id = created.body.round.id;
    expect((await other.api.post(`/api/rounds/${id}/open`, undefined, login.accessToken)).status).toBe(200);
    const info = (await other.api.get<RoundInfo>(`/api/rounds/${id}`)).body;
    const voter = new Voter(other.api, login);
    expect((await voter.cast(info, { pick: 'o1' })).status).toBe(201);
    await other.stop();
    const again = await startTestApp({ dataDir: other.dataDir, loadDemoData: false });
    try {
      const resumed = new Voter(again.api, await again.api.login(ADMIN.email, ADMIN.password));
      Object.assign(resumed, { deviceSeed: voter.deviceSeed });
      // The same device asks again after the restart: the same request, answered again (recomputed, not stored).
      const held = await resumed.credential(info);
      expect(held.blindSignature).toBe(voter.heldCredential(id)?.blindSignature);
      const res = await resumed.cast(info, { pick: 'o2' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.receipt.seq).toBe(2);
      const view = await again.api.get<{ turnout: { voters: number; ballots: number } }>(`/api/rounds/${id}`);
      expect(view.body.turnout).toMatchObject({ voters: 1, ballots: 2 });
    } finally {
      await again.stop();
    }
  });
});
