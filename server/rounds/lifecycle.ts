import type { Logger } from 'pino';
import { rulesSchema } from '../../shared/counting/rules';
import type { Method } from '../../shared/counting/types';
import { encodeBase64Url, utf8 } from '../../shared/protocol/encoding';
import { jcs } from '../../shared/protocol/jcs';
import { signedBytes } from '../../shared/protocol/signing';
import type { Result } from '../../shared/result';
import { ok } from '../../shared/result';
import { recordAudit, type ActionContext } from '../audit/audit';
import type { Clock } from '../clock';
import { exportIssuer, generateIssuer } from '../../node/crypto/blind-rsa';
import { nodeCrypto, nodeSign } from '../../node/crypto/node-crypto';
import type { Store } from '../store/store';
import { failure, type Failure } from '../failure';
import { newId } from '../ids';
import type { Instance } from '../instance/instance';
import { findQuestion } from '../sessions/repository';
import type { BoardWriter } from './board-writer';
import { CloseTimers } from './close-timers';
import type { ClosedRoundCounts } from './closed-count';
import { definitionPartsOf, frameDefinition, optionsFromQuestion, withIssuer, withOptionIds } from './definition';
import type { RoundEventEmitter } from './events';
import { RoundLedger } from './ledger';
import type { OpenLedgers } from './ledgers';
import { toRound, type CreateRoundInput, type Round } from './model';
import type { Pseudonyms } from './pseudonym';
import * as repo from './repository';
import type { RoundViews } from './views';

/** What the lifecycle works with: the rest of the rounds services, and the server's parts. */
export interface LifecycleDeps {
  readonly store: Store;
  readonly instance: Instance;
  readonly clock: Clock;
  readonly pseudonyms: Pseudonyms;
  readonly logger: Logger;
  readonly ledgers: OpenLedgers;
  readonly writer: BoardWriter;
  readonly counts: ClosedRoundCounts;
  readonly views: RoundViews;
  readonly events: RoundEventEmitter;
}

const byClock = (at: string): ActionContext => ({ actorId: null, requestId: null, at });

/**
 * A round's way from draft to closed: create, open (the definition frozen and
 * signed, the electorate fixed), close (by a moderator or by its clock).
 * Publishing is publication.ts. Each change is announced after its commit.
 */
export class RoundLifecycle {
  private readonly timers: CloseTimers;

  constructor(private readonly deps: LifecycleDeps) {
    this.timers = new CloseTimers(deps.clock, (roundId) => {
      this.closeRound(byClock(deps.clock.now().toISOString()), roundId, 'clock').then(
        (r) => {
          if (!r.ok && r.error.code !== 'round_not_open') deps.logger.error({ round: roundId, error: r.error }, 'automatic close failed');
        },
        (e: unknown) => deps.logger.error({ err: e, round: roundId }, 'automatic close failed'),
      );
    });
  }

  /** Rebuilds the open rounds' ledgers, closes overdue rounds, arms the clocks. */
  async start(): Promise<void> {
    const { store, clock, ledgers } = this.deps;
    const now = clock.now().getTime();
    for (const row of await repo.listRounds(store.db, { status: 'open' })) {
      const ledger = await ledgers.load(row);
      this.track(ledger);
      if (ledger.closesAtMs !== null && ledger.closesAtMs <= now) {
        const closed = await this.closeRound(byClock(new Date(now).toISOString()), row.id, 'clock');
        if (!closed.ok) throw new Error(`could not close overdue round ${row.id}: ${closed.error.message}`);
      } else {
        this.timers.arm(ledger.id, ledger.closesAtMs);
      }
    }
  }

  /** Stops the clocks; closes they would have made are made at the next start. */
  stop(): void {
    this.timers.stop();
  }

  /** An open round's ledger takes ballots from here on, and its committed state is announced. */
  private track(ledger: RoundLedger): void {
    this.deps.ledgers.set(ledger);
    this.deps.events.emit('ready', ledger.id, {
      definition: ledger.definition,
      head: ledger.committedHead,
      turnout: ledger.turnout,
      electorate: ledger.electorate,
    });
  }

