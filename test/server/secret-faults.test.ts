/**
 * faults.test.ts's guarantee for a secret round: a server killed (SIGKILL)
 * in the middle of a burst of ballots cast without sign-in keeps every
 * ballot it gave a receipt for, with an intact chain, and the turnout
 * counted by credential comes back from the board.
 */
import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { initialHead, leafOf, nextHead } from '../../shared/protocol/board';
import type { BallotV2 } from '../../shared/protocol/types';
import { ADMIN, freshDataDir } from '../helpers/app';
import { ApiClient } from '../helpers/client';
import { startServerProcess } from '../helpers/process';
import { Voter, type RoundInfo } from '../helpers/voter';

interface BoardBody {
  entries: number;
  head: string;
  board: { seq: number; ballot: BallotV2; sig: string; leaf: string; head: string }[];
}

describe('a server killed in the middle of a burst of secret ballots', () => {
  it('keeps every ballot it gave a receipt for, with an intact chain, across several kills', async () => {
    const dataDir = freshDataDir();
    const env = { STEMKRING_BOOTSTRAP_ADMIN: `${ADMIN.email}:${ADMIN.password}` };
    let server = await startServerProcess(dataDir, env);
    let api = new ApiClient(server.url);
    const admin = await api.login(ADMIN.email, ADMIN.password);
    const voters = await Promise.all(Array.from({ length: 12 }, (_, i) => Voter.create(api, admin.accessToken, `secret-burst${i}@example.org`)));
    const created = await api.post<{ round: { id: string } }>(
      '/api/rounds',
      { title: 'Geheim onder vuur', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }], revote: true },
      admin.accessToken,
    );
    const roundId = created.body.round.id;
    expect((await api.post(`/api/rounds/${roundId}/open`, undefined, admin.accessToken)).status).toBe(200);
    const info = (await api.get<RoundInfo>(`/api/rounds/${roundId}`)).body;
    expect(info.definition.issuer).toBeDefined();
    // Every voter holds its credential before the burst; the ballots then go without any token.
    for (const v of voters) await v.credential(info);

    const receipts: { seq: number; leaf: string; head: string }[] = [];
    for (let cycle = 0; cycle < 3; cycle++) {
      const client = api;
      let stop = false;
      const loops = voters.map(async (v, i) => {
        const voter = v.withApi(client);
        while (!stop) {
          try {
            const res = await voter.cast(info, { pick: `o${(i % 3) + 1}` });
            if (res.status === 201) receipts.push(res.body.receipt);
          } catch {
            return; // connection refused or reset: the server is gone
          }
        }
      });
      // Killed mid-burst: once ballots are flowing (a loaded machine may take a while to answer the first), then a little later.
      const flowing = receipts.length + 12;
      for (let waited = 0; receipts.length < flowing && waited < 20_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 200 + cycle * 150));
      await server.kill('SIGKILL');
      stop = true;
      await Promise.all(loops);

      server = await startServerProcess(dataDir, env);
      api = new ApiClient(server.url);
      const token = (await api.login(ADMIN.email, ADMIN.password)).accessToken;
      const board = (await api.get<BoardBody>(`/api/rounds/${roundId}/board`, token)).body;
      let head = initialHead(info.definitionHash, nodeCrypto);
      board.board.forEach((e, i) => {
        expect(e.seq).toBe(i + 1);
        expect(Object.keys(e).sort()).toEqual(['ballot', 'head', 'leaf', 'seq', 'sig']);
        const leaf = leafOf(e.ballot, e.sig, nodeCrypto);
        expect(e.leaf).toBe(leaf);
        head = nextHead(head, leaf, nodeCrypto);
        expect(e.head).toBe(head);
      });
      expect(board.head).toBe(head);
      expect(receipts.length).toBeGreaterThan(0);
      for (const r of receipts) {
        const entry = board.board[r.seq - 1];
        expect(entry, `receipt seq ${r.seq}`).toBeDefined();
        expect(entry?.leaf).toBe(r.leaf);
        expect(entry?.head).toBe(r.head);
      }
      // The turnout after the restart is counted by credential: at most one voter per member.
      const view = await api.get<{ turnout: { voters: number; ballots: number } }>(`/api/rounds/${roundId}`);
      expect(view.body.turnout.ballots).toBe(board.board.length);
      expect(view.body.turnout.voters).toBe(new Set(board.board.map((e) => e.ballot.credential)).size);
      expect(view.body.turnout.voters).toBeLessThanOrEqual(voters.length);
    }

    const admin2 = await api.login(ADMIN.email, ADMIN.password);
    expect((await api.post(`/api/rounds/${roundId}/close`, undefined, admin2.accessToken)).status).toBe(200);
    expect((await api.post(`/api/rounds/${roundId}/publish`, undefined, admin2.accessToken)).status).toBe(200);
    const bundle = await api.get<{ protocol: number; outcome: { counted: number } }>(`/api/rounds/${roundId}/bundle`);
    expect(bundle.body.protocol).toBe(2);
    expect(bundle.body.outcome.counted).toBeLessThanOrEqual(voters.length);
    await server.kill('SIGTERM');
  }, 120_000);
});
