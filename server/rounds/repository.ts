import type { Insertable, Selectable, Updateable } from 'kysely';
import type { BoardEntryRow, RoundRow, RoundsTable } from '../store/schema';
import { insertAtNextPosition } from '../store/next-position';
import type { Executor, PublishedEntry, Store } from '../store/store';
import type { RoundStatus } from './model';
import type { Turns } from '../http/turns';

/** The table keeps the flags as integers 0/1; the rest of the server sees booleans. */
function toRoundRow(row: Selectable<RoundsTable>): RoundRow {
  return { ...row, revote: row.revote === 1, sealed: row.sealed === 1, secret: row.secret === 1 };
}

export async function insertRound(
  db: Executor,
  row: Omit<Insertable<RoundsTable>, 'revote' | 'sealed' | 'secret'> & { revote: boolean; sealed: boolean; secret: boolean },
): Promise<void> {
  await db
    .insertInto('rounds')
    .values({ ...row, revote: row.revote ? 1 : 0, sealed: row.sealed ? 1 : 0, secret: row.secret ? 1 : 0 })
    .execute();
}

export async function findRound(db: Executor, id: string): Promise<RoundRow | undefined> {
  const row = await db.selectFrom('rounds').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toRoundRow(row);
}

export async function listRounds(db: Executor, filter: { status?: RoundStatus | undefined; questionIds?: readonly string[] | undefined }): Promise<RoundRow[]> {
  let q = db.selectFrom('rounds').selectAll().orderBy('created_at').orderBy('id');
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  if (filter.questionIds !== undefined) {
    if (filter.questionIds.length === 0) return [];
    q = q.where('question_id', 'in', filter.questionIds);
  }
  return (await q.execute()).map(toRoundRow);
}

/** Moves a round from one status to the next; answers false when it was not in `from` (a race lost). */
export async function transitionRound(db: Executor, id: string, from: RoundStatus, update: Updateable<RoundsTable>): Promise<boolean> {
  const r = await db.updateTable('rounds').set(update).where('id', '=', id).where('status', '=', from).executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

export async function insertVoters(db: Executor, rows: readonly { round_id: string; voter: string; member_id: string }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5_000) await db.insertInto('round_voters').values(rows.slice(i, i + 5_000)).execute();
}

export async function insertRoundKeys(
  db: Executor,
  rows: readonly { round_id: string; voter: string; public_key: string; position: number; added_at: string }[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += 5_000) await db.insertInto('round_keys').values(rows.slice(i, i + 5_000)).execute();
}

export async function listVoters(db: Executor, roundId: string): Promise<{ voter: string; member_id: string }[]> {
  return db.selectFrom('round_voters').select(['voter', 'member_id']).where('round_id', '=', roundId).execute();
}

/** The member's pseudonym in this round's register, if they are in its electorate. */
export async function voterOfMember(db: Executor, roundId: string, memberId: string): Promise<string | undefined> {
  const row = await db.selectFrom('round_voters').select('voter').where('round_id', '=', roundId).where('member_id', '=', memberId).executeTakeFirst();
  return row?.voter;
}

export async function listRoundKeys(db: Executor, roundId: string): Promise<{ voter: string; public_key: string }[]> {
  return db
    .selectFrom('round_keys')
    .select(['voter', 'public_key'])
    .where('round_id', '=', roundId)
    .orderBy('voter')
    .orderBy('position')
    .execute();
}

/** The open named rounds in which a member is a voter, with their pseudonym (a secret round registers no device keys). */
export async function openRoundsOfMember(db: Executor, memberId: string): Promise<{ round_id: string; voter: string }[]> {
  return db
    .selectFrom('round_voters')
    .innerJoin('rounds', 'rounds.id', 'round_voters.round_id')
    .select(['round_voters.round_id', 'round_voters.voter'])
    .where('round_voters.member_id', '=', memberId)
    .where('rounds.status', '=', 'open')
    .where('rounds.secret', '=', 0)
    .execute();
}