  async create(ctx: ActionContext, input: CreateRoundInput): Promise<Result<Round, Failure>> {
    const { store, instance, clock, views } = this.deps;
    if (input.questionId !== undefined) {
      if ((await findQuestion(store.db, input.questionId)) === undefined) return failure('not_found', 'no such question', 'questionId');
    }
    const method: Method = input.method ?? 'approval';
    const rules = rulesSchema(method).safeParse(input.rules ?? {});
    if (!rules.success) {
      const issue = rules.error.issues[0];
      const field = ['rules', ...(issue?.path ?? []).map(String)].join('.');
      return failure('invalid_input', `${field}: ${issue?.message ?? 'invalid'}`, field);
    }
    if (method !== 'yesno' && input.options === undefined && input.questionId === undefined) {
      return failure('invalid_input', 'options: give options, or a questionId whose proposals become the options', 'options');
    }
    if (method === 'yesno' && input.options !== undefined) {
      return failure('invalid_input', 'options: a yes/no round has the fixed options yes, no and abstain', 'options');
    }
    const options = input.options === undefined ? null : withOptionIds(input.options);
    const seats = input.seats ?? (method === 'approval' && input.questionId !== undefined ? 3 : 1);
    if (method === 'irv' && seats !== 1) return failure('invalid_input', 'seats: instant-runoff elects one', 'seats');
    let closesAt: string | null = null;
    if (input.closesAt !== undefined && input.closesAt !== null) {
      const t = Date.parse(input.closesAt);
      if (t <= clock.now().getTime()) return failure('invalid_input', 'closesAt: must be in the future', 'closesAt');
      closesAt = new Date(t).toISOString();
    }
    const row = repo.draftRow({
      id: newId(),
      title: input.title,
      method,
      question_id: input.questionId ?? null,
      options: options === null ? null : JSON.stringify(options),
      seats,
      rules: JSON.stringify(rules.data),
      revote: input.revote ?? true,
      sealed: input.sealed ?? false,
      // Secret unless the moderator asks for a named round: a ballot should not name its voter unless that was chosen.
      secret: input.secret ?? true,
      closes_at: closesAt,
      created_by: ctx.actorId,
      created_at: ctx.at,
    });
    // What open will sign, as it would be now: whatever it refuses is refused here, with the field named.
    const framed = frameDefinition(definitionPartsOf(instance.id, row, options ?? (await views.optionsOf(row)), ctx.at, 0), optionsFromQuestion(row));
    if (!framed.ok) return failure('invalid_input', framed.error.message, framed.error.field);
    return store.transaction(async (trx) => {
      await repo.insertRound(trx, row);
      await recordAudit(trx, ctx, { action: 'round.create', targetType: 'round', targetId: row.id, detail: { method, questionId: row.question_id } });
      return ok(toRound(row, options ?? []));
    });
  }

  /** Freezes the definition, fixes the electorate (the members active now) and signs it. */
  async open(ctx: ActionContext, id: string): Promise<Result<Round, Failure>> {
    const { store, instance, clock, pseudonyms, views } = this.deps;
    const row = await repo.findRound(store.db, id);
    if (row === undefined) return failure('not_found', 'no such round');
    if (row.status !== 'draft') return failure('conflict', `this round is ${row.status}; only a draft can be opened`);
    if (row.closes_at !== null && Date.parse(row.closes_at) <= clock.now().getTime()) {
      return failure('conflict', 'the closing time of this round has passed; create a new round');
    }
    const options = await views.optionsOf(row);
    if (options.length === 0) return failure('conflict', 'this round has no options to vote on');
    // A secret round's issuing key, made before the transaction: RSA key generation takes tens to hundreds of
    // milliseconds, done off the event loop, and no write lock should be held meanwhile. A key made for an open
    // that then fails is simply forgotten.
    const issuer = row.secret ? await generateIssuer() : null;
    const opened = await store.transaction(async (trx): Promise<Result<RoundLedger, Failure>> => {
      const { members, keys } = await repo.activeElectorate(trx);
      const framed = frameDefinition(definitionPartsOf(instance.id, row, options, ctx.at, members.length), optionsFromQuestion(row));
      // Checked at creation; what fails now changed since (a question's proposals were hidden or merged).
      if (!framed.ok) return failure('conflict', `${framed.error.message}; the round no longer fits its definition`, framed.error.field);
      // The secret round's definition names its issuing key, so that every credential can be checked against the signed definition.
      const definition = issuer === null ? framed.value : withIssuer(framed.value, issuer.issuingKey);
      const definitionJcs = jcs(definition);
      const definitionHash = encodeBase64Url(nodeCrypto.sha256(utf8(definitionJcs)));
      const definitionSig = encodeBase64Url(nodeSign(signedBytes('definition', definition), instance.privateKey));
      const voterOf = new Map(members.map((m) => [m.id, pseudonyms.of(id, m.id)]));
      const keysOfVoter = new Map<string, Set<string>>();
      const keyRows: { round_id: string; voter: string; public_key: string; position: number; added_at: string }[] = [];
      for (const k of keys) {
        const voter = voterOf.get(k.member_id);
        if (voter === undefined) continue;
        let set = keysOfVoter.get(voter);
        if (set === undefined) keysOfVoter.set(voter, (set = new Set()));
        set.add(k.public_key);
        keyRows.push({ round_id: id, voter, public_key: k.public_key, position: set.size, added_at: ctx.at });
      }
      const transitioned = await repo.openRound(trx, id, {
        openedAt: ctx.at,
        options: JSON.stringify(options),
        definition: definitionJcs,
        definitionHash,
        definitionSig,
        electorate: members.length,
      });
      if (!transitioned) return failure('conflict', 'this round changed meanwhile; reload it');
      await repo.insertVoters(trx, [...voterOf].map(([memberId, voter]) => ({ round_id: id, voter, member_id: memberId })));
      // A secret round has no keys in its register: ballots are signed with round keys that only their credential vouches for.
      if (issuer === null) await repo.insertRoundKeys(trx, keyRows);
      else await repo.insertIssuer(trx, { round_id: id, public_key: issuer.issuingKey, private_key: exportIssuer(issuer) });
      await recordAudit(trx, ctx, {
        action: 'round.open',
        targetType: 'round',
        targetId: id,
        detail: { definitionHash, electorate: members.length, options: options.length },
      });
      return ok(new RoundLedger(id, definition, definitionHash, voterOf, issuer === null ? keysOfVoter : new Map<string, Set<string>>(), issuer));
    });
    if (!opened.ok) return opened;
    this.track(opened.value);
    this.timers.arm(id, opened.value.closesAtMs);
    this.deps.events.emit('status', id, { status: 'open' });
    const fresh = await views.get(id);
    if (fresh === undefined) throw new Error('opened round vanished');
    return ok(fresh);
  }

