import type { Logger } from 'pino';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { signedBytes } from '../../shared/protocol/signing';
import type { SignedReceipt } from '../../shared/protocol/types';
import type { Result } from '../../shared/result';
import { ok } from '../../shared/result';
import type { Clock } from '../clock';
import type { Signatures } from '../crypto/signatures';
import type { Store } from '../store/store';
import { failure, type Failure } from '../failure';
import type { Instance } from '../instance/instance';
import type { Member } from '../members/member';
import { BoardWriter, type CommittedEntry } from './board-writer';
import type { RoundEventEmitter } from './events';
import { admitBallot, precheckBallot, type CheckedBallot } from './intake';
import { precheckSecretBallot } from './intake-secret';
import type { RoundLedger } from './ledger';
import type { OpenLedgers } from './ledgers';
import * as repo from './repository';

/**
 * Casting a ballot: the ordered checks (intake.ts), its place on the chain,
 * the group commit (BoardWriter) and the signed receipt. Each committed batch
 * moves the ledgers and is announced as one `committed` event per round.
 */
export class BallotCasting {
  readonly writer: BoardWriter;

  constructor(
    private readonly store: Store,
    private readonly instance: Instance,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly signatures: Signatures,
    private readonly ledgers: OpenLedgers,
    private readonly events: RoundEventEmitter,
  ) {
    this.writer = new BoardWriter(
      store,
      (entries) => this.onCommitted(entries),
      (rounds, e) => this.onWriteFailed(rounds, e),
    );
  }

  /** A named round's ballot (protocol 1), from a signed-in member. A secret round's ballot goes to `castSecret` whoever sends it. */
  async cast(member: Member, roundId: string, body: unknown, bodyBytes: number): Promise<Result<SignedReceipt, Failure>> {
    const ledger = this.ledgers.get(roundId);
    if (ledger?.secret === true) return this.castSecret(roundId, body, bodyBytes);
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
    return this.admit(ledger, prechecked.value);
  }

  /**
   * A secret round's ballot (protocol 2): no member, its credential is its
   * eligibility (intake-secret.ts). The caller has found the round secret
   * (from its open ledger, or the database when it is not open).
   */
  async castSecret(roundId: string, body: unknown, bodyBytes: number): Promise<Result<SignedReceipt, Failure>> {
    const ledger = this.ledgers.get(roundId);
    if (ledger === undefined && (await repo.findRound(this.store.db, roundId)) === undefined) return failure('not_found', 'no such round');
    const prechecked = precheckSecretBallot(ledger, body, { instanceId: this.instance.id, roundId, now: this.clock.now().getTime(), bodyBytes });
    if (!prechecked.ok) return prechecked;
    if (ledger === undefined) throw new Error('precheckSecretBallot passed without a ledger');
    return this.admit(ledger, prechecked.value);
  }

  /** Either protocol's ballot from its signature on: checked under `ballot.key`, admitted, put on the chain, committed, receipted. */
  private async admit(ledger: RoundLedger, p: CheckedBallot): Promise<Result<SignedReceipt, Failure>> {
    const roundId = ledger.id;
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
    for (const [ledger, ofRound] of this.ledgers.markCommitted(entries)) {
      this.events.emit('committed', ledger.id, { entries: ofRound, head: ledger.committedHead, turnout: ledger.turnout });
    }
  }

  private async onWriteFailed(roundIds: ReadonlySet<string>, e: unknown): Promise<void> {
    // A store failure (disk full, read-only) is logged by the store's write health, once per cause and interval.
    if (this.store.writes.failureOf(e) === undefined) this.logger.error({ err: e, rounds: [...roundIds] }, 'writing ballots failed; rebuilding the rounds from the database');
    await this.ledgers.rebuild(roundIds);
  }
}

