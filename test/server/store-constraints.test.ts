/**
 * Each uniqueness rule the code relies on is the database's, so it holds when
 * two writers meet (on SQLite today, where one write lock hid the races, and
 * on any other database). Real SQLite files, no mocks.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { ok } from '../../shared/result';
import { findDeviceKey, insertDeviceKey, insertMember } from '../../server/members/repository';
import { appendRoundKey, listRoundKeys } from '../../server/rounds/repository';
import { appendQuestion, insertProposal, insertQuestion, listProposalsOfQuestions, listQuestions } from '../../server/sessions/repository';
import type { Database } from '../../server/store/schema';
import { immediateSqliteDialect, openWriter } from '../../server/store/sqlite/connection';
import { migrationProvider } from '../../server/store/sqlite/migrations/index';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store';

const dirs: string[] = [];
function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stemkring-constraints-'));
  dirs.push(dir);
  return path.join(dir, 'stemkring.sqlite');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const AT = '2026-12-02T10:00:00.000Z';

function member(id: string, email: string) {
  return { id, email, name: id, password_hash: 'x', role: 'member' as const, status: 'active' as const, created_at: AT, approved_at: null, approved_by: null };
}

function proposal(id: string, questionId: string) {
  return { id, question_id: questionId, author_id: null, title: id, body: '', status: 'visible' as const, hidden_reason: null, merged_into: null, changed_by: null, changed_at: null, created_at: AT };
}

/**
 * A store in a fresh file. Transactions started at once queue for SQLite's
 * write lock; what these tests show is that the insert itself decides (a read
 * before it would have answered the same to both), and that a number taken
 * between an append's read and its insert is skipped (a trigger plays the
 * other writer, at exactly that moment).
 */
async function withStore(use: (store: SqliteStore) => Promise<void>): Promise<void> {
  const store = await SqliteStore.open(tempDb(), { boardThread: false });
  try {
    await use(store);
  } finally {
    await store.close();
  }
}

