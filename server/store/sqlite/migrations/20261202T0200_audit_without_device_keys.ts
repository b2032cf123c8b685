import { sql, type Kysely } from 'kysely';

/**
 * Key events named the device public key as their target, and that key signs
 * the member's ballots on every board: a moderator reading the audit log could
 * join the two and see how each member voted (issue 13, item 7). From now on
 * they name the member whose key it is (the actor: members add and revoke only
 * their own keys); this rewrites the events written before. The audit table is
 * not append-only by trigger (only the board is), so the rows are updated in
 * place; their other columns are kept.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update audit_events set target_type = 'member', target_id = actor_id where action in ('key.add', 'key.revoke')`.execute(db);
}

export function down(): Promise<void> {
  // The keys are gone from the log on purpose; there is nothing to restore.
  return Promise.resolve();
}
