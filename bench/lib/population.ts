import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashPassword } from '../../server/auth/password';
import { AccessTokens } from '../../server/auth/tokens';
import { Store } from '../../server/db/store';
import { loadOrCreateInstance, type Instance } from '../../server/instance/instance';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { signedBytes } from '../../shared/protocol/signing';

export const BENCH_ADMIN = { email: 'bench-admin@stemkring.test', password: 'bench-admin-password' };

export interface BenchMember {
  readonly id: string;
  readonly publicKey: string;
  readonly privateKey: KeyObject;
  token: string;
}

/**
 * A data folder with many active members, each with a device key, written
 * straight into the store: registering thousands through the API would spend
 * the benchmark's minutes on scrypt. Tokens are minted with the instance's
 * own secret, as the server would after a login.
 */
export async function populate(count: number): Promise<{ dataDir: string; instance: Instance; members: BenchMember[] }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stemkring-bench-'));
  const instance = loadOrCreateInstance(dataDir);
  const store = await Store.open(path.join(dataDir, 'stemkring.sqlite'));
  const at = new Date().toISOString();
  const passwordHash = await hashPassword(BENCH_ADMIN.password);
  const members: BenchMember[] = [];
  for (let i = 0; i < count; i++) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
    members.push({ id: `m${i}`, publicKey: encodeBase64Url(new Uint8Array(raw)), privateKey, token: '' });
  }
  await store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('members')
      .values({ id: 'admin', email: BENCH_ADMIN.email, name: 'Bench admin', password_hash: passwordHash, role: 'admin', status: 'active', created_at: at, approved_at: at, approved_by: null })
      .execute();
    for (let i = 0; i < members.length; i += 2_000) {
      const chunk = members.slice(i, i + 2_000);
      await trx
        .insertInto('members')
        .values(chunk.map((m) => ({ id: m.id, email: `${m.id}@bench.test`, name: m.id, password_hash: passwordHash, role: 'member' as const, status: 'active' as const, created_at: at, approved_at: at, approved_by: null })))
        .execute();
      await trx.insertInto('device_keys').values(chunk.map((m) => ({ public_key: m.publicKey, member_id: m.id, created_at: at, revoked_at: null }))).execute();
    }
  });
  await store.close();
  const tokens = new AccessTokens(instance.secret, instance.id, 3_600);
  for (const m of members) m.token = await tokens.issue(m.id, new Date());
  return { dataDir, instance, members };
}

export interface RoundForBallots {
  readonly instance: string;
  readonly round: string;
  readonly definitionHash: string;
}

/** A ballot body as the browser sends it, signed with the member's key. */
export function signedBallotBody(round: RoundForBallots, member: BenchMember, choice: unknown): string {
  const ballot = {
    instance: round.instance,
    round: round.round,
    definition: round.definitionHash,
    key: member.publicKey,
    choice,
    nonce: encodeBase64Url(new Uint8Array(Buffer.from(Array.from({ length: 16 }, () => Math.floor(Math.random() * 256))))),
    castAt: new Date().toISOString(),
  };
  const sig = encodeBase64Url(new Uint8Array(sign(null, signedBytes('ballot', ballot), member.privateKey)));
  return JSON.stringify({ ballot, sig });
}
