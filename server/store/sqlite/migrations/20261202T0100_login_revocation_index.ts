import type { Kysely } from 'kysely';

/**
 * Every request with an access token asks whether its login (the refresh
 * family) is revoked: one seek on (family_id, revoked_at) answers it, where the
 * family index alone would walk every refresh token of a month-long login.
 * The new index also serves every lookup by family, so the old one goes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('refresh_tokens_family_revoked').on('refresh_tokens').columns(['family_id', 'revoked_at']).execute();
  await db.schema.dropIndex('refresh_tokens_family').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('refresh_tokens_family').on('refresh_tokens').column('family_id').execute();
  await db.schema.dropIndex('refresh_tokens_family_revoked').execute();
}