/**
 * Adds a key at the end of a voter's list in a round's register. The position
 * is unique per (round, voter) by the database's rule: if another key of the
 * voter took it between the read and the insert, this one takes the next.
 */
export async function appendRoundKey(db: Executor, row: { round_id: string; voter: string; public_key: string; added_at: string }): Promise<void> {
  await insertAtNextPosition(
    `a key of a voter of round ${row.round_id}`,
    async () =>
      (
        await db
          .selectFrom('round_keys')
          .select((eb) => eb.fn.max('position').as('p'))
          .where('round_id', '=', row.round_id)
          .where('voter', '=', row.voter)
          .executeTakeFirst()
      )?.p,
    async (position) => {
      const inserted = await db
        .insertInto('round_keys')
        .values({ ...row, position })
        .onConflict((oc) => oc.columns(['round_id', 'voter', 'position']).doNothing())
        .executeTakeFirst();
      return inserted.numInsertedOrUpdatedRows === 1n;
    },
  );
}

/**
 * The published columns of entries 1..`upto`, in pages in seq order, for
 * streaming. Entries up to `upto` never change (the board is append-only),
 * so each page may be its own read.
 */
export async function* boardPages(
  store: Pick<Store, 'boardPage'>,
  roundId: string,
  upto: number,
  pageSize: number,
  turns: Turns,
): AsyncGenerator<PublishedEntry[]> {
  let after = 0;
  while (after < upto) {
    // Each page read waits its turn among all readers (see Turns).
    await turns.next();
    const rows = await store.boardPage(roundId, after, upto, pageSize);
    const last = rows[rows.length - 1];
    if (last === undefined) return;
    yield rows;
    after = last.seq;
  }
}

export async function listBoard(db: Executor, roundId: string): Promise<BoardEntryRow[]> {
  return db.selectFrom('board_entries').selectAll().where('round_id', '=', roundId).orderBy('seq').execute();
}

export async function countBoard(db: Executor, roundId: string): Promise<{ ballots: number; voters: number }> {
  const row = await db
    .selectFrom('board_entries')
    .select((eb) => [eb.fn.countAll<number>().as('ballots'), eb.fn.count<number>('voter').distinct().as('voters')])
    .where('round_id', '=', roundId)
    .executeTakeFirstOrThrow();
  return { ballots: Number(row.ballots), voters: Number(row.voters) };
}

/** Whether this voter has an entry on the round's board. */
export async function hasBallot(db: Executor, roundId: string, voter: string): Promise<boolean> {
  const row = await db.selectFrom('board_entries').select('seq').where('round_id', '=', roundId).where('voter', '=', voter).executeTakeFirst();
  return row !== undefined;
}

/**
 * The electorate as it stands: the active members, and their device keys that
 * are not revoked in the order they were added (a voter's keys keep that
 * order in the register).
 */
export async function activeElectorate(db: Executor): Promise<{ members: { id: string }[]; keys: { member_id: string; public_key: string }[] }> {
  const members = await db.selectFrom('members').select('id').where('status', '=', 'active').execute();
  const keys = await db
    .selectFrom('device_keys')
    .innerJoin('members', 'members.id', 'device_keys.member_id')
    .select(['device_keys.member_id', 'device_keys.public_key'])
    .where('members.status', '=', 'active')
    .where('device_keys.revoked_at', 'is', null)
    .orderBy('device_keys.created_at')
    .execute();
  return { members, keys };
}

/** What a new round is given; everything else starts empty and is filled in as it opens, closes and is published. */
export type DraftRound = Pick<RoundRow, 'id' | 'title' | 'method' | 'question_id' | 'options' | 'seats' | 'rules' | 'revote' | 'sealed' | 'secret' | 'closes_at' | 'created_by' | 'created_at'>;

/** The row of a new draft round, as inserted. */
export function draftRow(draft: DraftRound): RoundRow {
  return {
    ...draft,
    status: 'draft',
    opened_at: null,
    closed_at: null,
    published_at: null,
    definition: null,
    definition_hash: null,
    definition_sig: null,
    electorate_count: null,
    final_head: null,
    board_entries: null,
    outcome: null,
    outcome_sig: null,
  };
}

