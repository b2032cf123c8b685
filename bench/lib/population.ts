import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashPassword } from '../../server/auth/password';
import { SqliteStore as Store } from '../../server/store/sqlite/sqlite-store';
import { loadOrCreateInstance, type Instance } from '../../server/instance/instance';
import { seedMembers, signedBallot, type BallotTarget, type SeededMember } from '../../test/helpers/population';

export const BENCH_ADMIN = { email: 'bench-admin@stemkring.test', password: 'bench-admin-password' };
export type BenchMember = SeededMember;
export type { BallotTarget };

/** A fresh data folder with an admin and `count` active members with device keys (see seedMembers). */
export async function populate(count: number): Promise<{ dataDir: string; instance: Instance; members: BenchMember[] }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stemkring-bench-'));
  const instance = loadOrCreateInstance(dataDir);
  const store = await Store.open(path.join(dataDir, 'stemkring.sqlite'));
  const at = new Date().toISOString();
  await store.db
    .insertInto('members')
    .values({
      id: 'admin',
      email: BENCH_ADMIN.email,
      name: 'Bench admin',
      password_hash: await hashPassword(BENCH_ADMIN.password),
      role: 'admin',
      status: 'active',
      created_at: at,
      approved_at: at,
      approved_by: null,
    })
    .execute();
  const members = await seedMembers(store, instance, count, 'm');
  await store.close();
  return { dataDir, instance, members };
}

/** A ballot request body as the browser sends it. */
export function signedBallotBody(round: BallotTarget, member: BenchMember, choice: unknown): string {
  return JSON.stringify(signedBallot(round, member, choice));
}
