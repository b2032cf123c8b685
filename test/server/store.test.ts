import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BoardThread } from '../../server/store/sqlite/board-thread';
import { SqliteStore as Store } from '../../server/store/sqlite/sqlite-store';

const dirs: string[] = [];
function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stemkring-store-'));
  dirs.push(dir);
  return path.join(dir, 'stemkring.sqlite');
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A store in a fresh file with one open round, r1, closed again after `use`. */
async function withRoundStore(use: (store: Store) => Promise<void>): Promise<void> {
  const store = await Store.open(tempDb());
  try {
    await store.db
      .insertInto('rounds')
      .values({ id: 'r1', title: 'R', method: 'plurality', question_id: null, options: null, seats: 1, rules: '{}', revote: 0, sealed: 0, closes_at: null, status: 'open', created_by: null, created_at: new Date().toISOString() })
      .execute();
    await use(store);
  } finally {
    await store.close();
  }
}

/** Board entries as the read-only connection sees them: committed ones only. */
function boardCount(store: Store): number | undefined {
  return store.reader.prepare<[], { n: number }>('select count(*) as n from board_entries').get()?.n;
}

function rows(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const seq = from + i;
    return { round_id: 'r1', seq, voter: `v${seq}`, ballot: '{}', sig: 's', leaf: `l${seq}`, head: `h${seq}`, nonce: `n${seq}`, received_at: new Date().toISOString() };
  });
}

describe('the store', () => {
  it('writes board entries on its own thread, visible to readers once answered', async () => {
    await withRoundStore(async (store) => {
      await store.appendBoard(rows(1, 50));
      expect(boardCount(store)).toBe(50);
    });
  });

  it('lets a main-thread transaction that reads, then writes, wait its turn while the board thread commits', async () => {
    await withRoundStore(async (store) => {
      await store.appendBoard(rows(1, 1)); // the thread is up
      const appends: Promise<void>[] = [];
      const updates: Promise<unknown>[] = [];
      for (let batch = 0; batch < 40; batch += 1) {
        appends.push(store.appendBoard(rows(batch * 25 + 2, 25)));
        updates.push(
          store.transaction(async (trx) => {
            const round = await trx.selectFrom('rounds').select('title').where('id', '=', 'r1').executeTakeFirstOrThrow();
            await new Promise((resolve) => setTimeout(resolve, 3));
            await trx.updateTable('rounds').set({ title: `${round.title}.` }).where('id', '=', 'r1').execute();
            return { ok: true, value: null };
          }),
        );
      }
      await Promise.all([...appends, ...updates]);
      const round = await store.db.selectFrom('rounds').select('title').executeTakeFirstOrThrow();
      expect(round.title).toBe(`R${'.'.repeat(40)}`);
      expect(boardCount(store)).toBe(1001);
    });
  });

  it('refuses a batch the database refuses, and keeps writing the next ones', async () => {
    await withRoundStore(async (store) => {
      await expect(store.appendBoard([{ ...rows(1, 1)[0]!, round_id: 'no-such-round' }])).rejects.toThrow(/FOREIGN KEY/);
      await store.appendBoard(rows(1, 3));
      expect(boardCount(store)).toBe(3);
    });
  });

  it('reports a board thread that cannot work, and refuses what it was given', async () => {
    const failures: Error[] = [];
    const thread = new BoardThread(path.join(tempDb(), 'not-a-folder', 'x.sqlite'), (e) => failures.push(e));
    await expect(thread.append(rows(1, 1))).rejects.toThrow();
    expect(failures).toHaveLength(1);
    await thread.close();
  });
});
