import type { KeyObject } from 'node:crypto';
import type { CredentialTask, SignatureTask } from '../../shared/protocol/verify';
import { SMALL_WORKER } from '../tuning';
import { WorkerRpc } from '../workers/rpc';
import { startWorker, workerModule } from '../workers/start';
// A type import also brings the worker module into the typechecked program (tsconfig includes only what is imported).
import type { CryptoWorkerData } from './crypto-worker';
import { packCredentials, packMessages, packSignatures, transferables, type CryptoBatch, type CryptoReply } from './pack';

const cryptoWorker = workerModule(import.meta.url, 'crypto-worker');

/**
 * Ed25519 work on worker threads: batches of signatures to verify and of
 * messages to sign with one key; and batches of round credentials (RSA) to
 * check. The offline verifier hands it whole batches;
 * the server's ballot intake hands it single signatures, gathered into
 * chunks per event-loop turn.
 *
 * A worker that fails rejects what it was doing and the pool stops taking
 * work (`failure` is set, and every worker's waiting batches are rejected):
 * callers then do the same work in their own thread.
 */
export class CryptoPool {
  private readonly workers: WorkerRpc<CryptoBatch, CryptoReply>[];
  private nextWorker = 0;
  private closing = false;
  failure: Error | undefined;

  /** True once `close` was called: work refused after that is no failure to report. */
  get closed(): boolean {
    return this.closing;
  }

  constructor(size: number, signingKey?: KeyObject) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`a crypto pool needs at least one worker, got ${size}`);
    const data: CryptoWorkerData = signingKey === undefined ? {} : { signingKeyPkcs8: new Uint8Array(signingKey.export({ format: 'der', type: 'pkcs8' })) };
    this.workers = Array.from(
      { length: size },
      () => new WorkerRpc<CryptoBatch, CryptoReply>(startWorker(cryptoWorker, { workerData: data, resourceLimits: SMALL_WORKER }), 'a crypto worker thread', (e) => this.fail(e)),
    );
  }

  get size(): number {
    return this.workers.length;
  }

  /** Batches sent to the workers and not answered yet. */
  get pending(): number {
    let pending = 0;
    for (const worker of this.workers) pending += worker.pending;
    return pending;
  }

  /** Verdicts for the tasks, in order: 1 where the signature is valid. */
  async verifyBatch(tasks: readonly SignatureTask[]): Promise<Uint8Array> {
    const reply = await this.send({ verify: packSignatures(tasks) });
    if (reply.verdicts === undefined) throw new Error('crypto worker answered without verdicts');
    return reply.verdicts;
  }

  /** Verdicts for round credentials (protocol 2) under one issuing key, in order: 1 where valid. */
  async verifyCredentials(issuingKey: string, tasks: readonly CredentialTask[]): Promise<Uint8Array> {
    const reply = await this.send({ credentials: packCredentials(issuingKey, tasks) });
    if (reply.credentialVerdicts === undefined) throw new Error('crypto worker answered without credential verdicts');
    return reply.credentialVerdicts;
  }

  /** Verifies `tasks` and signs `messages` in one round trip to one worker. */
  run(tasks: readonly SignatureTask[], messages: readonly Uint8Array[]): Promise<CryptoReply> {
    return this.send({
      verify: tasks.length === 0 ? undefined : packSignatures(tasks),
      sign: messages.length === 0 ? undefined : packMessages(messages),
    });
  }

  private send(batch: CryptoBatch): Promise<CryptoReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    // The worker with the fewest batches waiting, taking turns among equals. Plain turns would put a verifier's
    // Ed25519 batches all on one worker and its credential batches all on the other (two sends per board batch),
    // and the Ed25519 side is the heavier; fewest-waiting lets the slower queue drain while the other takes more.
    let worker = this.workers[this.nextWorker % this.workers.length] as WorkerRpc<CryptoBatch, CryptoReply>;
    for (let k = 1; k < this.workers.length; k += 1) {
      const other = this.workers[(this.nextWorker + k) % this.workers.length] as WorkerRpc<CryptoBatch, CryptoReply>;
      if (other.pending < worker.pending) worker = other;
    }
    this.nextWorker += 1;
    return worker.request(batch, transferables(batch));
  }

  /** The first failure stops the whole pool: every worker's waiting batches are rejected with it. */
  private fail(error: Error): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const worker of this.workers) worker.fail(error);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.fail(new Error('the crypto pool is closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
