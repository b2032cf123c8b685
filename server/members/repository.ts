import type { Executor } from '../store/store';
import type { DeviceKeyRow, MemberRow, MemberUpdate, NewMemberRow, RefreshTokenRow } from '../store/schema';
import type { MemberStatus } from './member';

/**
 * Inserts a member unless the email is taken: answers whether it was inserted.
 * One email, one account is the database's rule (a unique column), so it holds
 * when two registrations of one email meet.
 */
export async function insertMember(db: Executor, row: NewMemberRow): Promise<boolean> {
  const r = await db.insertInto('members').values(row).onConflict((oc) => oc.column('email').doNothing()).executeTakeFirst();
  return r.numInsertedOrUpdatedRows === 1n;
}

export async function findMemberById(db: Executor, id: string): Promise<MemberRow | undefined> {
  return db.selectFrom('members').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findMemberByEmail(db: Executor, email: string): Promise<MemberRow | undefined> {
  return db.selectFrom('members').selectAll().where('email', '=', email).executeTakeFirst();
}

export async function listMembers(db: Executor, status: MemberStatus | undefined): Promise<MemberRow[]> {
  let q = db.selectFrom('members').selectAll().orderBy('created_at').orderBy('id');
  if (status !== undefined) q = q.where('status', '=', status);
  return q.execute();
}

export async function updateMember(db: Executor, id: string, update: MemberUpdate): Promise<void> {
  await db.updateTable('members').set(update).where('id', '=', id).execute();
}

export async function countActiveAdmins(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('members')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function insertInvites(
  db: Executor,
  rows: readonly { code_hash: string; created_by: string; created_at: string; expires_at: string }[],
): Promise<void> {
  await db.insertInto('invites').values(rows.map((r) => ({ ...r, used_by: null, used_at: null }))).execute();
}

/** Marks an unused, unexpired invite as used; answers whether one was. */
export async function useInvite(db: Executor, codeHash: string, memberId: string, at: string): Promise<boolean> {
  const result = await db
    .updateTable('invites')
    .set({ used_by: memberId, used_at: at })
    .where('code_hash', '=', codeHash)
    .where('used_by', 'is', null)
    .where('expires_at', '>', at)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function insertRefreshToken(
  db: Executor,
  row: { token_hash: string; family_id: string; member_id: string; created_at: string; expires_at: string },
): Promise<void> {
  await db.insertInto('refresh_tokens').values({ ...row, used_at: null, revoked_at: null }).execute();
}

export async function findRefreshToken(db: Executor, tokenHash: string): Promise<RefreshTokenRow | undefined> {
  return db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function markRefreshTokenUsed(db: Executor, tokenHash: string, at: string): Promise<boolean> {
  const r = await db
    .updateTable('refresh_tokens')
    .set({ used_at: at })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

export async function revokeRefreshFamily(db: Executor, familyId: string, at: string): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: at })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function revokeRefreshTokensOfMember(db: Executor, memberId: string, at: string): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: at })
    .where('member_id', '=', memberId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Inserts a device key unless it is registered already (to anyone): answers whether it was inserted. */
export async function insertDeviceKey(db: Executor, row: { public_key: string; member_id: string; created_at: string }): Promise<boolean> {
  const r = await db
    .insertInto('device_keys')
    .values({ ...row, revoked_at: null })
    .onConflict((oc) => oc.column('public_key').doNothing())
    .executeTakeFirst();
  return r.numInsertedOrUpdatedRows === 1n;
}

export async function findDeviceKey(db: Executor, publicKey: string): Promise<DeviceKeyRow | undefined> {
  return db.selectFrom('device_keys').selectAll().where('public_key', '=', publicKey).executeTakeFirst();
}

export async function listDeviceKeys(db: Executor, memberId: string): Promise<DeviceKeyRow[]> {
  return db.selectFrom('device_keys').selectAll().where('member_id', '=', memberId).orderBy('created_at').execute();
}

export async function revokeDeviceKey(db: Executor, publicKey: string, at: string): Promise<void> {
  await db.updateTable('device_keys').set({ revoked_at: at }).where('public_key', '=', publicKey).execute();
}
