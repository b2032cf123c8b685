import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { CredentialAnswer, RoundView } from '../../shared/api/rounds';
import type { AnyRegister, SignedReceipt } from '../../shared/protocol/types';
import type { Result } from '../../shared/result';
import type { ActionContext } from '../audit/audit';
import type { Clock } from '../clock';
import type { Signatures } from '../crypto/signatures';
import type { Database } from '../store/schema';
import type { Store } from '../store/store';
import type { Failure } from '../failure';
import type { Instance } from '../instance/instance';
import type { Member } from '../members/member';
import { BoardReads, canSeeDrafts } from './board-reads';
import { BallotCasting } from './casting';
import { ClosedRoundCounts } from './closed-count';
import { CredentialIssuing } from './credentials';
import { RoundEventEmitter, type RoundListener } from './events';
import { OpenLedgers } from './ledgers';
import { RoundLifecycle } from './lifecycle';
import type { CreateRoundInput, Round, RoundStatus } from './model';
import { Publication } from './publication';
import type { Pseudonyms } from './pseudonym';
import { findRound } from './repository';
import { RoundViews, type LiveTallySource } from './views';

export type { RoundView, Turnout } from '../../shared/api/rounds';

/**
 * The rounds services behind one object for the routes, the ballot endpoint,
 * members (keys) and live (events, reads): it builds them and hands each call
 * to the one whose job it is, nothing more.
 */
export class RoundService {
  private readonly events = new RoundEventEmitter();
  private readonly ledgers: OpenLedgers;
  private readonly counts: ClosedRoundCounts;
  private readonly views: RoundViews;
  private readonly reads: BoardReads;
  private readonly casting: BallotCasting;
  private readonly lifecycle: RoundLifecycle;
  private readonly publication: Publication;
  private readonly credentials: CredentialIssuing;
  private readonly store: Store;

  constructor(store: Store, instance: Instance, clock: Clock, pseudonyms: Pseudonyms, logger: Logger, bundleDir: string, tallies: LiveTallySource, signatures: Signatures) {
    this.ledgers = new OpenLedgers(store);
    this.counts = new ClosedRoundCounts(store, this.events);
    this.views = new RoundViews(store, this.ledgers, this.counts, tallies);
    this.reads = new BoardReads(store, this.ledgers);
    this.casting = new BallotCasting(store, instance, clock, logger, signatures, this.ledgers, this.events);
    const { ledgers, counts, views, events } = this;
    this.lifecycle = new RoundLifecycle({ store, instance, clock, pseudonyms, logger, ledgers, writer: this.casting.writer, counts, views, events });
    this.publication = new Publication(store, instance, bundleDir, counts, views, events);
    this.credentials = new CredentialIssuing(store, this.ledgers, () => clock.now().getTime());
    this.store = store;
  }

  /** Subscribes to the round events; subscribe before `start` to hear of the rounds found open. */
  on(listener: RoundListener): void {
    this.events.on(listener);
  }

  /** Rebuilds the open rounds' ledgers, closes overdue rounds, arms the clocks. */
  start(): Promise<void> {
    return this.lifecycle.start();
  }

  async stop(): Promise<void> {
    this.lifecycle.stop();
    await this.casting.writer.idle();
    await this.counts.settled();
  }

  list(filter: { status?: RoundStatus | undefined; questionIds?: readonly string[] | undefined }): Promise<Round[]> {
    return this.views.list(filter);
  }

  get(id: string): Promise<Round | undefined> {
    return this.views.get(id);
  }

  view(id: string, viewer: Member | undefined): Promise<Result<RoundView, Failure>> {
    return this.views.view(id, viewer);
  }

  create(ctx: ActionContext, input: CreateRoundInput): Promise<Result<Round, Failure>> {
    return this.lifecycle.create(ctx, input);
  }

  open(ctx: ActionContext, id: string): Promise<Result<Round, Failure>> {
    return this.lifecycle.open(ctx, id);
  }

  close(ctx: ActionContext, id: string): Promise<Result<Round, Failure>> {
    return this.lifecycle.close(ctx, id);
  }

  publish(ctx: ActionContext, id: string): Promise<Result<Round, Failure>> {
    return this.publication.publish(ctx, id);
  }

  cast(member: Member, roundId: string, body: unknown, bodyBytes: number): Promise<Result<SignedReceipt, Failure>> {
    return this.casting.cast(member, roundId, body, bodyBytes);
  }

  /** A secret round's ballot: no member (see castSecret in casting.ts). */
  castSecret(roundId: string, body: unknown, bodyBytes: number): Promise<Result<SignedReceipt, Failure>> {
    return this.casting.castSecret(roundId, body, bodyBytes);
  }

  /**
   * Whether a round's ballots come without sign-in (a secret round): from its
   * open ledger, with no query on the ballot path, or from the database for a
   * round that is not open. False for a round that does not exist.
   */
  async isSecret(roundId: string): Promise<boolean> {
    const ledger = this.ledgers.get(roundId);
    if (ledger !== undefined) return ledger.secret;
    return (await findRound(this.store.db, roundId))?.secret ?? false;
  }

  requestCredential(member: Member, roundId: string, body: unknown): Promise<Result<CredentialAnswer, Failure>> {
    return this.credentials.issue(member, roundId, body);
  }

  addKeyToOpenRounds(trx: Transaction<Database>, memberId: string, publicKey: string, at: string): Promise<() => void> {
    return this.ledgers.addKeyToOpenRounds(trx, memberId, publicKey, at);
  }

  register(roundId: string, viewer: Member | undefined): Promise<Result<{ register: AnyRegister; count: number; root: string | null }, Failure>> {
    return this.reads.register(roundId, viewer);
  }

  board(roundId: string, viewer: Member | undefined, pageSize?: number): Promise<Result<AsyncIterable<string>, Failure>> {
    return this.reads.board(roundId, viewer, pageSize);
  }

  bundleFile(roundId: string): Promise<Result<string, Failure>> {
    return this.publication.bundleFile(roundId);
  }

  canSeeDrafts(viewer: Member | undefined): boolean {
    return canSeeDrafts(viewer);
  }
}
