/**
 * Socket.io watchers in a process of their own, driven over IPC by a
 * benchmark. Receiving a push on 1,000 sockets keeps an event loop busy for
 * a while; in the process that also sends ballots and times them, that time
 * would pass for the server's. Both processes stamp times with the same wall
 * clock (timeOrigin + now, fractional ms), so they can be compared.
 */
import { spawnSync } from 'node:child_process';
import { io as connect, type Socket } from 'socket.io-client';
import { ChildRpc, isHelperProcess, serveCommands } from './child-rpc';
import { now } from './common';

export interface PushSeen {
  arrivedAt: number;
  ballots: number;
  pushedAt: number;
}

type Request =
  | { kind: 'connect'; url: string; count: number; token: string; event: string; roundId: string | null }
  | { kind: 'watch'; roundId: string; on: boolean }
  | { kind: 'report' }
  | { kind: 'cpu' }
  | { kind: 'close' };
type Answer = { seen?: PushSeen[][]; cpu?: number };

/** The parent's handle on a watchers process. */
export class Watchers {
  private readonly rpc = new ChildRpc<Request, Answer>(import.meta.url, 'watchers');

  /** Connects `count` sockets; with a round, each watches it before this resolves. */
  async connect(url: string, count: number, token: string, event: string, roundId: string | null): Promise<void> {
    await this.rpc.send({ kind: 'connect', url, count, token, event, roundId });
  }

  async watch(roundId: string, on: boolean): Promise<void> {
    await this.rpc.send({ kind: 'watch', roundId, on });
  }

  /** Every push each socket has seen so far. */
  async seen(): Promise<PushSeen[][]> {
    return (await this.rpc.send({ kind: 'report' })).seen ?? [];
  }

  /**
   * The watchers' CPU priority. `idle` puts every thread of their process in
   * Linux's SCHED_IDLE class: it runs only on CPU time nothing else wants, so
   * on this machine the watchers behave as members' devices would, elsewhere,
   * and do not compete with the server for its two cores. `normal` is the
   * ordinary class (SCHED_OTHER, nice 0). Uses `chrt` from util-linux.
   */
  priority(level: 'idle' | 'normal'): void {
    const pid = String(this.rpc.child.pid ?? '');
    const r = spawnSync('chrt', ['--all-tasks', level === 'idle' ? '--idle' : '--other', '--pid', '0', pid], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`chrt could not set the watchers' priority to ${level}: ${r.error?.message ?? r.stderr}`);
  }

  /** CPU time the watchers' process has used so far (all threads), in seconds. */
  async cpu(): Promise<number> {
    return (await this.rpc.send({ kind: 'cpu' })).cpu ?? 0;
  }

  async close(): Promise<void> {
    await this.rpc.send({ kind: 'close' });
    this.rpc.child.disconnect();
  }
}

// ---------------------------------------------------------------- the child

function serve(): void {
  const sockets: Socket[] = [];
  const seen: PushSeen[][] = [];
  serveCommands(async (c: Request): Promise<Answer> => {
    switch (c.kind) {
      case 'connect':
        for (let i = 0; i < c.count; i += 50) {
          await Promise.all(
            Array.from({ length: Math.min(50, c.count - i) }, async () => {
              const s = connect(c.url, { transports: ['websocket'], auth: { token: c.token }, reconnection: false, forceNew: true });
              const mine: PushSeen[] = [];
              s.on(c.event, (p: { turnout: { ballots: number }; at?: string; sentAt?: number }) => {
                mine.push({ arrivedAt: now(), ballots: p.turnout.ballots, pushedAt: p.sentAt ?? Date.parse(p.at ?? '') });
              });
              await new Promise<void>((resolve, reject) => {
                s.once('connect', () => resolve());
                s.once('connect_error', reject);
              });
              if (c.roundId !== null) await new Promise<void>((resolve) => s.emit('round:watch', { roundId: c.roundId }, () => resolve()));
              sockets.push(s);
              seen.push(mine);
            }),
          );
        }
        return {};
      case 'watch':
        await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.emit(c.on ? 'round:watch' : 'round:unwatch', { roundId: c.roundId }, () => resolve()))));
        return {};
      case 'report':
        return { seen };
      case 'cpu': {
        const u = process.cpuUsage();
        return { cpu: (u.user + u.system) / 1e6 };
      }
      case 'close':
        for (const s of sockets) s.close();
        return {};
    }
  });
}

if (isHelperProcess(import.meta.url)) serve();
