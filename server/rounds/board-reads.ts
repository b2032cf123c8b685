import { registerRoot } from '../../shared/protocol/board';
import type { AnyRegister, Register, RegisterV2 } from '../../shared/protocol/types';
import type { Result } from '../../shared/result';
import { assertNever, ok } from '../../shared/result';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { BOARD_PAGE } from '../../node/tuning';
import type { BoardEntryRow, RoundRow } from '../store/schema';
import type { Executor, Store } from '../store/store';
import { failure, type Failure } from '../failure';
import { Turns } from '../http/turns';
import { isModerator, type Member } from '../members/member';
import type { OpenLedgers } from './ledgers';
import * as repo from './repository';


/** One board entry as published (docs/protocol.md "Board"): the stored canonical ballot is put in as it is, never re-serialised. */
export function boardEntryJson(e: Pick<BoardEntryRow, 'seq' | 'voter' | 'ballot' | 'sig' | 'leaf' | 'head'>): string {
  return `{"seq":${e.seq},"voter":${JSON.stringify(e.voter)},"ballot":${e.ballot},"sig":"${e.sig}","leaf":"${e.leaf}","head":"${e.head}"}`;
}

/**
 * A secret round's entry (BoardEntryV2): no voter. The stored `voter` column
 * (the credential's hash, intake-secret.ts) only groups revotes on the
 * server; the credential itself is in the ballot, so publishing the column
 * would add nothing a verifier needs.
 */
export function secretBoardEntryJson(e: Pick<BoardEntryRow, 'seq' | 'ballot' | 'sig' | 'leaf' | 'head'>): string {
  return `{"seq":${e.seq},"ballot":${e.ballot},"sig":"${e.sig}","leaf":"${e.leaf}","head":"${e.head}"}`;
}

/** The entry's published form for the round's protocol. */
export function entryJsonOf(secret: boolean): (e: Pick<BoardEntryRow, 'seq' | 'voter' | 'ballot' | 'sig' | 'leaf' | 'head'>) => string {
  return secret ? secretBoardEntryJson : boardEntryJson;
}

/**
 * A secret round's register (RegisterV2): the electorate's pseudonyms and
 * those that received a credential, both sorted. No keys: ballots are signed
 * with round keys that only their credentials vouch for.
 */
export async function secretRegisterOf(db: Executor, roundId: string): Promise<RegisterV2> {
  const electorate = (await repo.listVoters(db, roundId)).map((v) => v.voter).sort(byCodeUnit);
  const issued = await repo.listIssued(db, roundId);
  // SQL's ORDER BY follows the column's collation; the register is sorted by code unit, as the verifier checks.
  return { electorate, issued: issued.sort(byCodeUnit) };
}

/** A round's register for its protocol, and its root: SHA-256(JCS(register)), the same rule for both. */
export async function anyRegisterOf(db: Executor, row: Pick<RoundRow, 'id' | 'secret'>): Promise<{ register: AnyRegister; count: number; root: string }> {
  if (row.secret) {
    const register = await secretRegisterOf(db, row.id);
    return { register, count: register.electorate.length, root: registerRoot(register, nodeCrypto) };
  }
  const register = await registerOf(db, row.id);
  return { register, count: register.length, root: registerRoot(register, nodeCrypto) };
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A round's register: each voter (in order) with their keys in the order they were added. */
export async function registerOf(db: Executor, roundId: string): Promise<Register> {
  const voters = await repo.listVoters(db, roundId);
  const keys = await repo.listRoundKeys(db, roundId);
  const byVoter = new Map<string, string[]>(voters.map((v) => [v.voter, []]));
  for (const k of keys) byVoter.get(k.voter)?.push(k.public_key);
  return [...byVoter]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([voter, voterKeys]) => ({ voter, keys: voterKeys }));
}

export function canSeeDrafts(viewer: Member | undefined): boolean {
  return viewer !== undefined && viewer.status === 'active' && isModerator(viewer.role);
}

/** A round's register and board as read before the bundle, and who may read them. */
export class BoardReads {
  /** Board readers take turns, one page each, with everything else (see Turns). */
  private readonly boardTurns = new Turns();

  constructor(
    private readonly store: Store,
    private readonly ledgers: OpenLedgers,
  ) {}

