/**
 * Ed25519 for ballot intake: verify a ballot's signature, sign its receipt
 * with the instance key, either in this thread or gathered onto the
 * CryptoPool's worker threads.
 */
import type { KeyObject } from 'node:crypto';
import { nodeCrypto, nodeSign } from '../../node/crypto/node-crypto';
import type { CryptoPool } from '../../node/crypto/pool';
import { CRYPTO_CHUNK } from '../../node/tuning';
import type { SignatureTask } from '../../shared/protocol/verify';

/** What ballot intake needs of Ed25519: verify a ballot, sign a receipt with the instance key. */
export interface Signatures {
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
  sign(message: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Both in this thread: for tests and for machines with one core. */
export function inlineSignatures(signingKey: KeyObject): Signatures {
  return {
    verify: (signature, message, publicKey) => Promise.resolve(nodeCrypto.verify(signature, message, publicKey)),
    sign: (message) => Promise.resolve(nodeSign(message, signingKey)),
    close: () => Promise.resolve(),
  };
}

interface Queued<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Signatures on worker threads. Calls made in the same event-loop turn (the
 * requests read off the sockets together) are gathered and sent in chunks of
 * CRYPTO_CHUNK, spread over the workers, so the cost of crossing threads is shared
 * while no caller waits for a whole turn's work; the main thread meanwhile
 * parses the next requests. A lone call while no chunk is out (a quiet
 * moment) is done here at once. If the pool fails, the work is done here instead:
 * a ballot is never refused, nor a receipt withheld, because a thread died.
 */
export function pooledSignatures(pool: CryptoPool, signingKey: KeyObject, onFailure: (error: Error) => void): Signatures {
  const inline = inlineSignatures(signingKey);
  let verifies: { task: SignatureTask; waiter: Queued<boolean> }[] = [];
  let signs: { message: Uint8Array; waiter: Queued<Uint8Array> }[] = [];
  let scheduled = false;
  let reported = false;

  const doHere = (v: typeof verifies, s: typeof signs): void => {
    for (const { task, waiter } of v) void inline.verify(task.signature, task.message, task.publicKey).then(waiter.resolve, waiter.reject);
    for (const { message, waiter } of s) void inline.sign(message).then(waiter.resolve, waiter.reject);
  };

  const runInline = (v: typeof verifies, s: typeof signs, error: Error): void => {
    if (!reported && !pool.closed) {
      reported = true;
      onFailure(error);
    }
    doHere(v, s);
  };

  const flush = (): void => {
    scheduled = false;
    const v = verifies;
    const s = signs;
    verifies = [];
    signs = [];
    if (pool.failure !== undefined) {
      runInline(v, s, pool.failure);
      return;
    }
    if (pool.pending === 0 && v.length + s.length === 1) {
      // A lone task at a quiet moment: doing it here (~0.1 ms) is quicker than waking a
      // worker and being woken back, two thread switches that on a busy two-core machine
      // each wait for a core. Tasks that come together, or while the workers are busy, go to them.
      doHere(v, s);
      return;
    }
    // Small chunks, spread over the workers: a chunk's callers hear back as soon as it is
    // done, rather than when the whole turn's work is. Receipts (already committed ballots) go first.
    for (let at = 0; at < s.length; at += CRYPTO_CHUNK) send([], s.slice(at, at + CRYPTO_CHUNK));
    for (let at = 0; at < v.length; at += CRYPTO_CHUNK) send(v.slice(at, at + CRYPTO_CHUNK), []);
  };

  const send = (vPart: typeof verifies, sPart: typeof signs): void => {
    pool.run(vPart.map((x) => x.task), sPart.map((x) => x.message)).then(
      (reply) => {
        vPart.forEach((x, i) => x.waiter.resolve(reply.verdicts?.[i] === 1));
        sPart.forEach((x, i) => {
          const sig = reply.signatures?.subarray(i * 64, i * 64 + 64);
          if (sig === undefined || sig.length !== 64) x.waiter.reject(new Error('crypto worker answered without a signature'));
          else x.waiter.resolve(sig);
        });
      },
      (error: unknown) => runInline(vPart, sPart, error instanceof Error ? error : new Error(String(error))),
    );
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  return {
    verify: (signature, message, publicKey) =>
      new Promise<boolean>((resolve, reject) => {
        verifies.push({ task: { signature, message, publicKey }, waiter: { resolve, reject } });
        schedule();
      }),
    sign: (message) =>
      new Promise<Uint8Array>((resolve, reject) => {
        signs.push({ message, waiter: { resolve, reject } });
        schedule();
      }),
    close: () => pool.close(),
  };
}
