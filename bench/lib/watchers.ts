/**
 * Socket.io watchers in a process of their own, driven over IPC by a
 * benchmark. Receiving a push on 1,000 sockets keeps an event loop busy for
 * a while; in the process that also sends ballots and times them, that time
 * would pass for the server's. Both processes stamp times with the same wall
 * clock (timeOrigin + now, fractional ms), so they can be compared.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { io as connect, type Socket } from 'socket.io-client';

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
type Command = Request & { id: number };

type Reply = { id: number; ok: true; seen?: PushSeen[][]; cpu?: number } | { id: number; ok: false; message: string };

const now = () => performance.timeOrigin + performance.now();

/** The parent's handle on a watchers process. */
export class Watchers {
  private readonly child: ChildProcess;
  private nextId = 0;
  private readonly waiting = new Map<number, (r: Reply) => void>();

  constructor() {
    this.child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (r: Reply) => {
      this.waiting.get(r.id)?.(r);
      this.waiting.delete(r.id);
    });
  }

  private async send(command: Request): Promise<Reply & { ok: true }> {
    const id = this.nextId++;
    const reply = await new Promise<Reply>((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ ...command, id });
    });
    if (!reply.ok) throw new Error(`watchers: ${reply.message}`);
    return reply;
  }

  /** Connects `count` sockets; with a round, each watches it before this resolves. */
  async connect(url: string, count: number, token: string, event: string, roundId: string | null): Promise<void> {
    await this.send({ kind: 'connect', url, count, token, event, roundId });
  }

  async watch(roundId: string, on: boolean): Promise<void> {
    await this.send({ kind: 'watch', roundId, on });
  }

  /** Every push each socket has seen so far. */
  async seen(): Promise<PushSeen[][]> {
    return (await this.send({ kind: 'report' })).seen ?? [];
  }

  /**
   * The watchers' CPU priority. `idle` puts every thread of their process in
   * Linux's SCHED_IDLE class: it runs only on CPU time nothing else wants, so
   * on this machine the watchers behave as members' devices would, elsewhere,
   * and do not compete with the server for its two cores. `normal` is the
   * ordinary class (SCHED_OTHER, nice 0). Uses `chrt` from util-linux.
   */
  priority(level: 'idle' | 'normal'): void {
    const pid = String(this.child.pid ?? '');
    const r = spawnSync('chrt', ['--all-tasks', level === 'idle' ? '--idle' : '--other', '--pid', '0', pid], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`chrt could not set the watchers' priority to ${level}: ${r.error?.message ?? r.stderr}`);
  }

  /** CPU time the watchers' process has used so far (all threads), in seconds. */
  async cpu(): Promise<number> {
    return (await this.send({ kind: 'cpu' })).cpu ?? 0;
  }

  async close(): Promise<void> {
    await this.send({ kind: 'close' });
    this.child.disconnect();
  }
}

// ---------------------------------------------------------------- the child

function serve(): void {
  const sockets: Socket[] = [];
  const seen: PushSeen[][] = [];
  const run = async (c: Command): Promise<Reply> => {
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
        return { id: c.id, ok: true };
      case 'watch':
        await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.emit(c.on ? 'round:watch' : 'round:unwatch', { roundId: c.roundId }, () => resolve()))));
        return { id: c.id, ok: true };
      case 'report':
        return { id: c.id, ok: true, seen };
      case 'cpu': {
        const u = process.cpuUsage();
        return { id: c.id, ok: true, cpu: (u.user + u.system) / 1e6 };
      }
      case 'close':
        for (const s of sockets) s.close();
        return { id: c.id, ok: true };
    }
  };
  process.on('message', (c: Command) => {
    run(c).then(
      (reply) => process.send?.(reply),
      (e: unknown) => process.send?.({ id: c.id, ok: false, message: e instanceof Error ? e.message : String(e) }),
    );
  });
}

if (process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) serve();
