/**
 * An attacker with everything a moderator has: every moderator and admin
 * route (the audit log, members, registers, boards, bundles, round views), a
 * copy of the whole database file walked table by table and column by
 * column, every bundle, and the server's log. Nothing there may tie a secret
 * ballot to a member: no value on the board (credential, its hash, round key,
 * signature, nonce, leaf, the ballot's JSON) may sit in one row with a member
 * id, an email or a pseudonym, and two secret rounds' ballots of one member
 * share no value (round key, credential) that would link them.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { decodeBase64Url, encodeBase64Url } from '../../shared/protocol/encoding';
import { jcs } from '../../shared/protocol/jcs';
import type { BallotV2 } from '../../shared/protocol/types';
import { ADMIN, freshDataDir, startTestApp, type TestApp } from '../helpers/app';
import type { LoginBody } from '../helpers/client';
import { capturedLogger } from '../helpers/log-capture';
import { Voter, type RoundInfo } from '../helpers/voter';

interface SecretBundle {
  protocol: number;
  register: { electorate: string[]; issued: string[] };
  board: { seq: number; ballot: BallotV2; sig: string; leaf: string; head: string }[];
}

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

/** Every string inside a JSON value. */
function stringsOf(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, into);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) stringsOf(v, into);
  return into;
}

/** The values of a secret board that could identify a ballot: each would be a link if found beside a member. */
function boardValues(bundle: SecretBundle): Set<string> {
  const out = new Set<string>();
  for (const e of bundle.board) {
    const credential = decodeBase64Url(e.ballot.credential);
    if (!credential.ok) throw new Error('credential does not decode');
    for (const v of [e.ballot.credential, encodeBase64Url(nodeCrypto.sha256(credential.value)), e.ballot.key, e.sig, e.ballot.nonce, e.leaf, jcs(e.ballot)]) out.add(v);
  }
  return out;
}