describe('uniqueness rules of the store', () => {
  it('one account per email: of two registrations at once, one is inserted and the other told the email is taken', async () => {
    await withStore(async (a) => {
      const [first, second] = await Promise.all([
        a.transaction(async (trx) => ok(await insertMember(trx, member('m1', 'same@example.org')))),
        a.transaction(async (trx) => ok(await insertMember(trx, member('m2', 'same@example.org')))),
      ]);
      expect([first, second].map((r) => r.ok && r.value).sort()).toEqual([false, true]);
      expect(await a.db.selectFrom('members').select('id').where('email', '=', 'same@example.org').execute()).toHaveLength(1);
      // The rule is the database's, not the repository's: a plain insert is refused too.
      await expect(a.db.insertInto('members').values(member('m3', 'same@example.org')).execute()).rejects.toThrow(/UNIQUE/);
    });
  });

  it('one registration per device key: of two at once, one is inserted and the other finds whose key it is', async () => {
    await withStore(async (a) => {
      await insertMember(a.db, member('m1', 'one@example.org'));
      await insertMember(a.db, member('m2', 'two@example.org'));
      const results = await Promise.all([
        a.transaction(async (trx) => ok(await insertDeviceKey(trx, { public_key: 'k', member_id: 'm1', created_at: AT }))),
        a.transaction(async (trx) => ok(await insertDeviceKey(trx, { public_key: 'k', member_id: 'm2', created_at: AT }))),
      ]);
      expect(results.map((r) => r.ok && r.value).sort()).toEqual([false, true]);
      const owner = (await findDeviceKey(a.db, 'k'))?.member_id;
      expect(owner === 'm1' ? results[0] : results[1]).toEqual({ ok: true, value: true });
    });
  });

  it("a question's position in its session is unique: questions added at once get 1, 2, 3 … and a duplicate is refused", async () => {
    await withStore(async (a) => {
      await a.db.insertInto('sessions').values({ id: 's', title: 'S', description: '', date: null, created_by: null, created_at: AT }).execute();
      const question = (id: string) => ({ id, session_id: 's', text: id, created_by: null, created_at: AT });
      const positions = await Promise.all(
        ['q1', 'q2', 'q3', 'q4'].map((id) => a.transaction(async (trx) => ok(await appendQuestion(trx, question(id))))),
      );
      expect(positions.map((r) => r.ok && r.value).sort()).toEqual([1, 2, 3, 4]);
      await expect(insertQuestion(a.db, { ...question('q5'), position: 2 })).rejects.toThrow(/UNIQUE/);
      expect((await listQuestions(a.db, 's')).map((q) => q.position)).toEqual([1, 2, 3, 4]);

      // Another writer adds a question between the append's read and its insert: the append takes the next position.
      await sql`create trigger other_writer before insert on questions when new.id = 'q6' and not exists (select 1 from questions where id = 'other')
        begin insert into questions (id, session_id, text, position, created_by, created_at) values ('other', 's', 'other', new.position, null, new.created_at); end`.execute(a.db);
      expect(await appendQuestion(a.db, question('q6'))).toBe(6);
      const after = await listQuestions(a.db, 's');
      expect(after.map((q) => q.position)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(after.filter((q) => q.id === 'other' || q.id === 'q6').map((q) => [q.id, q.position])).toEqual([['other', 5], ['q6', 6]]);
    });
  });

  it("a key's position in a voter's list of a round's register is unique: keys added at once get 1, 2, 3 …", async () => {
    await withStore(async (a) => {
      await a.db
        .insertInto('rounds')
        .values({ id: 'r1', title: 'R', method: 'plurality', question_id: null, options: null, seats: 1, rules: '{}', revote: 0, sealed: 0, closes_at: null, status: 'open', created_by: null, created_at: AT })
        .execute();
      await Promise.all(
        ['k1', 'k2', 'k3'].map((k) => a.transaction(async (trx) => ok(await appendRoundKey(trx, { round_id: 'r1', voter: 'v', public_key: k, added_at: AT })))),
      );
      const positions = await a.db.selectFrom('round_keys').select('position').where('round_id', '=', 'r1').orderBy('position').execute();
      expect(positions.map((p) => p.position)).toEqual([1, 2, 3]);
      expect(await listRoundKeys(a.db, 'r1')).toHaveLength(3);

      // Another key of the voter lands between the append's read and its insert: the append takes the next position.
      await sql`create trigger other_writer before insert on round_keys when new.public_key = 'k5' and not exists (select 1 from round_keys where public_key = 'other')
        begin insert into round_keys (round_id, voter, public_key, position, added_at) values (new.round_id, new.voter, 'other', new.position, new.added_at); end`.execute(a.db);
      await appendRoundKey(a.db, { round_id: 'r1', voter: 'v', public_key: 'k5', added_at: AT });
      const keys = await a.db.selectFrom('round_keys').select(['public_key', 'position']).where('position', '>', 3).orderBy('position').execute();
      expect(keys).toEqual([{ public_key: 'other', position: 4 }, { public_key: 'k5', position: 5 }]);
      await expect(
        a.db.insertInto('round_keys').values({ round_id: 'r1', voter: 'v', public_key: 'k4', position: 3, added_at: AT }).execute(),
      ).rejects.toThrow(/UNIQUE/);
    });
  });
});

describe('the order of proposals', () => {
  it('keeps proposals made in one go in the order they were made, without rowid, also for those made before the upgrade', async () => {
    // A database as the previous version left it: migrated up to the store-health table, with proposals in it.
    const file = tempDb();
    const old = new Kysely<Database>({ dialect: immediateSqliteDialect(openWriter(file)) });
    const upTo = await new Migrator({ db: old, provider: migrationProvider }).migrateTo('20261202T0300_store_health');
    expect(upTo.error).toBeUndefined();
    await old.insertInto('sessions').values({ id: 's', title: 'S', description: '', date: null, created_by: null, created_at: AT }).execute();
    await old.insertInto('questions').values({ id: 'q', session_id: 's', text: 'Q', position: 1, created_by: null, created_at: AT }).execute();
    // Ids out of alphabetical order, one timestamp: only the insertion order tells them apart.
    for (const id of ['p-c', 'p-a', 'p-b']) await old.insertInto('proposals').values(proposal(id, 'q')).execute();
    await old.destroy();

    const store = await SqliteStore.open(file, { boardThread: false });
    try {
      for (const id of ['p-z', 'p-0']) await insertProposal(store.db, proposal(id, 'q'));
      expect((await listProposalsOfQuestions(store.db, ['q'])).map((p) => p.id)).toEqual(['p-c', 'p-a', 'p-b', 'p-z', 'p-0']);
    } finally {
      await store.close();
    }
  });
});