  close(ctx: ActionContext, id: string): Promise<Result<Round, Failure>> {
    return this.closeRound(ctx, id, 'moderator');
  }

  private async closeRound(ctx: ActionContext, id: string, by: 'moderator' | 'clock'): Promise<Result<Round, Failure>> {
    const { store, logger, ledgers, writer, counts, views, events } = this.deps;
    const ledger = ledgers.get(id);
    if (ledger === undefined || !ledger.accepting) {
      const row = await repo.findRound(store.db, id);
      if (row === undefined) return failure('not_found', 'no such round');
      return failure('round_not_open', `this round is ${row.status === 'open' ? 'closing' : row.status}, not open`);
    }
    ledger.accepting = false;
    // Every ballot accepted before this point is on the board before the board is sealed.
    await writer.idle();
    const closedAt = by === 'clock' && ledger.definition.closesAt !== null ? ledger.definition.closesAt : ctx.at;
    const done = await store.transaction(async (trx) => {
      if (!(await repo.closeRound(trx, id, { closedAt, finalHead: ledger.committedHead, entries: ledger.committedSeq }))) {
        return failure('conflict', 'this round changed meanwhile');
      }
      // Once closed nobody may issue (or, with a copy of the database, forge) a credential for the round: the private key goes with the close.
      if (ledger.secret) await repo.dropIssuerPrivateKey(trx, id);
      await recordAudit(trx, ctx, {
        action: 'round.close',
        targetType: 'round',
        targetId: id,
        detail: { by, entries: ledger.committedSeq, head: ledger.committedHead },
      });
      return ok(null);
    });
    if (!done.ok) {
      ledger.accepting = true;
      return done;
    }
    ledgers.delete(id);
    this.timers.cancel(id);
    // The private issuing key was overwritten with NULL (zeroed in its page: secure_delete); its old page image is
    // still in the write-ahead log until a checkpoint empties it. Rounds close rarely, so this costs nothing that matters.
    if (ledger.secret) {
      await store.forgetOverwritten().catch((e: unknown) => logger.error({ err: e, round: id }, 'emptying the write-ahead log after closing a secret round failed'));
    }
    events.emit('status', id, { status: 'closed' });
    // Counted now, once, rather than by whoever reads the round first.
    const closedRow = await repo.findRound(store.db, id);
    if (closedRow?.status === 'closed') {
      counts.of(closedRow, ledger.definition).catch((e: unknown) => logger.error({ err: e, round: id }, 'counting the closed round failed'));
    }
    const fresh = await views.get(id);
    if (fresh === undefined) throw new Error('closed round vanished');
    return ok(fresh);
  }
}
