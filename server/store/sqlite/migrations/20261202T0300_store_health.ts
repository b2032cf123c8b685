import { sql, type Kysely } from 'kysely';

/**
 * One row the health check rewrites: a real write (a WAL frame and an fsync)
 * that tells whether the database can be written now, without touching any
 * record of the association.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('store_health')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('probed_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('store_health').execute();
}