/** Draft to open, with its frozen options and signed definition; false when it was no longer a draft. */
export function openRound(
  db: Executor,
  id: string,
  opened: { openedAt: string; options: string; definition: string; definitionHash: string; definitionSig: string; electorate: number },
): Promise<boolean> {
  return transitionRound(db, id, 'draft', {
    status: 'open',
    opened_at: opened.openedAt,
    options: opened.options,
    definition: opened.definition,
    definition_hash: opened.definitionHash,
    definition_sig: opened.definitionSig,
    electorate_count: opened.electorate,
  });
}

/** Open to closed, sealing the board at its committed head; false when it was no longer open. */
export function closeRound(db: Executor, id: string, closed: { closedAt: string; finalHead: string; entries: number }): Promise<boolean> {
  return transitionRound(db, id, 'open', { status: 'closed', closed_at: closed.closedAt, final_head: closed.finalHead, board_entries: closed.entries });
}

/** Closed to published, with the signed outcome; false when it was no longer closed. */
export function publishRound(db: Executor, id: string, published: { publishedAt: string; outcome: string; outcomeSig: string }): Promise<boolean> {
  return transitionRound(db, id, 'closed', { status: 'published', published_at: published.publishedAt, outcome: published.outcome, outcome_sig: published.outcomeSig });
}

/** A secret round's issuing key, stored in its open transaction. */
export async function insertIssuer(db: Executor, row: { round_id: string; public_key: string; private_key: string }): Promise<void> {
  await db.insertInto('round_issuers').values(row).execute();
}

/** The private issuing key of a secret round, while it is open (NULL after the close). */
export async function issuerPrivateKey(db: Executor, roundId: string): Promise<string | null | undefined> {
  const row = await db.selectFrom('round_issuers').select('private_key').where('round_id', '=', roundId).executeTakeFirst();
  return row?.private_key;
}

/** Forgets a round's private issuing key: after the close no credential can be issued or forged for it. */
export async function dropIssuerPrivateKey(db: Executor, roundId: string): Promise<void> {
  await db.updateTable('round_issuers').set({ private_key: null }).where('round_id', '=', roundId).execute();
}

/**
 * Records that a voter asks for a credential with this request, unless they
 * have a record already, and answers the request hash that stands: the
 * database's primary key decides which of two concurrent requests came first
 * (never read-then-write). The insert only happens while the round is open
 * in the database, so an issuance cannot slip in after the close (whose
 * transaction is serialised with it); then nothing stands, and the answer is
 * null.
 */
export async function recordIssuance(db: Executor, row: { round_id: string; voter: string; request_hash: string }): Promise<string | null> {
  await db
    .insertInto('credential_issuances')
    .columns(['round_id', 'voter', 'request_hash'])
    .expression((eb) =>
      eb
        .selectFrom('rounds')
        .select([eb.val(row.round_id).as('round_id'), eb.val(row.voter).as('voter'), eb.val(row.request_hash).as('request_hash')])
        .where('id', '=', row.round_id)
        .where('status', '=', 'open'),
    )
    .onConflict((oc) => oc.columns(['round_id', 'voter']).doNothing())
    .execute();
  const stands = await db
    .selectFrom('credential_issuances')
    .select('request_hash')
    .where('round_id', '=', row.round_id)
    .where('voter', '=', row.voter)
    .executeTakeFirst();
  return stands?.request_hash ?? null;
}

/** Whether this voter received a credential in the round. */
export async function hasCredential(db: Executor, roundId: string, voter: string): Promise<boolean> {
  const row = await db.selectFrom('credential_issuances').select('voter').where('round_id', '=', roundId).where('voter', '=', voter).executeTakeFirst();
  return row !== undefined;
}

/** The pseudonyms that received a credential in the round, sorted. */
export async function listIssued(db: Executor, roundId: string): Promise<string[]> {
  const rows = await db.selectFrom('credential_issuances').select('voter').where('round_id', '=', roundId).orderBy('voter').execute();
  return rows.map((r) => r.voter);
}
