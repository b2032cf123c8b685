import net from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { HTTP_TIMEOUTS } from '../../server/http/timeouts';
import { nodeCrypto } from '../../server/crypto/node-crypto';
import { initialHead, leafOf, nextHead } from '../../shared/protocol/board';
import type { Ballot } from '../../shared/protocol/types';
import { verifyBundle } from '../../shared/protocol/verify';
import { ADMIN, freshDataDir, startTestApp, testConfig } from '../helpers/app';
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

/** A client on a raw socket: what it has received, and the moments the server answered and closed. */
class RawClient {
  readonly socket: net.Socket;
  received = '';
  readonly answered: Promise<string>;
  readonly closed: Promise<void>;
  private trickle: NodeJS.Timeout | undefined;

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.socket = net.connect(Number(port), hostname);
    this.socket.on('error', () => undefined);
    this.answered = new Promise((resolve) => {
      this.socket.on('data', (chunk: Buffer) => {
        this.received += chunk.toString('latin1');
        if (this.received.includes('\r\n\r\n')) resolve(this.received);
      });
    });
    this.closed = new Promise((resolve) => this.socket.once('close', () => resolve()));
    void this.closed.then(() => clearInterval(this.trickle));
  }

  send(text: string): void {
    if (!this.socket.destroyed) this.socket.write(text);
  }

  /** Sends one byte of `text` at a time, every 50 ms, as a slow (or hostile) client does. */
  trickleOut(text: string): void {
    let at = 0;
    this.trickle = setInterval(() => {
      if (at < text.length) this.send(text.charAt(at));
      at += 1;
    }, 50);
  }

  close(): void {
    clearInterval(this.trickle);
    this.socket.destroy();
  }
}

describe('slow clients', () => {
  let app: App;
  let url: string;
  let token: string;
  let roundId: string;
  let voter: Voter;

  beforeAll(async () => {
    // Short timeouts, so that a test sees them fire; the product's are seconds (server/http/timeouts.ts).
    app = await buildApp(testConfig(freshDataDir(), { loadDemoData: false, cryptoWorkers: 0 }), {
      logger: pino({ level: 'silent' }),
      httpTimeouts: { headersMs: 400, requestMs: 800, keepAliveMs: 400, checkEveryMs: 50 },
    });
    url = await app.start();
    const api = new ApiClient(url);
    token = (await api.login(ADMIN.email, ADMIN.password)).accessToken;
    voter = await Voter.create(api, token, 'pieces@example.org');
    const created = await api.post<{ round: { id: string } }>('/api/rounds', { title: 'Traag', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }] }, token);
    roundId = created.body.round.id;
    expect((await api.post(`/api/rounds/${roundId}/open`, undefined, token)).status).toBe(200);
  });
  afterAll(() => app.stop());

  const ballotHead = (authorization: string | undefined): string =>
    `POST /api/rounds/${roundId}/ballots HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n` +
    (authorization === undefined ? '' : `Authorization: ${authorization}\r\n`) +
    '\r\n';

  it('refuses a ballot with a bad token at once, before its body has arrived', async () => {
    for (const [authorization, code] of [
      ['Bearer not.a.token', 'invalid_token'],
      ['Basic abc', 'invalid_token'],
      [undefined, 'unauthenticated'],
    ] as const) {
      const client = new RawClient(url);
      client.send(ballotHead(authorization));
      client.trickleOut(`{"ballot":${'1'.repeat(2000)}`);
      const answer = await client.answered;
      expect(answer).toMatch(/^HTTP\/1\.1 401 /);
      expect(answer.toLowerCase()).toContain('connection: close');
      // The rest of the body is not waited for: the server closes the connection once it has answered.
      await client.closed;
      expect(client.received).toContain(`"code":"${code}"`);
    }
  });

  it('closes a connection whose headers trickle in, after the headers timeout', async () => {
    const client = new RawClient(url);
    client.trickleOut(`GET /api/health HTTP/1.1\r\nHost: x\r\n${'X-Slow: 1\r\n'.repeat(200)}\r\n`);
    await client.closed;
    expect(client.received).toMatch(/^(HTTP\/1\.1 408 |$)/);
  });

  it('closes a signed-in ballot whose body trickles in, after the request timeout', async () => {
    const client = new RawClient(url);
    client.send(ballotHead(`Bearer ${token}`));
    client.trickleOut(`{"ballot":${'1'.repeat(2000)}`);
    await client.closed;
    expect(client.received).toMatch(/^(HTTP\/1\.1 408 |$)/);
  });

  it('waits seconds, not minutes, with the timeouts of the product', async () => {
    expect(app.server.headersTimeout).toBe(400);
    const product = await startTestApp({ loadDemoData: false, cryptoWorkers: 0 });
    try {
      expect(product.app.server.headersTimeout).toBe(HTTP_TIMEOUTS.headersMs);
      expect(product.app.server.requestTimeout).toBe(HTTP_TIMEOUTS.requestMs);
      expect(HTTP_TIMEOUTS.headersMs).toBeLessThanOrEqual(10_000);
      expect(HTTP_TIMEOUTS.requestMs).toBeLessThanOrEqual(30_000);
    } finally {
      await product.stop();
    }
  });

  it('still takes a ballot whose headers and body arrive in pieces within the timeouts', async () => {
    const api = new ApiClient(url);
    const info = (await api.get<RoundInfo>(`/api/rounds/${roundId}`)).body;
    const ballot = voter.ballot(info, { pick: 'o1' });
    const body = JSON.stringify({ ballot, sig: voter.sign(ballot) });
    const client = new RawClient(url);
    const head = `POST /api/rounds/${roundId}/ballots HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nAuthorization: Bearer ${voter.login.accessToken}\r\n\r\n`;
    const half = Math.floor(head.length / 2);
    client.send(head.slice(0, half));
    client.send(head.slice(half));
    client.send(body.slice(0, 100));
    client.send(body.slice(100));
    expect(await client.answered).toMatch(/^HTTP\/1\.1 201 /);
    client.close();
  });
});
