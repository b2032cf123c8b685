import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../server/crypto/node-crypto';
import { initialHead, leafOf, nextHead } from '../../shared/protocol/board';
import type { Ballot } from '../../shared/protocol/types';
import { verifyBundle } from '../../shared/protocol/verify';
import { ADMIN, freshDataDir } from '../helpers/app';
import { ApiClient } from '../helpers/client';
import { startServerProcess } from '../helpers/process';
import { Voter, type RoundInfo } from '../helpers/voter';

interface BoardBody {
  entries: number;
  head: string;
  board: { seq: number; voter: string; ballot: Ballot; sig: string; leaf: string; head: string }[];
}

function checkChain(board: BoardBody, definitionHash: string): void {
  let head = initialHead(definitionHash, nodeCrypto);
  board.board.forEach((e, i) => {
    expect(e.seq).toBe(i + 1);
    const leaf = leafOf(e.ballot, e.sig, nodeCrypto);
    expect(e.leaf).toBe(leaf);
    head = nextHead(head, leaf, nodeCrypto);
    expect(e.head).toBe(head);
  });
  expect(board.head).toBe(head);
  expect(board.entries).toBe(board.board.length);
}

describe('a server killed in the middle of a burst of ballots', () => {
  it('keeps every ballot it gave a receipt for, with an intact chain, across several kills', async () => {
    const dataDir = freshDataDir();
    const env = { STEMKRING_BOOTSTRAP_ADMIN: `${ADMIN.email}:${ADMIN.password}` };
    let server = await startServerProcess(dataDir, env);
    let api = new ApiClient(server.url);
    const admin = await api.login(ADMIN.email, ADMIN.password);
    const voters = await Promise.all(Array.from({ length: 12 }, (_, i) => Voter.create(api, admin.accessToken, `burst${i}@example.org`)));
    const created = await api.post<{ round: { id: string } }>(
      '/api/rounds',
      { title: 'Onder vuur', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }], revote: true },
      admin.accessToken,
    );
    const roundId = created.body.round.id;
    await api.post(`/api/rounds/${roundId}/open`, undefined, admin.accessToken);
    const info = (await api.get<RoundInfo>(`/api/rounds/${roundId}`)).body;

    const receipts: { seq: number; leaf: string; head: string }[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      const client = api;
      let stop = false;
      // Every voter keeps casting (revote is on) until the server dies under them.
      const loops = voters.map(async (v, i) => {
        const voter = new Voter(client, v.login);
        Object.assign(voter, { keys: v.keys, publicKey: v.publicKey });
        while (!stop) {
          try {
            const res = await voter.cast(info, { pick: `o${(i % 3) + 1}` });
            if (res.status === 201) receipts.push(res.body.receipt);
          } catch {
            return; // connection refused or reset: the server is gone
          }
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 400 + cycle * 150));
      await server.kill('SIGKILL');
      stop = true;
      await Promise.all(loops);

      server = await startServerProcess(dataDir, env);
      api = new ApiClient(server.url);
      for (const v of voters) v.login.accessToken = (await api.login(v.login.member.email, 'member-password-1')).accessToken;
      const board = (await api.get<BoardBody>(`/api/rounds/${roundId}/board`, voters[0]?.login.accessToken)).body;
      checkChain(board, info.definitionHash);
      expect(receipts.length).toBeGreaterThan(0);
      for (const r of receipts) {
        const entry = board.board[r.seq - 1];
        expect(entry, `receipt seq ${r.seq}`).toBeDefined();
        expect(entry?.leaf).toBe(r.leaf);
        expect(entry?.head).toBe(r.head);
      }
    }

    const admin2 = await api.login(ADMIN.email, ADMIN.password);
    expect((await api.post(`/api/rounds/${roundId}/close`, undefined, admin2.accessToken)).status).toBe(200);
    expect((await api.post(`/api/rounds/${roundId}/publish`, undefined, admin2.accessToken)).status).toBe(200);
    const bundle = await api.get<unknown>(`/api/rounds/${roundId}/bundle`);
    const report = verifyBundle(bundle.body, nodeCrypto);
    expect(report.ok, JSON.stringify(report.checks.filter((c) => !c.ok))).toBe(true);
    await server.kill('SIGTERM');
  }, 120_000);
});
