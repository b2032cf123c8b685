import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rounds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('question_id', 'text', (c) => c.references('questions.id'))
    // Options given at creation (JSON); null means the question's proposals, taken at open.
    .addColumn('options', 'text')
    .addColumn('seats', 'integer', (c) => c.notNull())
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('revote', 'integer', (c) => c.notNull())
    .addColumn('sealed', 'integer', (c) => c.notNull())
    .addColumn('closes_at', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft','open','closed','published')`))
    .addColumn('created_by', 'text', (c) => c.references('members.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('published_at', 'text')
    // Frozen at open: the definition as its JCS text, its hash and the instance's signature.
    .addColumn('definition', 'text')
    .addColumn('definition_hash', 'text')
    .addColumn('definition_sig', 'text')
    .addColumn('electorate_count', 'integer')
    .addColumn('final_head', 'text')
    .addColumn('board_entries', 'integer')
    // Signed at publish: the outcome as its JCS text and its signature.
    .addColumn('outcome', 'text')
    .addColumn('outcome_sig', 'text')
    .execute();
  await db.schema.createIndex('rounds_status').on('rounds').column('status').execute();
  await db.schema.createIndex('rounds_question').on('rounds').column('question_id').execute();

  await db.schema
    .createTable('round_voters')
    .addColumn('round_id', 'text', (c) => c.notNull().references('rounds.id'))
    .addColumn('voter', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull().references('members.id'))
    .addPrimaryKeyConstraint('round_voters_pk', ['round_id', 'voter'])
    .addUniqueConstraint('round_voters_member', ['round_id', 'member_id'])
    .execute();

  await db.schema
    .createTable('round_keys')
    .addColumn('round_id', 'text', (c) => c.notNull().references('rounds.id'))
    .addColumn('voter', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('round_keys_pk', ['round_id', 'public_key'])
    .execute();

  // The board: append-only. No statement in the code updates or deletes a row here.
  await db.schema
    .createTable('board_entries')
    .addColumn('round_id', 'text', (c) => c.notNull().references('rounds.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('voter', 'text', (c) => c.notNull())
    .addColumn('ballot', 'text', (c) => c.notNull())
    .addColumn('sig', 'text', (c) => c.notNull())
    .addColumn('leaf', 'text', (c) => c.notNull())
    .addColumn('head', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('board_entries_pk', ['round_id', 'seq'])
    .addUniqueConstraint('board_entries_nonce', ['round_id', 'nonce'])
    .execute();
  await sql`create trigger board_entries_no_update before update on board_entries begin select raise(abort, 'the board is append-only'); end`.execute(db);
  await sql`create trigger board_entries_no_delete before delete on board_entries begin select raise(abort, 'the board is append-only'); end`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['board_entries', 'round_keys', 'round_voters', 'rounds']) await db.schema.dropTable(t).execute();
}
