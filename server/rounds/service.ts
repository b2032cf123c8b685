import fs from 'node:fs';
import path from 'node:path';
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import { rulesSchema } from '../../shared/counting/rules';
import { count, type CountResult } from '../../shared/counting/index';
import { isRanked, type Choice, type Method } from '../../shared/counting/types';
import { registerRoot } from '../../shared/protocol/board';
import { contestOf, countContextOf } from '../../shared/protocol/contest';
import { encodeBase64Url, utf8 } from '../../shared/protocol/encoding';
import { jcs } from '../../shared/protocol/jcs';
import { RoundDefinitionSchema } from '../../shared/protocol/schemas';
import { signedBytes } from '../../shared/protocol/signing';
import type { Outcome, Register, RoundDefinition, RoundOption, SignedReceipt } from '../../shared/protocol/types';
import type { Result } from '../../shared/result';
import { assertNever, ok } from '../../shared/result';
import { recordAudit, type ActionContext } from '../audit/audit';
import type { Clock } from '../clock';
import { runCountInWorker } from '../counting/run-count';
import { nodeCrypto, nodeSign } from '../crypto/node-crypto';
import type { Signatures } from '../crypto/pool';
import type { Database, RoundRow } from '../db/schema';
import type { Store } from '../db/store';
import { failure, type Failure } from '../failure';
import { newId } from '../ids';
import type { Instance } from '../instance/instance';
import { privateFolder, writePrivateFile } from '../instance/private-files';
import { isModerator, type Member } from '../members/member';
import { listProposalsOfQuestions, findQuestion } from '../sessions/repository';
import { writeFailureOf } from '../db/write-health';
import { BoardWriter, type CommittedEntry } from './board-writer';
import type { LiveTallies } from '../live/tallies';
import { admitBallot, precheckBallot } from './intake';
import { ClosedCounts, countingChoices, type ClosedCount } from './closed-count';
import { frameDefinition, withOptionIds } from './definition';
import { RoundLedger } from './ledger';
import { toRound, YESNO_OPTIONS, type CreateRoundInput, type Round, type RoundStatus } from './model';
import type { Pseudonyms } from './pseudonym';
import { Turns } from '../http/turns';
import * as repo from './repository';
import type { RoundView } from '../../shared/api/rounds';

/** Counts at or above this many ballots run in a worker thread, off the event loop. */
const WORKER_COUNT_THRESHOLD = 20_000;
/**
 * Board entries read and sent at a time: some 50 KB, about a millisecond of
 * the main thread, so that many readers of a large board stay within bounded
 * memory and a request arriving meanwhile waits for one page at most.
 */
const BOARD_PAGE = 100;
/** setTimeout's longest delay; later closes are re-armed. */
const MAX_TIMER_MS = 2_147_483_647;

// The API's shapes are the contract's (shared/api/rounds.ts).
export type { RoundView, Turnout } from '../../shared/api/rounds';

/** Announcements for live watchers; they fire only after the change is committed. */
export interface RoundEvents {
  committed?(roundId: string): void;
  status?(roundId: string, status: RoundStatus): void;
  /** A closed round's board was counted (once per round; the result is kept). */
  counted?(roundId: string): void;
}

function parseDefinition(row: RoundRow): RoundDefinition {
  if (row.definition === null) throw new Error(`round ${row.id} has no definition`);
  return RoundDefinitionSchema.parse(JSON.parse(row.definition));
}

export class RoundService {
  private readonly ledgers = new Map<string, RoundLedger>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly listeners: RoundEvents[] = [];
  private readonly closedCounts = new ClosedCounts();
  /** Board readers take turns, one page each, with everything else (see Turns). */
  private readonly boardTurns = new Turns();
  readonly writer: BoardWriter;

  constructor(
    private readonly store: Store,
    private readonly instance: Instance,
    private readonly clock: Clock,
    private readonly pseudonyms: Pseudonyms,
    private readonly logger: Logger,
    private readonly bundleDir: string,
    readonly tallies: LiveTallies,
    private readonly signatures: Signatures,
  ) {
    this.writer = new BoardWriter(
      store,
      (entries) => this.onCommitted(entries),
      (rounds, e) => this.onWriteFailed(rounds, e),
    );
  }

