import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nodeCrypto, nodeSign, rawPublicKey } from '../../node/crypto/node-crypto';
import { CryptoPool } from '../../node/crypto/pool';
import { pooledSignatures } from '../../server/crypto/signatures';

function signer() {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: rawPublicKey(privateKey) };
}

const text = (s: string) => new TextEncoder().encode(s);

describe('the crypto pool', () => {
  it('verifies a batch on worker threads with the same verdicts as the main thread', async () => {
    const pool = new CryptoPool(2);
    try {
      const a = signer();
      const b = signer();
      const tasks = Array.from({ length: 40 }, (_, i) => {
        const message = text(`ballot ${i}`);
        const signature = nodeSign(message, i % 3 === 0 ? b.privateKey : a.privateKey);
        return { message, signature, publicKey: a.publicKey };
      });
      tasks.push({ message: text('short key'), signature: new Uint8Array(64), publicKey: new Uint8Array(31) });
      const verdicts = await pool.verifyBatch(tasks);
      expect([...verdicts]).toEqual(tasks.map((t) => (nodeCrypto.verify(t.signature, t.message, t.publicKey) ? 1 : 0)));
      expect(verdicts.filter((v) => v === 1)).toHaveLength(26);
    } finally {
      await pool.close();
    }
  });

  it('gathers single calls made in one turn, signs with the instance key, and agrees with node:crypto', async () => {
    const instance = signer();
    const member = signer();
    const signatures = pooledSignatures(new CryptoPool(1, instance.privateKey), instance.privateKey, () => {
      throw new Error('no failure expected');
    });
    try {
      const messages = Array.from({ length: 25 }, (_, i) => text(`receipt ${i}`));
      const signed = await Promise.all(messages.map((m) => signatures.sign(m)));
      signed.forEach((sig, i) => expect(Buffer.from(sig)).toEqual(Buffer.from(nodeSign(messages[i] as Uint8Array, instance.privateKey))));
      const good = nodeSign(text('a ballot'), member.privateKey);
      const bad = Uint8Array.from(good, (x, i) => (i === 0 ? x ^ 1 : x));
      await expect(
        Promise.all([signatures.verify(good, text('a ballot'), member.publicKey), signatures.verify(bad, text('a ballot'), member.publicKey)]),
      ).resolves.toEqual([true, false]);
    } finally {
      await signatures.close();
    }
  });

  it('does the work in this thread once a worker has died, and says so once', async () => {
    const instance = signer();
    // A pool started without the signing key: its worker dies on the first signing job.
    const pool = new CryptoPool(1);
    const failures: Error[] = [];
    const signatures = pooledSignatures(pool, instance.privateKey, (e) => failures.push(e));
    try {
      const message = text('after the worker');
      // Two at once go to the worker (a lone one would be done here, see below).
      const [sig] = await Promise.all([signatures.sign(message), signatures.sign(message)]);
      expect(nodeCrypto.verify(sig, message, instance.publicKey)).toBe(true);
      expect(pool.failure).toBeDefined();
      await expect(signatures.verify(nodeSign(message, instance.privateKey), message, instance.publicKey)).resolves.toBe(true);
      await signatures.sign(message);
      expect(failures).toHaveLength(1);
    } finally {
      await signatures.close();
    }
  });

  it('does a lone task at a quiet moment in this thread, and hands tasks that come together to the workers', async () => {
    const instance = signer();
    // Without the signing key the worker dies on its first signing job: whether it was asked shows.
    const pool = new CryptoPool(1);
    const signatures = pooledSignatures(pool, instance.privateKey, () => undefined);
    try {
      const message = text('alone');
      expect(nodeCrypto.verify(await signatures.sign(message), message, instance.publicKey)).toBe(true);
      await expect(signatures.verify(nodeSign(message, instance.privateKey), message, instance.publicKey)).resolves.toBe(true);
      expect(pool.failure).toBeUndefined();
      await Promise.all([signatures.sign(message), signatures.sign(message)]);
      expect(pool.failure).toBeDefined();
    } finally {
      await signatures.close();
    }
  });

  it('does not report work refused after it was closed as a failure', async () => {
    const instance = signer();
    const pool = new CryptoPool(1, instance.privateKey);
    const failures: Error[] = [];
    const signatures = pooledSignatures(pool, instance.privateKey, (e) => failures.push(e));
    await signatures.close();
    const message = text('at shutdown');
    expect(nodeCrypto.verify(await signatures.sign(message), message, instance.publicKey)).toBe(true);
    expect(failures).toHaveLength(0);
  });
});
