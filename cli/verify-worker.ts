/**
 * Worker thread of `stemkring verify --workers N`: verifies batches of ballot
 * signatures with node:crypto. Only signatures: the leaves, the chain and
 * every other check stay in the main thread, in board order.
 */
import { parentPort } from 'node:worker_threads';
import { nodeCrypto } from '../server/crypto/node-crypto';

export interface VerifyBatch {
  readonly id: number;
  readonly count: number;
  /** The signed bytes of every ballot, back to back; ballot i is messages[offsets[i]..offsets[i+1]). */
  readonly messages: Uint8Array<ArrayBuffer>;
  readonly offsets: Uint32Array<ArrayBuffer>;
  /** 64 bytes per ballot. */
  readonly signatures: Uint8Array<ArrayBuffer>;
  /** 32 bytes per ballot. */
  readonly keys: Uint8Array<ArrayBuffer>;
}

export interface VerifyBatchReply {
  readonly id: number;
  /** 1 where the signature is valid, 0 where not. */
  readonly verdicts: Uint8Array<ArrayBuffer>;
}

export function verifyBatch(batch: VerifyBatch): Uint8Array<ArrayBuffer> {
  const verdicts = new Uint8Array(batch.count);
  for (let i = 0; i < batch.count; i += 1) {
    const message = batch.messages.subarray(batch.offsets[i] ?? 0, batch.offsets[i + 1] ?? 0);
    const signature = batch.signatures.subarray(i * 64, i * 64 + 64);
    const key = batch.keys.subarray(i * 32, i * 32 + 32);
    verdicts[i] = nodeCrypto.verify(signature, message, key) ? 1 : 0;
  }
  return verdicts;
}

parentPort?.on('message', (batch: VerifyBatch) => {
  const verdicts = verifyBatch(batch);
  const reply: VerifyBatchReply = { id: batch.id, verdicts };
  parentPort?.postMessage(reply, [verdicts.buffer]);
});
