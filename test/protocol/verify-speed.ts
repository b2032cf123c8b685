/**
 * Speed of the verifier against raw node:crypto Ed25519 verification, on one
 * core: `npx tsx test/protocol/verify-speed.ts [ballots] [cache.json]`
 * (default 100,000 ballots; the bundle is kept in the cache file when given).
 * The target is at least 0.8 of the raw speed. Not a vitest test: building
 * and checking 100,000 ballots takes a while, and timing on shared machines
 * belongs in a measurement, not in a pass/fail test.
 */
import { createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { nodeCrypto, nodeSign } from '../../node/crypto/node-crypto';
import { concatBytes, decodeBase64Url } from '../../shared/protocol/encoding';
import { signedBytes } from '../../shared/protocol/signing';
import type { Bundle } from '../../shared/protocol/types';
import { verifyBundle } from '../../shared/protocol/verify';
import { buildBundle, type FixtureBallot, type FixtureSigner } from './bundle-fixture';

// Importing a seed as PKCS#8 takes OpenSSL 3 about half a millisecond, so the
// bench makes fresh key pairs and keeps their KeyObjects; the seed is ignored.
const privateKeys = new Map<string, KeyObject>();
const nodeSigner: FixtureSigner = {
  keyPair() {
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    const secretKey = concatBytes(Buffer.from(jwk.d ?? '', 'base64url'), Buffer.from(jwk.x ?? '', 'base64url'));
    privateKeys.set(Buffer.from(secretKey).toString('hex'), privateKey);
    return { publicKey: secretKey.slice(32), secretKey };
  },
  sign(message, secretKey) {
    const key = privateKeys.get(Buffer.from(secretKey).toString('hex'));
    if (key === undefined) throw new Error('unknown key');
    return nodeSign(message, key);
  },
};

function bytes(text: string): Uint8Array {
  const decoded = decodeBase64Url(text);
  if (!decoded.ok) throw new Error('bad base64url');
  return decoded.value;
}

function main(): void {
  const n = Number(process.argv[2] ?? 100_000);
  const options = ['a', 'b', 'c', 'd', 'e'];
  const ballots: FixtureBallot[] = Array.from({ length: n }, (_, i) => ({
    voter: i,
    choice: { approve: options.filter((_, k) => ((i * 7 + k * 3) % 5) < 2) },
  }));
  // An optional cache file spares rebuilding (signing) the bundle between runs.
  const cache = process.argv[3];
  const t = performance.now();
  let text: string;
  if (cache !== undefined && existsSync(cache)) {
    text = readFileSync(cache, 'utf8');
  } else {
    const built = buildBundle({
      voters: n,
      ballots,
      signer: nodeSigner,
      crypto: nodeCrypto,
      definition: { options: options.map((id) => ({ id, label: `Option ${id}` })), seats: 2, rules: {} },
    });
    text = JSON.stringify(built.bundle);
    if (cache !== undefined) writeFileSync(cache, text);
  }
  const bundle = JSON.parse(text) as Bundle;
  console.log(`${bundle.board.length} ballots ready in ${((performance.now() - t) / 1000).toFixed(1)} s (${(text.length / 1e6).toFixed(1)} MB)`);

  // CPU time of this thread, best of three rounds each: the machine may be shared, and wall time would count other processes.
  const cpu = (f: () => void): number => {
    const start = process.cpuUsage();
    f();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };

  // The verifier first, with the heap as the command line has it (one parsed bundle, nothing else kept).
  let full = Infinity;
  for (let round = 0; round < 3; round += 1) {
    full = Math.min(
      full,
      cpu(() => {
        const report = verifyBundle(bundle, nodeCrypto);
        if (!report.ok) throw new Error(`verifier rejected the bundle: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`);
      }),
    );
  }

  // Raw: the signatures alone, messages ready; keys either ready as KeyObjects or imported per verification.
  const tasks = bundle.board.map((e) => ({
    message: signedBytes('ballot', e.ballot),
    signature: bytes(e.sig),
    key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: e.ballot.key }, format: 'jwk' }),
    jwk: { kty: 'OKP', crv: 'Ed25519', x: e.ballot.key },
  }));
  let raw = Infinity;
  let rawWithKeys = Infinity;
  for (let round = 0; round < 3; round += 1) {
    raw = Math.min(
      raw,
      cpu(() => {
        let valid = 0;
        for (const task of tasks) if (verify(null, task.message, task.key, task.signature)) valid += 1;
        if (valid !== tasks.length) throw new Error('raw verification failed');
      }),
    );
    rawWithKeys = Math.min(
      rawWithKeys,
      cpu(() => {
        let valid = 0;
        for (const task of tasks) if (verify(null, task.message, { key: task.jwk, format: 'jwk' }, task.signature)) valid += 1;
        if (valid !== tasks.length) throw new Error('raw verification failed');
      }),
    );
  }

  const rate = (ms: number): string => `${Math.round((tasks.length / ms) * 1000).toLocaleString('en')} ballots/s`;
  console.log(`raw node:crypto verify, KeyObjects ready:     ${rate(raw)} (${(raw / 1000).toFixed(2)} s CPU)`);
  console.log(`raw node:crypto verify, each key from its JWK: ${rate(rawWithKeys)} (${(rawWithKeys / 1000).toFixed(2)} s CPU)`);
  console.log(`verifyBundle (every check and the recount):   ${rate(full)} (${(full / 1000).toFixed(2)} s CPU)`);
  console.log(`ratio: ${(raw / full).toFixed(3)} against ready KeyObjects, ${(rawWithKeys / full).toFixed(3)} against keys imported (target ≥ 0.8)`);
}

main();