async function get<T>(url: string): Promise<T> {
  const res = await t.api.get<T>(url, admin.accessToken);
  expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

describe('an attacker with a moderator\'s rights, the database and the logs', () => {
  it('finds nothing that ties a secret ballot to a member, nor two rounds\' ballots of one member to each other', async () => {
    const voters = await Promise.all([1, 2, 3, 4].map((i) => Voter.create(t.api, admin.accessToken, `target${i}@example.org`)));
    const rounds: RoundInfo[] = [];
    for (const title of ['Eerste', 'Tweede']) {
      const created = await t.api.post<{ round: { id: string } }>('/api/rounds', { title, method: 'plurality', options: [{ label: 'A' }, { label: 'B' }] }, admin.accessToken);
      expect((await t.api.post(`/api/rounds/${created.body.round.id}/open`, undefined, admin.accessToken)).status).toBe(200);
      rounds.push(await get<RoundInfo>(`/api/rounds/${created.body.round.id}`));
    }
    for (const info of rounds) {
      for (const [i, v] of voters.entries()) expect((await v.cast(info, { pick: i % 2 === 0 ? 'o1' : 'o2' })).status).toBe(201);
      // A revote, and a token sent along with one ballot: neither may leave a trace of who.
      expect((await (voters[0] as Voter).cast(info, { pick: 'o2' })).status).toBe(201);
      const v = voters[1] as Voter;
      const ballot = v.ballot(info, { pick: 'o1' });
      expect((await t.api.post(`/api/rounds/${info.round.id}/ballots`, { ballot, sig: v.sign(ballot) }, v.login.accessToken)).status).toBe(201);
    }
    // One round published, the other only closed: both states are looked at.
    for (const info of rounds) expect((await t.api.post(`/api/rounds/${info.round.id}/close`, undefined, admin.accessToken)).status).toBe(200);
    expect((await t.api.post(`/api/rounds/${rounds[0]?.round.id ?? ''}/publish`, undefined, admin.accessToken)).status).toBe(200);

    // What the attacker reads through the API.
    const bundle = await get<SecretBundle>(`/api/rounds/${rounds[0]?.round.id ?? ''}/bundle`);
    expect(bundle.protocol).toBe(2);
    const boards: SecretBundle[] = [bundle];
    const secondBoard = await get<{ board: SecretBundle['board'] }>(`/api/rounds/${rounds[1]?.round.id ?? ''}/board`);
    const secondRegister = await get<{ register: SecretBundle['register'] }>(`/api/rounds/${rounds[1]?.round.id ?? ''}/register`);
    boards.push({ protocol: 2, register: secondRegister.register, board: secondBoard.board });
    const onBoard = new Set<string>();
    for (const b of boards) for (const v of boardValues(b)) onBoard.add(v);
    expect(onBoard.size).toBeGreaterThan(0);

    const members = await get<{ members: { id: string; email: string }[] }>('/api/members?status=active');
    const identities = new Set<string>();
    for (const m of members.members) {
      identities.add(m.id);
      identities.add(m.email);
    }
    for (const b of boards) for (const p of b.register.electorate) identities.add(p);
    expect(identities.size).toBeGreaterThan(10);

    // The bundle's and board's entries name no pseudonym; their registers hold no board value.
    for (const b of boards) {
      for (const e of b.board) expect([...stringsOf(e)].filter((s) => identities.has(s))).toEqual([]);
      expect([...stringsOf(b.register)].filter((s) => onBoard.has(s))).toEqual([]);
    }

    // Two rounds' ballots of one member share no round key and no credential (nor any other board value).
    const [first, second] = boards.map(boardValues) as [Set<string>, Set<string>];
    expect([...first].filter((s) => second.has(s))).toEqual([]);

    // Every moderator and admin read, taken whole: none holds a board value (the board itself apart).
    const audit: unknown[] = [];
    let before: number | null = null;
    do {
      const page: { events: unknown[]; next: number | null } = await get(`/api/audit?limit=500${before === null ? '' : `&before=${before}`}`);
      audit.push(...page.events);
      before = page.next;
    } while (before !== null);
    expect(audit.length).toBeGreaterThan(0);
    const reads: [string, unknown][] = [
      ['audit', audit],
      ['members', members],
      ['me', await get('/api/me')],
      ['rounds', await get('/api/rounds')],
      ...(await Promise.all(rounds.map(async (info) => [`round ${info.round.id}`, await get(`/api/rounds/${info.round.id}`)] as [string, unknown]))),
      ...(await Promise.all(rounds.map(async (info) => [`register ${info.round.id}`, await get(`/api/rounds/${info.round.id}/register`)] as [string, unknown]))),
      // Each member's own view of each round: it says whether a credential was issued, never which ballot is theirs.
      ...(await Promise.all(
        voters.flatMap((v) => rounds.map(async (info) => [`view of ${v.login.member.email}`, (await t.api.get(`/api/rounds/${info.round.id}`, v.login.accessToken)).body] as [string, unknown])),
      )),
    ];
    for (const [what, body] of reads) {
      const text = JSON.stringify(body);
      expect([...onBoard].filter((s) => text.includes(s)), what).toEqual([]);
    }

    // A copy of the whole database file (with its write-ahead log), walked generically: every table, every column.
    const copyDir = freshDataDir();
    for (const suffix of ['', '-wal']) {
      const from = path.join(t.dataDir, `stemkring.sqlite${suffix}`);
      if (fs.existsSync(from)) fs.copyFileSync(from, path.join(copyDir, `stemkring.sqlite${suffix}`));
    }
    const db = new Database(path.join(copyDir, 'stemkring.sqlite'));
    try {
      const tables = db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
      expect(tables.map((x) => x.name)).toEqual(expect.arrayContaining(['board_entries', 'credential_issuances', 'round_issuers', 'round_voters', 'audit_events']));
      let rowsSeen = 0;
      const linked: string[] = [];
      for (const { name } of tables) {
        for (const row of db.prepare(`select * from "${name}"`).all() as Record<string, unknown>[]) {
          rowsSeen += 1;
          const values = Object.values(row).filter((v): v is string => typeof v === 'string');
          const text = values.join('\u0000');
          const who = [...identities].filter((s) => text.includes(s));
          const what = [...onBoard].filter((s) => text.includes(s));
          if (who.length > 0 && what.length > 0) linked.push(`${name}: ${who[0]} beside ${what[0]}`);
        }
      }
      expect(rowsSeen).toBeGreaterThan(50);
      expect(linked).toEqual([]);
      // No row holds a blind signature either (it would match the member's pseudonym to the request it answered).
      const issuances = db.prepare('select * from credential_issuances').all() as Record<string, unknown>[];
      for (const row of issuances) expect(Object.keys(row).sort()).toEqual(['request_hash', 'round_id', 'voter']);
      // The closed rounds' private issuing keys are gone.
      const keys = db.prepare('select private_key from round_issuers').all() as { private_key: string | null }[];
      expect(keys.length).toBeGreaterThanOrEqual(2);
      for (const k of keys) expect(k.private_key).toBeNull();
    } finally {
      db.close();
    }

    // The server's log: no board value at all, and so none beside a member.
    const log = capture.lines.join('\n');
    expect(capture.lines.length).toBeGreaterThan(20);
    expect([...onBoard].filter((s) => log.includes(s))).toEqual([]);
    // Members are named in moderators' routes (approving a member has its id in the path); never in the lines of
    // the routes a voter uses for a secret round.
    const voting = capture.lines.filter((l) => /\/api\/rounds\/[^/]+\/(credential|ballots)"/.test(l)).join('\n');
    expect(voting.length).toBeGreaterThan(0);
    expect([...identities].filter((s) => voting.includes(s))).toEqual([]);
  });
});
