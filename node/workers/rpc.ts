/**
 * One way to ask a worker thread for work and hear back: request ids, the
 * requests still waiting, one failure latch, transfer lists, and the worker's
 * side of the same envelope. The crypto pool, the board writer thread and the
 * count worker all talk through it; what each does when its thread fails
 * (work inline, write on the main thread, reject the count) stays with it.
 *
 * Why not piscina (the well-kept worker pool): none of the three is a plain
 * task pool. The board writer is one stateful thread owning a database
 * connection, closed in order after its last batch; the count worker takes a
 * job, then a stream of ballot chunks (one big message would block the event
 * loop while it is copied), then answers once; the crypto pool must stop at
 * its first dead worker so ballot intake switches to inline signing, where
 * piscina respawns and retries. And from source every worker here starts
 * through an evaluated tsx bootstrap (see start.ts), which piscina, taking a
 * filename, cannot start. What piscina would add over this file (queueing,
 * respawn, idle timeouts) none of the three uses.
 */
import { parentPort, type MessagePort, type Transferable, type Worker } from 'node:worker_threads';
import { assertNever } from '../../shared/result';

/** Main thread → worker: a request expects one reply with its id; a note expects none. */
export type ToWorker<Request, Note> =
  | { readonly kind: 'request'; readonly id: number; readonly body: Request }
  | { readonly kind: 'note'; readonly body: Note };

/** Worker → main thread: the reply to request `id`. */
export interface FromWorker<Reply> {
  readonly id: number;
  readonly body: Reply;
}

/** What a request gets when its thread failed (crashed, threw, or exited unasked) before answering. */
export class WorkerFailure extends Error {
  override readonly name = 'WorkerFailure';
  constructor(
    /** Which thread, in words ("the board writer thread"). */
    readonly worker: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

interface Waiting<Reply> {
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

/**
 * The main thread's side of one worker thread. The first failure latches:
 * every waiting request is rejected with it, later requests are refused with
 * it at once, and `onFailure` hears of it once. Ending the thread on purpose
 * (`terminate`, `end`) is not reported as a failure, though later requests
 * are refused.
 */
export class WorkerRpc<Request, Reply, Note = never> {
  private readonly waiting = new Map<number, Waiting<Reply>>();
  private nextId = 0;
  private closing = false;
  private latched: Error | undefined;
  /** Settles once the thread has ended, however it ended. */
  readonly exited: Promise<void>;

  constructor(
    private readonly worker: Worker,
    /** The thread in words, for error messages. */
    readonly name: string,
    private readonly onFailure: (error: Error) => void = () => undefined,
  ) {
    worker.on('message', (reply: FromWorker<Reply>) => {
      const waiting = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      waiting?.resolve(reply.body);
    });
    worker.on('error', (error) => this.fail(new WorkerFailure(name, `${name} failed: ${error.message}`, { cause: error })));
    this.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        // Ended on purpose: not reported, but later requests are refused rather than left waiting on a thread that is gone.
        if (this.closing) this.latch(new WorkerFailure(name, `${name} was closed`), false);
        else this.fail(new WorkerFailure(name, `${name} exited with code ${code}`));
        resolve();
      });
    });
  }

  /** The first failure, once there was one; after an end on purpose, the error later requests get. */
  get failure(): Error | undefined {
    return this.latched;
  }

  /** Requests sent and not answered yet. */
  get pending(): number {
    return this.waiting.size;
  }

  /** Asks the worker; `transfer` lists buffers that move rather than being copied (they are unusable here afterwards). */
  request(body: Request, transfer: readonly Transferable[] = []): Promise<Reply> {
    if (this.latched !== undefined) return Promise.reject(this.latched);
    const message: ToWorker<Request, Note> = { kind: 'request', id: this.nextId, body };
    this.nextId += 1;
    return new Promise<Reply>((resolve, reject) => {
      this.waiting.set(message.id, { resolve, reject });
      this.worker.postMessage(message, transfer);
    });
  }

  /** Tells the worker something that needs no answer; dropped once the thread failed. */
  notify(body: Note, transfer: readonly Transferable[] = []): void {
    if (this.latched !== undefined) return;
    const message: ToWorker<Request, Note> = { kind: 'note', body };
    this.worker.postMessage(message, transfer);
  }

  /**
   * Latches `error` as this thread's failure (the first one wins), rejects
   * what is waiting and tells `onFailure`. Also for owners of several
   * threads: one thread's failure can fail the others.
   */
  fail(error: Error): void {
    this.latch(error, true);
  }

  /** Stops the thread now; requests still waiting are refused. */
  async terminate(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }

  /**
   * Ends the thread in order: `goodbye` is queued behind everything sent
   * before it, and the worker ends itself on it. A thread that has not ended
   * within `budgetMs` is terminated; a failed one is terminated at once.
   */
  async end(goodbye: Note, budgetMs: number): Promise<void> {
    if (this.latched !== undefined) {
      await this.terminate();
      return;
    }
    this.closing = true;
    this.notify(goodbye);
    const timeout = setTimeout(() => void this.worker.terminate(), budgetMs);
    await this.exited;
    clearTimeout(timeout);
  }

  private latch(error: Error, report: boolean): void {
    if (this.latched !== undefined) return;
    this.latched = error;
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
    if (report) this.onFailure(error);
  }
}

/** The port to the main thread; throws if this module was loaded outside a worker thread. */
export function mainThreadPort(worker: string): MessagePort {
  if (parentPort === null) throw new Error(`${worker} runs only as a worker thread`);
  return parentPort;
}

/** The worker's side: how it answers requests and takes notes. */
export interface WorkerService<Request, Reply, Note = never> {
  /** Answers a request. A throw is a bug: it ends the thread, and the main thread sees a WorkerFailure. */
  answer(body: Request): Reply;
  /** Buffers of `reply` to move to the main thread rather than copy. */
  transfer?(reply: Reply): readonly Transferable[];
  /** Takes a note; a worker sent notes must have this. */
  take?(body: Note): void;
}

/** Serves `service` on `port` (from mainThreadPort), one message at a time, in the order sent. */
export function serveRequests<Request, Reply, Note = never>(port: MessagePort, service: WorkerService<Request, Reply, Note>): void {
  port.on('message', (message: ToWorker<Request, Note>) => {
    switch (message.kind) {
      case 'request': {
        const body = service.answer(message.body);
        const reply: FromWorker<Reply> = { id: message.id, body };
        port.postMessage(reply, service.transfer?.(body) ?? []);
        return;
      }
      case 'note':
        if (service.take === undefined) throw new Error('this worker takes no notes');
        service.take(message.body);
        return;
      default:
        assertNever(message, 'worker message');
    }
  });
}