  on(listener: RoundEvents): void {
    this.listeners.push(listener);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Rebuilds the open rounds' ledgers, closes overdue rounds, arms the clocks. */
  async start(): Promise<void> {
    const now = this.clock.now().getTime();
    for (const row of await repo.listRounds(this.store.db, { status: 'open' })) {
      const ledger = await this.loadLedger(row);
      this.ledgers.set(row.id, ledger);
      if (ledger.closesAtMs !== null && ledger.closesAtMs <= now) {
        const closed = await this.closeRound({ actorId: null, requestId: null, at: new Date(now).toISOString() }, row.id, 'clock');
        if (!closed.ok) throw new Error(`could not close overdue round ${row.id}: ${closed.error.message}`);
      } else {
        this.armClose(ledger);
      }
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.writer.idle();
    await this.closedCounts.settled();
  }

  private async loadLedger(row: RoundRow): Promise<RoundLedger> {
    const definition = parseDefinition(row);
    const voters = await repo.listVoters(this.store.db, row.id);
    const keys = await repo.listRoundKeys(this.store.db, row.id);
    const keysOfVoter = new Map<string, Set<string>>();
    for (const k of keys) {
      let set = keysOfVoter.get(k.voter);
      if (set === undefined) keysOfVoter.set(k.voter, (set = new Set()));
      set.add(k.public_key);
    }
    const ledger = new RoundLedger(
      row.id,
      definition,
      row.definition_hash ?? '',
      new Map(voters.map((v) => [v.member_id, v.voter])),
      keysOfVoter,
    );
    // Streamed: a board of 100,000 entries is never held in memory as rows.
    await repo.forEachBoardEntry(this.store.reader, row.id, ['voter', 'nonce', 'head'], (e) => ledger.replayEntry(e));
    ledger.endReplay();
    return ledger;
  }

  private armClose(ledger: RoundLedger): void {
    if (ledger.closesAtMs === null) return;
    const delay = ledger.closesAtMs - this.clock.now().getTime();
    const fire = () => {
      this.timers.delete(ledger.id);
      if (ledger.closesAtMs !== null && ledger.closesAtMs - this.clock.now().getTime() > 0) {
        this.armClose(ledger);
        return;
      }
      this.closeRound({ actorId: null, requestId: null, at: this.clock.now().toISOString() }, ledger.id, 'clock').then(
        (r) => {
          if (!r.ok && r.error.code !== 'round_not_open') this.logger.error({ round: ledger.id, error: r.error }, 'automatic close failed');
        },
        (e: unknown) => this.logger.error({ err: e, round: ledger.id }, 'automatic close failed'),
      );
    };
    const timer = setTimeout(fire, Math.max(0, Math.min(delay, MAX_TIMER_MS)));
    timer.unref();
    this.timers.set(ledger.id, timer);
  }

  // ---------------------------------------------------------------- reads

  private async optionsOf(row: Pick<RoundRow, 'options' | 'method' | 'question_id'>): Promise<RoundOption[]> {
    if (row.options !== null) return JSON.parse(row.options) as RoundOption[];
    if (row.method === 'yesno') return [...YESNO_OPTIONS];
    if (row.question_id === null) return [];
    // A question's round: its visible proposals; merged duplicates are folded into theirs already.
    const proposals = await listProposalsOfQuestions(this.store.db, [row.question_id]);
    return proposals.filter((p) => p.status === 'visible').map((p) => ({ id: p.id, label: p.title }));
  }

  async list(filter: { status?: RoundStatus | undefined; questionIds?: readonly string[] | undefined }): Promise<Round[]> {
    const rows = await repo.listRounds(this.store.db, filter);
    return Promise.all(rows.map(async (row) => toRound(row, await this.optionsOf(row))));
  }

  async get(id: string): Promise<Round | undefined> {
    const row = await repo.findRound(this.store.db, id);
    return row === undefined ? undefined : toRound(row, await this.optionsOf(row));
  }

  /** A tally is shown while open unless sealed, and always once closed. */
  private tallyVisible(row: RoundRow): boolean {
    return row.status === 'closed' || row.status === 'published' || (row.status === 'open' && row.sealed === 0);
  }

  async view(id: string, viewer: Member | undefined): Promise<Result<RoundView, Failure>> {
    const row = await repo.findRound(this.store.db, id);
    if (row === undefined) return failure('not_found', 'no such round');
    const round = toRound(row, await this.optionsOf(row));
    if (row.status === 'draft') return ok({ round, turnout: { voters: 0, ballots: 0, electorate: null } });
    const definition = parseDefinition(row);
    const ledger = this.ledgers.get(id);
    const outcome = row.status === 'published' && row.outcome !== null ? (JSON.parse(row.outcome) as Outcome) : undefined;
    // A closed round is counted once and its count kept: reads of it never scan the board again.
    const closed = ledger === undefined && row.status === 'closed' ? await this.closedCount(row, definition) : undefined;
    const counts =
      ledger?.turnout ??
      closed?.turnout ??
      (outcome === undefined ? await repo.countBoard(this.store.db, id) : { voters: outcome.counted, ballots: outcome.board.entries });
    const view: RoundView = {
      round,
      definition,
      definitionHash: row.definition_hash ?? '',
      definitionSig: row.definition_sig ?? '',
      turnout: { ...counts, electorate: row.electorate_count },
      head: ledger?.committedHead ?? row.final_head ?? '',
    };
    if (outcome !== undefined) {
      view.outcome = outcome;
      view.outcomeSig = row.outcome_sig ?? '';
      view.tally = outcome.result as unknown as CountResult;
    } else if (this.tallyVisible(row)) {
      if (ledger !== undefined) view.tally = await this.tallies.snapshot(id, definition, ledger.committedHead, true);
      else if (closed !== undefined) view.tally = closed.result;
    }
    if (viewer !== undefined) view.me = await this.membership(id, viewer.id, ledger);
    return ok(view);
  }

  private async membership(roundId: string, memberId: string, ledger: RoundLedger | undefined): Promise<{ eligible: boolean; voter: string | null; voted: boolean }> {
    if (ledger !== undefined) {
      const voter = ledger.voterOf(memberId) ?? null;
      return { eligible: voter !== null, voter, voted: voter !== null && ledger.hasVoted(voter) };
    }
    const row = await this.store.db
      .selectFrom('round_voters')
      .select('voter')
      .where('round_id', '=', roundId)
      .where('member_id', '=', memberId)
      .executeTakeFirst();
    if (row === undefined) return { eligible: false, voter: null, voted: false };
    const entry = await this.store.db
      .selectFrom('board_entries')
      .select('seq')
      .where('round_id', '=', roundId)
      .where('voter', '=', row.voter)
      .executeTakeFirst();
    return { eligible: true, voter: row.voter, voted: entry !== undefined };
  }

  /** The count of a closed round's board, ties drawn from its final head: made once and kept (see ClosedCounts). */
  private closedCount(row: RoundRow, definition: RoundDefinition): Promise<ClosedCount> {
    const head = row.final_head ?? '';
    return this.closedCounts.of(row.id, head, async () => {
      const { ballots, choices } = await countingChoices(this.store.reader, definition);
      const result = await this.count(definition, choices, head);
      for (const l of this.listeners) l.counted?.(row.id);
      return { head, turnout: { voters: choices.length, ballots }, counted: choices.length, result };
    });
  }

  private async count(definition: RoundDefinition, choices: readonly Choice[], head: string): Promise<CountResult> {
    const contest = contestOf(definition);
    const ctx = countContextOf(definition, head, nodeCrypto);
    if (isRanked(definition.method) && choices.length >= WORKER_COUNT_THRESHOLD) return runCountInWorker(contest, choices, ctx);
    return count(contest, choices, ctx);
  }

  // ---------------------------------------------------------------- moderator actions

  async create(ctx: ActionContext, input: CreateRoundInput): Promise<Result<Round, Failure>> {
    let method: Method = input.method ?? 'approval';
    if (input.questionId !== undefined) {
      if ((await findQuestion(this.store.db, input.questionId)) === undefined) return failure('not_found', 'no such question', 'questionId');
    }
    if (input.method === undefined) method = 'approval';
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
      if (t <= this.clock.now().getTime()) return failure('invalid_input', 'closesAt: must be in the future', 'closesAt');
      closesAt = new Date(t).toISOString();
    }
    const id = newId();
    // What open will sign, as it would be now: whatever it refuses is refused here, with the field named.
    const framed = frameDefinition(
      {
        instance: this.instance.id,
        round: id,
        title: input.title,
        method,
        options: options ?? (await this.optionsOf({ options: null, method, question_id: input.questionId ?? null })),
        seats,
        rules: rules.data,
        revote: input.revote ?? true,
        sealed: input.sealed ?? false,
        opensAt: ctx.at,
        closesAt,
        electorate: 0,
      },
      options === null && method !== 'yesno',
    );
    if (!framed.ok) return failure('invalid_input', framed.error.message, framed.error.field);
    return this.store.transaction(async (trx) => {
      const row: RoundRow = {
        id,
        title: input.title,
        method,
        question_id: input.questionId ?? null,
        options: options === null ? null : JSON.stringify(options),
        seats,
        rules: JSON.stringify(rules.data),
        revote: (input.revote ?? true) ? 1 : 0,
        sealed: (input.sealed ?? false) ? 1 : 0,
        closes_at: closesAt,
        status: 'draft',
        created_by: ctx.actorId,
        created_at: ctx.at,
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
      await repo.insertRound(trx, row);
      await recordAudit(trx, ctx, { action: 'round.create', targetType: 'round', targetId: id, detail: { method, questionId: row.question_id } });
      return ok(toRound(row, options ?? []));
    });
  }

  /** Freezes the definition, fixes the electorate (the members active now) and signs it. */
  async open(ctx: ActionContext, id: string): Promise<Result<Round, Failure>> {
    const row = await repo.findRound(this.store.db, id);
    if (row === undefined) return failure('not_found', 'no such round');
    if (row.status !== 'draft') return failure('conflict', `this round is ${row.status}; only a draft can be opened`);
    if (row.closes_at !== null && Date.parse(row.closes_at) <= this.clock.now().getTime()) {
      return failure('conflict', 'the closing time of this round has passed; create a new round');
    }
    const options = await this.optionsOf(row);
    if (options.length === 0) return failure('conflict', 'this round has no options to vote on');
    const opened = await this.store.transaction(async (trx): Promise<Result<RoundLedger, Failure>> => {
      const members = await trx.selectFrom('members').select('id').where('status', '=', 'active').execute();
      const keys = await trx
        .selectFrom('device_keys')
        .innerJoin('members', 'members.id', 'device_keys.member_id')
        .select(['device_keys.member_id', 'device_keys.public_key'])
        .where('members.status', '=', 'active')
        .where('device_keys.revoked_at', 'is', null)
        .orderBy('device_keys.created_at')
        .execute();
      const framed = frameDefinition(
        {
          instance: this.instance.id,
          round: id,
          title: row.title,
          method: row.method,
          options,
          seats: row.seats,
          rules: JSON.parse(row.rules) as unknown,
          revote: row.revote === 1,
          sealed: row.sealed === 1,
          opensAt: ctx.at,
          closesAt: row.closes_at,
          electorate: members.length,
        },
        row.options === null && row.method !== 'yesno',
      );
      // Checked at creation; what fails now changed since (a question's proposals were hidden or merged).
      if (!framed.ok) return failure('conflict', `${framed.error.message}; the round no longer fits its definition`, framed.error.field);
      const definition = framed.value;
      const definitionJcs = jcs(definition);
      const definitionHash = encodeBase64Url(nodeCrypto.sha256(utf8(definitionJcs)));
      const definitionSig = encodeBase64Url(nodeSign(signedBytes('definition', definition), this.instance.privateKey));
      const voterOf = new Map(members.map((m) => [m.id, this.pseudonyms.of(id, m.id)]));
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
      if (!(await repo.transitionRound(trx, id, 'draft', {
        status: 'open',
        opened_at: ctx.at,
        options: JSON.stringify(options),
        definition: definitionJcs,
        definition_hash: definitionHash,
        definition_sig: definitionSig,
        electorate_count: members.length,
      }))) {
        return failure('conflict', 'this round changed meanwhile; reload it');
      }
      await repo.insertVoters(trx, [...voterOf].map(([memberId, voter]) => ({ round_id: id, voter, member_id: memberId })));
      await repo.insertRoundKeys(trx, keyRows);
      await recordAudit(trx, ctx, {
        action: 'round.open',
        targetType: 'round',
        targetId: id,
        detail: { definitionHash, electorate: members.length, options: options.length },
      });
      return ok(new RoundLedger(id, definition, definitionHash, voterOf, keysOfVoter));
    });
    if (!opened.ok) return opened;
    this.ledgers.set(id, opened.value);
    this.armClose(opened.value);
    this.emitStatus(id, 'open');
    const fresh = await this.get(id);
    if (fresh === undefined) throw new Error('opened round vanished');
    return ok(fresh);
  }

  async close(ctx: ActionContext, id: string): Promise<Result<Round, Failure>> {
    return this.closeRound(ctx, id, 'moderator');
  }

  private async closeRound(ctx: ActionContext, id: string, by: 'moderator' | 'clock'): Promise<Result<Round, Failure>> {
    const ledger = this.ledgers.get(id);
    if (ledger === undefined || !ledger.accepting) {
      const row = await repo.findRound(this.store.db, id);
      if (row === undefined) return failure('not_found', 'no such round');
      return failure('round_not_open', `this round is ${row.status === 'open' ? 'closing' : row.status}, not open`);
    }
    ledger.accepting = false;
    // Every ballot accepted before this point is on the board before the board is sealed.
    await this.writer.idle();
    const closedAt = by === 'clock' && ledger.definition.closesAt !== null ? ledger.definition.closesAt : ctx.at;
    const done = await this.store.transaction(async (trx) => {
      if (!(await repo.transitionRound(trx, id, 'open', {
        status: 'closed',
        closed_at: closedAt,
        final_head: ledger.committedHead,
        board_entries: ledger.committedSeq,
      }))) {
        return failure('conflict', 'this round changed meanwhile');
      }
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
    this.ledgers.delete(id);
    this.tallies.forget(id);
    const timer = this.timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(id);
    this.emitStatus(id, 'closed');
    // Counted now, once, rather than by whoever reads the round first.
    const closedRow = await repo.findRound(this.store.db, id);
    if (closedRow?.status === 'closed') {
      this.closedCount(closedRow, ledger.definition).catch((e: unknown) => this.logger.error({ err: e, round: id }, 'counting the closed round failed'));
    }
    const fresh = await this.get(id);
    if (fresh === undefined) throw new Error('closed round vanished');
    return ok(fresh);
  }

  /** Counts the board, signs the outcome and writes the bundle. */
  async publish(ctx: ActionContext, id: string): Promise<Result<Round, Failure>> {
    const row = await repo.findRound(this.store.db, id);
    if (row === undefined) return failure('not_found', 'no such round');
    if (row.status !== 'closed') {
      return failure(row.status === 'published' ? 'conflict' : 'round_not_closed', `this round is ${row.status}; only a closed round can be published`);
    }
    const definition = parseDefinition(row);
    const register = await this.registerOf(id);
    const head = row.final_head ?? '';
    // The count shown since the close is the one signed.
    const counted = await this.closedCount(row, definition);
    const outcome: Outcome = {
      instance: this.instance.id,
      round: id,
      definition: row.definition_hash ?? '',
      register: { count: register.length, root: registerRoot(register, nodeCrypto) },
      board: { entries: counted.turnout.ballots, head },
      counted: counted.counted,
      // Through JSON so the signed result is exactly what a verifier's recount serialises to.
      result: JSON.parse(JSON.stringify(counted.result)) as Outcome['result'],
      closedAt: row.closed_at ?? ctx.at,
      publishedAt: ctx.at,
    };
    const outcomeSig = encodeBase64Url(nodeSign(signedBytes('outcome', outcome), this.instance.privateKey));
    const done = await this.store.transaction(async (trx) => {
      if (!(await repo.transitionRound(trx, id, 'closed', { status: 'published', published_at: ctx.at, outcome: jcs(outcome), outcome_sig: outcomeSig }))) {
        return failure('conflict', 'this round changed meanwhile');
      }
      await recordAudit(trx, ctx, {
        action: 'round.publish',
        targetType: 'round',
        targetId: id,
        detail: { winners: outcome.result.winners, counted: outcome.counted },
      });
      return ok(null);
    });
    if (!done.ok) return done;
    this.closedCounts.forget(id);
    await this.writeBundle(id);
    this.emitStatus(id, 'published');
    const fresh = await this.get(id);
    if (fresh === undefined) throw new Error('published round vanished');
    return ok(fresh);
  }

  // ---------------------------------------------------------------- ballots

  async cast(member: Member, roundId: string, body: unknown, bodyBytes: number): Promise<Result<SignedReceipt, Failure>> {
    const ledger = this.ledgers.get(roundId);
    if (ledger === undefined && (await repo.findRound(this.store.db, roundId)) === undefined) return failure('not_found', 'no such round');
    const prechecked = precheckBallot(ledger, body, {
      instanceId: this.instance.id,
      roundId,
      member,
      now: this.clock.now().getTime(),
      bodyBytes,
    });
    if (!prechecked.ok) return prechecked;
    if (ledger === undefined) throw new Error('precheckBallot passed without a ledger');
    const p = prechecked.value;
    const signatureValid = await this.signatures.verify(p.sigBytes, p.signedBytes, p.keyBytes);
    const now = this.clock.now();
    const checked = admitBallot(ledger, p, signatureValid, now.getTime());
    if (!checked.ok) return checked;
    const c = checked.value;
    // The "apply" step, in the same turn as the last checks: its place on the chain is taken now, in arrival order.
    const place = ledger.append(c.voter, c.ballot.nonce, c.signedBytes, c.sigBytes);
    const receipt = { instance: this.instance.id, round: roundId, seq: place.seq, leaf: place.leaf, head: place.head };
    // The receipt is signed while the batch is being committed, and handed out only after the commit.
    const [, receiptSig] = await Promise.all([
      this.writer.write(
        {
          round_id: roundId,
          seq: place.seq,
          voter: c.voter,
          ballot: c.ballotJcs,
          sig: c.sig,
          leaf: place.leaf,
          head: place.head,
          nonce: c.ballot.nonce,
          received_at: now.toISOString(),
        },
        c.ballot.choice,
      ),
      this.signatures.sign(signedBytes('receipt', receipt)),
    ]);
    return ok({ receipt, receiptSig: encodeBase64Url(receiptSig) });
  }

  private onCommitted(entries: readonly CommittedEntry[]): void {
    this.tallies.onCommitted(entries);
    const touched = new Set<string>();
    for (const e of entries) {
      const ledger = this.ledgers.get(e.roundId);
      if (ledger === undefined) continue;
      ledger.markCommitted(e.seq, e.head, e.voter);
      touched.add(e.roundId);
    }
    for (const id of touched) for (const l of this.listeners) l.committed?.(id);
  }

  private async onWriteFailed(roundIds: ReadonlySet<string>, e: unknown): Promise<void> {
    // A store failure (disk full, read-only) is logged by the store's write health, once per cause and interval.
    if (writeFailureOf(e, this.clock.now()) === undefined) this.logger.error({ err: e, rounds: [...roundIds] }, 'writing ballots failed; rebuilding the rounds from the database');
    for (const id of roundIds) {
      const row = await repo.findRound(this.store.db, id);
      if (row?.status !== 'open') continue;
      const accepting = this.ledgers.get(id)?.accepting ?? true;
      const ledger = await this.loadLedger(row);
      ledger.accepting = accepting;
      this.ledgers.set(id, ledger);
    }
  }

  // ---------------------------------------------------------------- keys

  /**
   * A member who adds a device key while rounds are open gets it in those
   * rounds' registers (the voter's list grows; no voter is added). Runs in the
   * key's transaction; answers what to do in memory once it commits.
   */
  async addKeyToOpenRounds(trx: Transaction<Database>, memberId: string, publicKey: string, at: string): Promise<() => void> {
    const rounds = await repo.openRoundsOfMember(trx, memberId);
    await repo.insertRoundKeys(
      trx,
      rounds.map((r) => ({ round_id: r.round_id, voter: r.voter, public_key: publicKey, position: r.next_position, added_at: at })),
    );
    return () => {
      for (const r of rounds) this.ledgers.get(r.round_id)?.addKey(r.voter, publicKey);
    };
  }

  // ---------------------------------------------------------------- register, board, bundle

  private async registerOf(roundId: string): Promise<Register> {
    const voters = await repo.listVoters(this.store.db, roundId);
    const keys = await repo.listRoundKeys(this.store.db, roundId);
    const byVoter = new Map<string, string[]>(voters.map((v) => [v.voter, []]));
    for (const k of keys) byVoter.get(k.voter)?.push(k.public_key);
    return [...byVoter]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([voter, voterKeys]) => ({ voter, keys: voterKeys }));
  }

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
        return this.canSeeDrafts(viewer) ? failure('round_not_open', `this round has no ${part} until it opens`) : failure('not_found', 'no such round');
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

  async register(roundId: string, viewer: Member | undefined): Promise<Result<{ register: Register; count: number; root: string | null }, Failure>> {
    const row = await repo.findRound(this.store.db, roundId);
    if (row === undefined) return failure('not_found', 'no such round');
    const allowed = await this.mayRead(row, viewer, 'register');
    if (!allowed.ok) return allowed;
    const register = await this.registerOf(roundId);
    const closed = row.status === 'closed' || row.status === 'published';
    return ok({ register, count: register.length, root: closed ? registerRoot(register, nodeCrypto) : null });
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
    if (row.status === 'open' && row.sealed === 1) return failure('not_visible', 'this round is sealed: its board is shown when it closes');
    const ledger = this.ledgers.get(roundId);
    // Read as open, but its ledger is gone: it closed meanwhile, and its row now says up to where.
    if (ledger === undefined && row.status === 'open') row = (await repo.findRound(this.store.db, roundId)) ?? row;
    const entries = ledger?.committedSeq ?? row.board_entries ?? (await repo.countBoard(this.store.db, roundId)).ballots;
    const head = ledger?.committedHead ?? row.final_head ?? '';
    const reader = this.store.reader;
    const turns = this.boardTurns;
    const prefix = `{"round":${JSON.stringify(roundId)},"status":"${row.status}","entries":${entries},"head":"${head}","board":[`;
    async function* pieces(): AsyncGenerator<string> {
      let first = true;
      for await (const page of repo.boardPages(reader, roundId, entries, pageSize, turns)) {
        const parts = page.map(
          (e) => `{"seq":${e.seq},"voter":${JSON.stringify(e.voter)},"ballot":${e.ballot},"sig":"${e.sig}","leaf":"${e.leaf}","head":"${e.head}"}`,
        );
        yield (first ? prefix : ',') + parts.join(',');
        first = false;
      }
      yield first ? `${prefix}]}` : ']}';
    }
    return ok(pieces());
  }

  private bundlePath(roundId: string): string {
    return path.join(this.bundleDir, `${roundId}.json`);
  }

  private async writeBundle(roundId: string): Promise<string> {
    const row = await repo.findRound(this.store.db, roundId);
    if (row?.status !== 'published' || row.definition === null || row.outcome === null) throw new Error('bundle of an unpublished round');
    const register = await this.registerOf(roundId);
    const entries = await repo.listBoard(this.store.db, roundId);
    const board = entries.map(
      (e) => `{"seq":${e.seq},"voter":${JSON.stringify(e.voter)},"ballot":${e.ballot},"sig":"${e.sig}","leaf":"${e.leaf}","head":"${e.head}"}`,
    );
    const text =
      `{"protocol":1,"instanceKey":"${this.instance.publicKeyB64}","definition":${row.definition},"definitionSig":"${row.definition_sig ?? ''}",` +
      `"register":${JSON.stringify(register)},"board":[${board.join(',')}],"outcome":${row.outcome},"outcomeSig":"${row.outcome_sig ?? ''}"}`;
    privateFolder(this.bundleDir);
    const file = this.bundlePath(roundId);
    writePrivateFile(file, text);
    return file;
  }

  /** The bundle file of a published round (written at publish; rebuilt if it went missing). */
  async bundleFile(roundId: string): Promise<Result<string, Failure>> {
    const row = await repo.findRound(this.store.db, roundId);
    if (row === undefined) return failure('not_found', 'no such round');
    if (row.status !== 'published') return failure('not_visible', 'the bundle is published with the outcome');
    const file = this.bundlePath(roundId);
    return ok(fs.existsSync(file) ? file : await this.writeBundle(roundId));
  }

  /** The open round's ledger, for live pushes (committed turnout and head). */
  openLedger(roundId: string): RoundLedger | undefined {
    return this.ledgers.get(roundId);
  }

  canSeeDrafts(viewer: Member | undefined): boolean {
    return viewer !== undefined && viewer.status === 'active' && isModerator(viewer.role);
  }

  private emitStatus(roundId: string, status: RoundStatus): void {
    for (const l of this.listeners) l.status?.(roundId, status);
  }
}
