import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import nacl from 'tweetnacl';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { ADMIN, startTestApp, type TestApp } from '../helpers/app';
import * as auditWithoutDeviceKeys from '../../server/store/sqlite/migrations/20261202T0200_audit_without_device_keys';
import type { ApiResponse, LoginBody } from '../helpers/client';
import { Voter, type RoundInfo } from '../helpers/voter';

/**
 * Issue 13, item 7: the audit log must not hold what is on a board, or a
 * moderator joins its events (who did what) with the board (which key cast
 * which ballot) and reads everyone's vote.
 */

let t: TestApp;
let admin: LoginBody;

beforeAll(async () => {
  t = await startTestApp({ loadDemoData: false });
  admin = await t.api.login(ADMIN.email, ADMIN.password);
});
afterAll(async () => {
  await t.stop();
});

interface AuditPage {
  events: { seq: number; action: string; actorId: string | null; target: { type: string; id: string | null } }[];
  next: number | null;
}

/** The whole audit log, as a moderator reads it, page by page. */
async function wholeAuditLog(): Promise<AuditPage['events']> {
  const all: AuditPage['events'] = [];
  let before: number | null = null;
  do {
    const page: ApiResponse<AuditPage> = await t.api.get<AuditPage>(`/api/audit?limit=500${before === null ? '' : `&before=${before}`}`, admin.accessToken);
    expect(page.status).toBe(200);
    all.push(...page.body.events);
    before = page.body.next;
  } while (before !== null);
  return all;
}

interface Bundle {
  register: { voter: string; keys: string[] }[];
  board: { voter: string; ballot: { key: string; nonce: string }; sig: string; leaf: string; head: string }[];
  outcome: unknown;
}

/** Strings of a round's outcome: they describe the whole round (definition hash, final head), no voter. */
function stringsOf(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, into);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) stringsOf(v, into);
  return into;
}

describe('the audit log and the board', () => {
  it('share nothing that ties a ballot, a key or a pseudonym to a member', async () => {
    const voters = await Promise.all([1, 2, 3].map((i) => Voter.create(t.api, admin.accessToken, `privacy${i}@example.org`)));
    // A key revoked before the round, so that key.revoke is in the log too.
    const spare = encodeBase64Url(nacl.sign.keyPair().publicKey);
    const v1 = voters[0] as Voter;
    expect((await t.api.post('/api/me/keys', { publicKey: spare }, v1.login.accessToken)).status).toBe(201);
    expect((await t.api.delete(`/api/me/keys/${spare}`, v1.login.accessToken)).status).toBe(200);

    // A named round (protocol 1): its register holds device keys; secret rounds are secret-attacker.test.ts's.
    const created = await t.api.post<{ round: { id: string } }>(
      '/api/rounds',
      { title: 'Geheim', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }], secret: false },
      admin.accessToken,
    );
    const id = created.body.round.id;
    expect((await t.api.post(`/api/rounds/${id}/open`, undefined, admin.accessToken)).status).toBe(200);
    const info = (await t.api.get<RoundInfo>(`/api/rounds/${id}`, admin.accessToken)).body;
    // A key added while the round is open joins the register too.
    const late = await Voter.create(t.api, admin.accessToken, 'privacy-late@example.org');
    const receipts: unknown[] = [];
    for (const [i, v] of voters.entries()) {
      const res = await v.cast(info, { pick: i % 2 === 0 ? 'o1' : 'o2' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      receipts.push(res.body);
    }
    const extra = new Voter(t.api, v1.login);
    expect((await t.api.post('/api/me/keys', { publicKey: extra.publicKey }, v1.login.accessToken)).status).toBe(201);
    const revote = await extra.cast(info, { pick: 'o2' });
    expect(revote.status, JSON.stringify(revote.body)).toBe(201);
    receipts.push(revote.body);
    expect((await t.api.post(`/api/rounds/${id}/close`, undefined, admin.accessToken)).status).toBe(200);
    expect((await t.api.post(`/api/rounds/${id}/publish`, undefined, admin.accessToken)).status).toBe(200);
    const bundle = (await t.api.get<Bundle>(`/api/rounds/${id}/bundle`)).body;
    expect(bundle.board).toHaveLength(4);

    const ofRound = stringsOf(bundle.outcome);
    const onBoard = new Set<string>();
    for (const r of bundle.register) for (const s of [r.voter, ...r.keys]) onBoard.add(s);
    for (const e of bundle.board) for (const s of [e.voter, e.ballot.key, e.ballot.nonce, e.sig, e.leaf, e.head]) onBoard.add(s);
    for (const s of stringsOf(receipts)) onBoard.add(s);
    for (const v of [...voters, extra, late]) onBoard.add(v.publicKey);
    onBoard.add(spare);
    for (const s of ofRound) onBoard.delete(s);

    const log = await wholeAuditLog();
    expect(log.map((e) => e.action)).toEqual(expect.arrayContaining(['key.add', 'key.revoke', 'round.open', 'round.close', 'round.publish']));
    const text = JSON.stringify(log);
    const found = [...onBoard].filter((s) => s.length >= 8 && text.includes(s));
    expect(found).toEqual([]);
    // Who added or revoked a key stays in the log: the member, not the key.
    const keyEvents = log.filter((e) => e.action === 'key.add' || e.action === 'key.revoke');
    for (const e of keyEvents) expect(e.target).toEqual({ type: 'member', id: e.actorId });
  });

  it('takes the device keys out of the key events written before this version', async () => {
    const app = await startTestApp({ loadDemoData: false });
    const key = encodeBase64Url(nacl.sign.keyPair().publicKey);
    try {
      const admin = await app.api.login(ADMIN.email, ADMIN.password);
      const memberId = admin.member.id;
      // Key events as the earlier version wrote them, then the migration that rewrites them.
      // (Run directly: the migrator runs each migration once, in name order, and later ones follow it.)
      const insert = app.app.store.sqlite.prepare(
        "insert into audit_events (at, actor_id, action, target_type, target_id, outcome, detail, request_id) values (?, ?, ?, 'device_key', ?, 'ok', '{}', null)",
      );
      insert.run(new Date().toISOString(), memberId, 'key.add', key);
      insert.run(new Date().toISOString(), memberId, 'key.revoke', key);
      const before = await app.api.get<AuditPage>('/api/audit?limit=500', admin.accessToken);
      expect(JSON.stringify(before.body)).toContain(key);
      await auditWithoutDeviceKeys.up(app.app.store.db as unknown as Kysely<unknown>);
      const log = await app.api.get<AuditPage>('/api/audit?limit=500', admin.accessToken);
      expect(JSON.stringify(log.body)).not.toContain(key);
      const keyEvents = log.body.events.filter((e) => e.action.startsWith('key.'));
      expect(keyEvents.map((e) => e.target)).toEqual([
        { type: 'member', id: memberId },
        { type: 'member', id: memberId },
      ]);
    } finally {
      await app.stop();
    }
  });
});