  /**
   * Who may read a round's board or register. A draft is not there for
   * anyone who cannot see drafts (404, so its existence does not leak). Once
   * published both are public (the bundle holds them); the board is public
   * from the close. Otherwise only the round's electorate (the members active
   * when it opened) and moderators read them: a pending member, or one who
   * joined later, gets 403 like any outsider.
   */
  private async mayRead(row: RoundRow, viewer: Member | undefined, part: 'board' | 'register'): Promise<Result<null, Failure>> {
    switch (row.status) {
      case 'draft':
        return canSeeDrafts(viewer) ? failure('round_not_open', `this round has no ${part} until it opens`) : failure('not_found', 'no such round');
      case 'published':
        return ok(null);
      case 'closed':
        return part === 'board' ? ok(null) : this.inElectorate(row.id, viewer, part);
      case 'open':
        return this.inElectorate(row.id, viewer, part);
      default:
        return assertNever(row.status, 'round status');
    }
  }

  private async inElectorate(roundId: string, viewer: Member | undefined, part: 'board' | 'register'): Promise<Result<null, Failure>> {
    if (viewer === undefined) return failure('unauthenticated', `sign in to read the ${part} of this round`);
    switch (viewer.status) {
      case 'pending':
        return failure('account_pending', 'your account waits for approval by a moderator');
      case 'suspended':
        return failure('account_suspended', 'this account is suspended');
      case 'active':
        break;
      default:
        return assertNever(viewer.status, 'member status');
    }
    if (isModerator(viewer.role)) return ok(null);
    const ledger = this.ledgers.get(roundId);
    const voter = ledger?.voterOf(viewer.id) ?? (await repo.voterOfMember(this.store.db, roundId, viewer.id));
    return voter === undefined ? failure('not_in_electorate', `only the round's electorate reads its ${part} before it is published`) : ok(null);
  }

  async register(roundId: string, viewer: Member | undefined): Promise<Result<{ register: AnyRegister; count: number; root: string | null }, Failure>> {
    const row = await repo.findRound(this.store.db, roundId);
    if (row === undefined) return failure('not_found', 'no such round');
    const allowed = await this.mayRead(row, viewer, 'register');
    if (!allowed.ok) return allowed;
    const { register, count, root } = await anyRegisterOf(this.store.db, row);
    const closed = row.status === 'closed' || row.status === 'published';
    return ok({ register, count, root: closed ? root : null });
  }

  /**
   * The board as JSON text, in pieces read page by page from the stored
   * canonical ballots without re-serialising them (docs/protocol.md "Board").
   * Public once closed; the electorate and moderators may read it while open
   * unless the round is sealed, and then see only what is committed.
   */
  async board(roundId: string, viewer: Member | undefined, pageSize = BOARD_PAGE): Promise<Result<AsyncIterable<string>, Failure>> {
    let row = await repo.findRound(this.store.db, roundId);
    if (row === undefined) return failure('not_found', 'no such round');
    const allowed = await this.mayRead(row, viewer, 'board');
    if (!allowed.ok) return allowed;
    if (row.status === 'open' && row.sealed) return failure('not_visible', 'this round is sealed: its board is shown when it closes');
    const ledger = this.ledgers.get(roundId);
    // Read as open, but its ledger is gone: it closed meanwhile, and its row now says up to where.
    if (ledger === undefined && row.status === 'open') row = (await repo.findRound(this.store.db, roundId)) ?? row;
    const entries = ledger?.committedSeq ?? row.board_entries ?? (await repo.countBoard(this.store.db, roundId)).ballots;
    const head = ledger?.committedHead ?? row.final_head ?? '';
    const store = this.store;
    const turns = this.boardTurns;
    const entryJson = entryJsonOf(row.secret);
    const prefix = `{"round":${JSON.stringify(roundId)},"status":"${row.status}","entries":${entries},"head":"${head}","board":[`;
    async function* pieces(): AsyncGenerator<string> {
      let first = true;
      for await (const page of repo.boardPages(store, roundId, entries, pageSize, turns)) {
        yield (first ? prefix : ',') + page.map(entryJson).join(',');
        first = false;
      }
      yield first ? `${prefix}]}` : ']}';
    }
    return ok(pieces());
  }
}
