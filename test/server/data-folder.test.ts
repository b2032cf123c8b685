import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN, freshDataDir, startTestApp, type TestApp } from '../helpers/app';
import { Voter, type RoundInfo } from '../helpers/voter';

/**
 * Issue 13, item 8: the data folder holds the instance key, every member's
 * password hash and sessions, the boards and the bundles; only the server's
 * own user may read it, whatever the umask of whoever started it.
 */

interface Entry {
  readonly path: string;
  readonly dir: boolean;
  readonly mode: string;
}

/** Every file and folder in the data folder, the folder itself first, with its permission bits. */
function walk(dir: string, into: Entry[] = []): Entry[] {
  if (into.length === 0) into.push({ path: dir, dir: true, mode: (fs.statSync(dir).mode & 0o777).toString(8) });
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = fs.statSync(p);
    into.push({ path: p, dir: st.isDirectory(), mode: (st.mode & 0o777).toString(8) });
    if (st.isDirectory()) walk(p, into);
  }
  return into;
}

/** A round voted on, closed and published: the database, its WAL and a bundle exist. */
async function publishRound(t: TestApp): Promise<void> {
  const admin = await t.api.login(ADMIN.email, ADMIN.password);
  const voter = await Voter.create(t.api, admin.accessToken, `files-${Date.now()}@example.org`);
  const created = await t.api.post<{ round: { id: string } }>('/api/rounds', { title: 'Bestanden', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }] }, admin.accessToken);
  const id = created.body.round.id;
  expect((await t.api.post(`/api/rounds/${id}/open`, undefined, admin.accessToken)).status).toBe(200);
  const info = (await t.api.get<RoundInfo>(`/api/rounds/${id}`, admin.accessToken)).body;
  expect((await voter.cast(info, { pick: 'o1' })).status).toBe(201);
  expect((await t.api.post(`/api/rounds/${id}/close`, undefined, admin.accessToken)).status).toBe(200);
  expect((await t.api.post(`/api/rounds/${id}/publish`, undefined, admin.accessToken)).status).toBe(200);
  expect((await t.api.get(`/api/rounds/${id}/bundle`)).status).toBe(200);
}

function expectPrivate(entries: Entry[]): void {
  const names = entries.map((e) => path.basename(e.path));
  // What the test is about is there to be checked: the database with its WAL and shared memory, a bundle.
  expect(names).toEqual(expect.arrayContaining(['instance.json', 'stemkring.sqlite', 'stemkring.sqlite-wal', 'stemkring.sqlite-shm', 'bundles']));
  expect(entries.some((e) => e.path.includes(`${path.sep}bundles${path.sep}`) && e.path.endsWith('.json'))).toBe(true);
  const loose = entries.filter((e) => e.mode !== (e.dir ? '700' : '600'));
  expect(loose).toEqual([]);
}

describe('the data folder', () => {
  it('is created 0700 and every file in it 0600, whatever the umask', async () => {
    const previous = process.umask(0o022);
    const dataDir = path.join(freshDataDir(), 'data');
    const t = await startTestApp({ loadDemoData: false, dataDir });
    try {
      await publishRound(t);
      expectPrivate(walk(dataDir));
    } finally {
      await t.stop();
      process.umask(previous);
    }
  });

  it('tightens a data folder an earlier version left readable by others', async () => {
    const previous = process.umask(0o022);
    const dataDir = path.join(freshDataDir(), 'data');
    try {
      const first = await startTestApp({ loadDemoData: false, dataDir });
      try {
        await publishRound(first);
      } finally {
        await first.stop();
      }
      for (const e of walk(dataDir)) fs.chmodSync(e.path, e.dir ? 0o755 : 0o644);
      const again = await startTestApp({ loadDemoData: false, dataDir });
      try {
        await publishRound(again);
        expectPrivate(walk(dataDir));
      } finally {
        await again.stop();
      }
    } finally {
      process.umask(previous);
    }
  });
});
