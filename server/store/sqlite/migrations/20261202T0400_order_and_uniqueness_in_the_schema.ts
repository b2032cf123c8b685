import { sql, type Kysely } from 'kysely';

/**
 * Two things the code took from SQLite's particulars become the schema's:
 *
 * - Proposals made in one go were ordered by rowid, which only SQLite has. They
 *   get an explicit `seq`, copied from the rowid (so the order stays exactly
 *   as it was) and given to each new row by the database: here by a trigger,
 *   which runs under SQLite's one write lock; another database gives it from a
 *   sequence. Proposals are never deleted, so max + 1 never repeats.
 * - Numbers handed out as "the highest so far + 1" (a question's position in
 *   its session, a key's position in a voter's list of a round's register)
 *   were unique only because SQLite lets one writer in at a time. Unique
 *   indexes make them rules of the database; the inserts retry on a conflict
 *   (see appendQuestion and appendRoundKey). The new index on questions also
 *   serves every lookup the old (session_id, position) index served.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('proposals').addColumn('seq', 'integer').execute();
  await sql`update proposals set seq = rowid`.execute(db);
  await db.schema.createIndex('proposals_seq').on('proposals').column('seq').unique().execute();
  await sql`create trigger proposals_seq after insert on proposals when new.seq is null begin update proposals set seq = (select coalesce(max(seq), 0) + 1 from proposals) where rowid = new.rowid; end`.execute(db);

  await db.schema.createIndex('questions_session_position').on('questions').columns(['session_id', 'position']).unique().execute();
  await db.schema.dropIndex('questions_session').execute();

  await db.schema.createIndex('round_keys_voter_position').on('round_keys').columns(['round_id', 'voter', 'position']).unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('round_keys_voter_position').execute();
  await db.schema.createIndex('questions_session').on('questions').columns(['session_id', 'position']).execute();
  await db.schema.dropIndex('questions_session_position').execute();
  await sql`drop trigger proposals_seq`.execute(db);
  await db.schema.dropIndex('proposals_seq').execute();
  await db.schema.alterTable('proposals').dropColumn('seq').execute();
}
