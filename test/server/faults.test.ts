import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { SqliteWriteHealth as WriteHealth } from '../../server/store/sqlite/write-health';
import type { WriteHealthEvent } from '../../server/store/write-health';
import { HTTP_TIMEOUTS } from '../../server/http/timeouts';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { initialHead, leafOf, nextHead } from '../../shared/protocol/board';
import type { Ballot } from '../../shared/protocol/types';
import { verifyBundle } from '../../shared/protocol/verify';
import { ADMIN, freshDataDir, startTestApp, testConfig } from '../helpers/app';
import { ApiClient, type ErrorBody } from '../helpers/client';
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
      // Named (protocol 1): its voters cast with device keys; secret-faults.test.ts holds the same for a secret round.
      { title: 'Onder vuur', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }, { label: 'C' }], revote: true, secret: false },
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
    const created = await api.post<{ round: { id: string } }>('/api/rounds', { title: 'Traag', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }], secret: false }, token);
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

/** Polls `check` until it holds: for states the server reaches on its own time (a probe's cached answer expiring). */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface LogLine {
  level: number;
  msg: string;
  err?: unknown;
  store?: { problem?: string; code?: string };
  repeats?: number;
}

/** pino's levels: 50 error, 40 warn. */
const ERROR = 50;

function parseLog(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

describe('a database that cannot be written', () => {
  it('read-only: health answers 503 with the reason, logins 503 store_unavailable, the cause is logged once', async () => {
    let logged = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged += chunk.toString();
        done();
      },
    });
    const app = await buildApp(testConfig(freshDataDir(), { loadDemoData: false, cryptoWorkers: 0 }), { logger: pino({ level: 'info' }, sink) });
    try {
      const api = new ApiClient(await app.start());
      expect((await api.get('/api/health')).body).toMatchObject({ status: 'ok' });

      // What a database file that became read-only does to every write of this connection: SQLITE_READONLY.
      app.store.sqlite.pragma('query_only = 1');
      const logins = await Promise.all(Array.from({ length: 20 }, () => api.post<ErrorBody>('/api/auth/login', ADMIN)));
      for (const res of logins) {
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('store_unavailable');
        expect(res.body.error.message).toContain('read-only');
      }
      const health = await api.get<{ status: string; reason: string; message: string }>('/api/health');
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: 'degraded', reason: 'read_only' });
      expect(health.body.message).toContain('readonly database');

      const lines = parseLog(logged);
      const errors = lines.filter((l) => l.level >= ERROR);
      expect(errors.map((l) => l.msg)).toEqual(['the database cannot be written: attempt to write a readonly database (SQLITE_READONLY)']);
      expect(errors[0]?.store).toMatchObject({ problem: 'read_only', code: 'SQLITE_READONLY' });
      expect(lines.filter((l) => l.err !== undefined)).toEqual([]);

      app.store.sqlite.pragma('query_only = 0');
      await until(async () => (await api.get('/api/health')).status === 200, 'health ok again');
      const after = await api.get<{ lastWriteFailure?: { reason: string } }>('/api/health');
      expect(after.body.lastWriteFailure?.reason).toBe('read_only');
      expect((await api.post('/api/auth/login', ADMIN)).status).toBe(200);
      expect(parseLog(logged).some((l) => l.msg.startsWith('the database can be written again, after 21 failed writes'))).toBe(true);
    } finally {
      await app.stop();
    }
  });

  const prlimit = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => fs.existsSync(p));

  // A full disk for the whole server process, board writer thread included: RLIMIT_FSIZE makes every write past
  // the first byte of a file fail (EFBIG or a short write), as ENOSPC would. Lowering one's own process's soft limit
  // and raising it back up to the hard limit needs no privilege.
  it.skipIf(prlimit === undefined)('disk full: ballots and logins answer 503, health says why, the log says it once, and all works again after', async () => {
    const dataDir = freshDataDir();
    const server = await startServerProcess(dataDir, { STEMKRING_BOOTSTRAP_ADMIN: `${ADMIN.email}:${ADMIN.password}`, LOG_LEVEL: 'warn' });
    let logged = '';
    server.child.stdout?.on('data', (chunk: Buffer) => (logged += chunk.toString()));
    const limitFileSize = (soft: string) => execFileSync(prlimit as string, ['--pid', String(server.child.pid), `--fsize=${soft}:`]);
    try {
      const api = new ApiClient(server.url);
      const admin = await api.login(ADMIN.email, ADMIN.password);
      const voters = await Promise.all(Array.from({ length: 8 }, (_, i) => Voter.create(api, admin.accessToken, `vol${i}@example.org`)));
      const created = await api.post<{ round: { id: string } }>('/api/rounds', { title: 'Vol', method: 'plurality', options: [{ label: 'A' }, { label: 'B' }], revote: true, secret: false }, admin.accessToken);
      const roundId = created.body.round.id;
      expect((await api.post(`/api/rounds/${roundId}/open`, undefined, admin.accessToken)).status).toBe(200);
      const info = (await api.get<RoundInfo>(`/api/rounds/${roundId}`)).body;
      expect((await voters[0]?.cast(info, { pick: 'o1' }))?.status).toBe(201);

      limitFileSize('1');
      const refused = await Promise.all(voters.map((v) => v.cast(info, { pick: 'o2' })));
      for (const res of refused) {
        expect(res.status).toBe(503);
        expect(res.body.error?.code).toBe('store_unavailable');
      }
      expect((await api.post<ErrorBody>('/api/auth/login', ADMIN)).body.error.code).toBe('store_unavailable');
      const health = await api.get<{ status: string; reason: string }>('/api/health');
      expect(health.status).toBe(503);
      expect(health.body.status).toBe('degraded');
      expect(['disk_full', 'io_error']).toContain(health.body.reason);

      limitFileSize('unlimited');
      await until(async () => (await api.get('/api/health')).status === 200, 'health ok again');
      for (const v of voters) expect((await v.cast(info, { pick: 'o2' })).status).toBe(201);
      const board = await api.get<{ entries: number }>(`/api/rounds/${roundId}/board`, admin.accessToken);
      expect(board.body.entries).toBe(1 + voters.length);

      const lines = parseLog(logged);
      const errors = lines.filter((l) => l.level >= ERROR);
      // One line per cause (a short write is SQLITE_FULL, a refused one SQLITE_IOERR_WRITE), none with a stack trace.
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.length).toBeLessThan(refused.length);
      for (const l of errors) expect(l.msg).toMatch(/^the database cannot be written: /);
      expect(new Set(errors.map((l) => l.store?.code)).size).toBe(errors.length);
      expect(lines.filter((l) => l.err !== undefined)).toEqual([]);
      expect(lines.some((l) => l.msg.startsWith('the database can be written again'))).toBe(true);
    } finally {
      try {
        limitFileSize('unlimited');
      } catch {
        // The process is gone already; the test has failed for a reason of its own.
      }
      await server.kill('SIGTERM');
    }
  }, 60_000);
});

