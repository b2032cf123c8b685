/**
 * Anonymous HTTP readers in a process of their own, driven over IPC by a
 * benchmark (as bench/lib/watchers.ts drives sockets): receiving hundreds of
 * answers keeps an event loop busy, and in the process that also times
 * `/api/health` or samples the server's memory, that time would pass for the
 * server's. Times are wall-clock (timeOrigin + now, fractional ms), as in
 * watchers.ts, so both processes can compare them. Only 127.0.0.1, and every
 * command stops by itself (a bounded number of waves, a deadline).
 */
import http from 'node:http';
import { ChildRpc, isHelperProcess, serveCommands } from './child-rpc';
import { now } from './common';

/** Waves of concurrent GETs: each wave sends `concurrency` requests at once and waits for all of them. */
export interface WavesResult {
  startedAt: number;
  endedAt: number;
  /** Each answered request's latency, ms. */
  latencies: number[];
  /** Requests that failed or were not answered 200. */
  failed: number;
  /** Bytes of the bodies answered 200. */
  bytes: number;
}

/**
 * Concurrent GETs of one large body by readers that stop reading for a while:
 * each reads its first `pauseAfter` bytes and stops; once all have (or ended
 * before), they stay stopped `stallMs` more, then read the rest as fast as
 * they can. While they are stopped the server's writes to all of them back up.
 */
export interface StallResult {
  startedAt: number;
  /** When the last reader stopped, and when they all went on (wall clock, ms). */
  stalledAt: number;
  resumedAt: number;
  endedAt: number;
  /** Per reader: the status, the body's bytes, how long it took (ms), and what went wrong. */
  readers: { status: number; bytes: number; ms: number; error: string | null }[];
}

type Request =
  | { kind: 'waves'; url: string; path: string; concurrency: number; waves: number }
  | { kind: 'stall'; url: string; path: string; readers: number; pauseAfter: number; stallMs: number; deadlineMs: number }
  | { kind: 'close' };
type Answer = { waves?: WavesResult; stall?: StallResult };

/** The parent's handle on a readers process. */
export class Readers {
  private readonly rpc = new ChildRpc<Request, Answer>(import.meta.url, 'readers');

  /** `waves` waves of `concurrency` GETs of `path`, one after another; each wave's requests go out together. */
  async waves(url: string, path: string, concurrency: number, waves: number): Promise<WavesResult> {
    const r = await this.rpc.send({ kind: 'waves', url, path, concurrency, waves });
    if (r.waves === undefined) throw new Error('readers: no result');
    return r.waves;
  }

  /** `readers` GETs of `path` at once that stop reading for a while (see StallResult); any still reading at the deadline are cut off. */
  async stall(url: string, path: string, readers: number, pauseAfter: number, stallMs: number, deadlineMs: number): Promise<StallResult> {
    const r = await this.rpc.send({ kind: 'stall', url, path, readers, pauseAfter, stallMs, deadlineMs });
    if (r.stall === undefined) throw new Error('readers: no result');
    return r.stall;
  }

  async close(): Promise<void> {
    await this.rpc.send({ kind: 'close' });
    this.rpc.child.disconnect();
  }

  /** Ends the process without asking it (after a failure, when it may not answer). */
  kill(): void {
    if (this.rpc.child.exitCode === null) this.rpc.child.kill('SIGTERM');
  }
}

// ---------------------------------------------------------------- the child

function get(agent: http.Agent, base: URL, path: string, onBody: (res: http.IncomingMessage) => void): http.ClientRequest {
  if (base.hostname !== '127.0.0.1') throw new Error(`readers only talk to 127.0.0.1, not ${base.hostname}`);
  const req = http.request({ host: base.hostname, port: base.port, path, method: 'GET', agent }, onBody);
  req.end();
  return req;
}

async function waves(c: Extract<Request, { kind: 'waves' }>): Promise<WavesResult> {
  const base = new URL(c.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: c.concurrency });
  const result: WavesResult = { startedAt: now(), endedAt: 0, latencies: [], failed: 0, bytes: 0 };
  const one = () =>
    new Promise<void>((resolve) => {
      const sentAt = now();
      let settled = false;
      const settle = (ok: boolean, bytes: number) => {
        if (settled) return;
        settled = true;
        if (ok) {
          result.latencies.push(now() - sentAt);
          result.bytes += bytes;
        } else result.failed += 1;
        resolve();
      };
      const req = get(agent, base, c.path, (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => settle(res.statusCode === 200, bytes));
        res.on('error', () => settle(false, 0));
        res.on('close', () => settle(false, 0));
      });
      req.on('error', () => settle(false, 0));
    });
  for (let w = 0; w < c.waves; w++) await Promise.all(Array.from({ length: c.concurrency }, one));
  result.endedAt = now();
  agent.destroy();
  return result;
}

async function stall(c: Extract<Request, { kind: 'stall' }>): Promise<StallResult> {
  const base = new URL(c.url);
  // One connection each, as separate clients would have.
  const agent = new http.Agent({ keepAlive: false, maxSockets: c.readers });
  const result: StallResult = { startedAt: now(), stalledAt: 0, resumedAt: 0, endedAt: 0, readers: [] };
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived = 0;
  const arrive = () => {
    arrived += 1;
    if (arrived !== c.readers) return;
    result.stalledAt = now();
    setTimeout(() => {
      result.resumedAt = now();
      release();
    }, c.stallMs);
  };
  const requests: http.ClientRequest[] = [];
  const deadline = setTimeout(() => {
    release();
    for (const req of requests) req.destroy(new Error('deadline'));
  }, c.deadlineMs);
  result.readers = await Promise.all(
    Array.from(
      { length: c.readers },
      () =>
        new Promise<StallResult['readers'][number]>((resolve) => {
          const sentAt = now();
          let status = 0;
          let bytes = 0;
          let stopped = false;
          let settled = false;
          const done = (error: string | null) => {
            if (settled) return;
            settled = true;
            // A reader that ends (or fails) before its stop counts as stopped, so the others are not kept waiting.
            if (!stopped) arrive();
            resolve({ status, bytes, ms: now() - sentAt, error });
          };
          const req = get(agent, base, c.path, (res) => {
            status = res.statusCode ?? 0;
            res.on('data', (chunk: Buffer) => {
              bytes += chunk.length;
              if (!stopped && bytes >= c.pauseAfter) {
                stopped = true;
                res.pause();
                arrive();
                void released.then(() => res.resume());
              }
            });
            res.on('end', () => done(null));
            res.on('error', (e) => done(e.message));
            // Cut off (the deadline) without an error event: the first of these calls is the one that counts.
            res.on('close', () => done(res.complete ? null : 'closed before the end'));
          });
          req.on('error', (e) => done(e.message));
          requests.push(req);
        }),
    ),
  );
  clearTimeout(deadline);
  agent.destroy();
  result.endedAt = now();
  return result;
}

function serve(): void {
  serveCommands(async (c: Request): Promise<Answer> => {
    switch (c.kind) {
      case 'waves':
        return { waves: await waves(c) };
      case 'stall':
        return { stall: await stall(c) };
      case 'close':
        return {};
    }
  });
}

if (isHelperProcess(import.meta.url)) serve();
