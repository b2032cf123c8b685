import { sql, type Kysely } from 'kysely';

/**
 * Secret rounds (issue 15, protocol 2).
 *
 * - `rounds.secret`: every round made before this is a named round and stays
 *   protocol 1, hence the default 0 for the rows already there (a new round is
 *   secret unless its creator says otherwise: that default is the service's).
 * - `round_issuers`: the round's issuing key. The private half (PKCS#8,
 *   base64url) is what blind-signs credentials; the close transaction sets it
 *   to NULL, so that once a round is closed nobody, not even whoever copies
 *   the database later, can issue (or forge) a credential for it. The public
 *   half is kept: it is in the signed definition anyway.
 * - `credential_issuances`: only THAT a pseudonym received a credential in a
 *   round (the register's `issued` list), and the SHA-256 of its blinded
 *   request so that the same request can be answered again (RSA signing is
 *   deterministic, so the answer is recomputed, never stored). No timestamp,
 *   no member id and no blind signature: nothing here can be matched to a
 *   ballot on the board, by time or by value. The primary key is the rule
 *   "one credential per voter and round": the first insert wins, whatever
 *   the order of concurrent requests.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('rounds')
    .addColumn('secret', 'integer', (c) => c.notNull().defaultTo(0).check(sql`secret in (0, 1)`))
    .execute();
  await db.schema
    .createTable('round_issuers')
    .addColumn('round_id', 'text', (c) => c.primaryKey().references('rounds.id'))
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text')
    .execute();
  await db.schema
    .createTable('credential_issuances')
    .addColumn('round_id', 'text', (c) => c.notNull().references('rounds.id'))
    .addColumn('voter', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('credential_issuances_pk', ['round_id', 'voter'])
    .addForeignKeyConstraint('credential_issuances_voter', ['round_id', 'voter'], 'round_voters', ['round_id', 'voter'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('credential_issuances').execute();
  await db.schema.dropTable('round_issuers').execute();
  await db.schema.alterTable('rounds').dropColumn('secret').execute();
}