describe('the write health', () => {
  const sqliteError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

  it('reports a cause once per minute with the count of repeats, other errors not at all, and the recovery once', async () => {
    let t = Date.UTC(2026, 11, 2, 10, 0, 0);
    const events: WriteHealthEvent[] = [];
    let failWith: Error | undefined = sqliteError('SQLITE_FULL', 'database or disk is full');
    const writes = new WriteHealth(
      (e) => events.push(e),
      () => (failWith === undefined ? Promise.resolve() : Promise.reject(failWith)),
      () => new Date(t),
    );
    expect(writes.note(new Error('a bug'))).toBeUndefined();
    expect(writes.note(sqliteError('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed'))).toBeUndefined();
    for (let i = 0; i < 100; i += 1) expect(writes.note(sqliteError('SQLITE_FULL', 'database or disk is full'))?.problem).toBe('disk_full');
    expect(writes.note(sqliteError('SQLITE_IOERR_FSYNC', 'disk I/O error'))?.problem).toBe('io_error');
    expect(events.map((e) => (e.kind === 'failing' ? [e.failure.code, e.repeats] : e.kind))).toEqual([
      ['SQLITE_FULL', 0],
      ['SQLITE_IOERR_FSYNC', 0],
    ]);
    expect((await writes.probe()).ok).toBe(false);
    t += 60_000;
    writes.note(sqliteError('SQLITE_FULL', 'database or disk is full'));
    expect(events.at(-1)).toMatchObject({ kind: 'failing', repeats: 100 });

    // Health checks within a second share one probe; the write that worked ends the failure, said once.
    failWith = undefined;
    t += 1_000;
    expect(await writes.probe()).toMatchObject({ ok: true, lastFailure: { problem: 'disk_full' } });
    writes.noteSuccess();
    expect(events.filter((e) => e.kind === 'recovered')).toEqual([{ kind: 'recovered', failures: 103, since: new Date(Date.UTC(2026, 11, 2, 10, 0, 0)).toISOString() }]);
    failWith = sqliteError('SQLITE_READONLY', 'attempt to write a readonly database');
    expect((await writes.probe()).ok).toBe(true);
    t += 1_000;
    expect(await writes.probe()).toMatchObject({ ok: false, failure: { problem: 'read_only' } });
  });
});
