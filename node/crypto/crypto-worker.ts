/**
 * A worker thread of the CryptoPool: verifies batches of Ed25519 signatures
 * and signs batches of messages with the key it was started with (the
 * instance key, for ballot receipts), and batches of round credentials
 * (protocol 2) under an issuing key. Only signatures: every other check
 * stays in the main thread, in order.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { workerData } from 'node:worker_threads';
import { mainThreadPort, serveRequests } from '../workers/rpc';
import { nodeCredentialCrypto } from './blind-rsa';
import { nodeCrypto, nodeSign } from './node-crypto';
import { type CryptoBatch, type CryptoReply, unpackCredentials, unpackSignatures } from './pack';

export interface CryptoWorkerData {
  /** The key `sign` uses, as PKCS#8 DER; absent for a verify-only pool. */
  readonly signingKeyPkcs8?: Uint8Array | undefined;
}

const port = mainThreadPort('crypto-worker (see CryptoPool)');
const data = workerData as CryptoWorkerData;
const signingKey: KeyObject | undefined =
  data.signingKeyPkcs8 === undefined ? undefined : createPrivateKey({ key: Buffer.from(data.signingKeyPkcs8), format: 'der', type: 'pkcs8' });

serveRequests<CryptoBatch, CryptoReply>(port, {
  answer(batch) {
    const verdicts = batch.verify === undefined ? undefined : unpackSignatures(batch.verify, (m, s, k) => nodeCrypto.verify(s, m, k));
    let signatures: Uint8Array<ArrayBuffer> | undefined;
    if (batch.sign !== undefined) {
      // A pool started without the key was never meant to sign: a bug, which fails the pool (its callers then sign inline).
      if (signingKey === undefined) throw new Error('this crypto worker has no signing key');
      const { messages, offsets, count } = batch.sign;
      signatures = new Uint8Array(count * 64);
      for (let i = 0; i < count; i += 1) signatures.set(nodeSign(messages.subarray(offsets[i] ?? 0, offsets[i + 1] ?? 0), signingKey), i * 64);
    }
    // nodeCredentialCrypto keeps one KeyObject per issuing key, so a bundle's key is imported once per worker.
    const credentialVerdicts = batch.credentials === undefined ? undefined : unpackCredentials(batch.credentials, (key, m, s) => nodeCredentialCrypto.verify(key, m, s));
    return { verdicts, signatures, credentialVerdicts };
  },
  transfer: (reply) => [reply.verdicts?.buffer, reply.signatures?.buffer, reply.credentialVerdicts?.buffer].filter((b) => b !== undefined),
});
