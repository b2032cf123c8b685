/**
 * What a pass over a protocol-1 and a protocol-2 board does alike, once: the
 * checks of the definition and the round's identity, the per-entry checks
 * that do not depend on who the voter is (sequence, definition hash, fields,
 * choice, nonce, signed bytes, leaf and head), and the report at the end.
 * verify-v1.ts and verify-v2.ts add what differs: the register, how a
 * ballot's voter is established (registered key or credential), the revote
 * check's voter, and their own checks and figures.
 *
 * A base class with methods rather than callbacks: the hot loop calls the
 * same methods on the one class a run uses, with no closure per entry.
 */
import { checkChoice } from '../counting/choice';
import type { Contest } from '../counting/types';
import { BoardChain, definitionHashBytes, joinedLeafBytes } from './board';
import { contestOf, countingBallots, voterOfEntry } from './contest';
import { decodeBase64UrlInto, encodeBase64Url, equalsBase64Url, utf8 } from './encoding';
import type { SchemaIssue } from './schemas';
import { verifyStatement, type ProtocolCrypto } from './signing';
import type { AnyBoardEntry, Bundle, BundleV2 } from './types';
import {
  Arena,
  bytes,
  inReportOrder,
  receiptChecks,
  recountCheck,
  schemaReport,
  signedBallotWithRoom,
  type BoardPass,
  type CredentialTask,
  type SignatureTask,
  type VerifyOptions,
} from './verify-common';
import { check, fromProblems, plural, Problems, type CheckId, type VerifyCheck, type VerifyReport } from './verify-report';

/** The words a protocol's report uses where the two differ only in naming. */
export interface PassWording {
  /** The bundle-schema check's detail when it holds. */
  readonly schema: string;
  /** Who casts a ballot that counts: a voter (protocol 1) or a credential (protocol 2). */
  readonly voter: 'voter' | 'credential';
  /** "the board has ballots <of|under> N voters" in the counted check. */
  readonly ballotsOf: 'of' | 'under';
}

/**
 * One pass over the board. `entry(i)` runs every check of entry i except its
 * signature and returns the signature task; `signature(i, ok)` records the
 * verdict. Entries must be given in order (the chain is sequential);
 * signature verdicts may come later, in any order.
 */
export abstract class BoardPassBase<B extends Bundle | BundleV2> implements BoardPass {
  readonly total: number;
  abstract readonly issuingKey: string | undefined;
  protected readonly checks = new Map<CheckId, VerifyCheck>();
  protected readonly definition: B['definition'];
  protected readonly contest: Contest;
  protected readonly definitionHash: string;
  protected readonly nonces = new Set<string>();
  /** 1 where the entry's choice fits the method. */
  protected readonly validChoice: Uint8Array;
  /** The chain as recomputed, gone on from the published head past any wrong entry. */
  protected readonly heads: BoardChain;
  /** Board entries that do not have the form of a board entry. */
  protected readonly formIssues: SchemaIssue[] = [];
  /** Where signed bytes || sig go when tasks are done with before `releaseBuffers`. */
  protected readonly arena: Arena | undefined;
  private readonly progressStep: number;
  private signaturesDone = 0;

  protected readonly sequence = new Problems();
  protected readonly ballotDefinitions = new Problems();
  protected readonly fields = new Problems();
  protected readonly choiceProblems = new Problems();
  protected readonly nonceProblems = new Problems();
  protected readonly revoteProblems = new Problems();
  protected readonly signatures = new Problems();
  protected readonly chain = new Problems();

  constructor(
    protected readonly bundle: B,
    protected readonly crypto: ProtocolCrypto,
    protected readonly opts: VerifyOptions,
    reuseBuffers: boolean,
    private readonly wording: PassWording,
  ) {
    this.arena = reuseBuffers ? new Arena() : undefined;
    const { definition, outcome } = bundle;
    this.definition = definition;
    this.contest = contestOf(definition);
    this.total = bundle.board.length;
    this.validChoice = new Uint8Array(this.total);
    this.progressStep = Math.max(1024, Math.ceil(this.total / 100));

    this.checks.set('bundle-schema', check('bundle-schema', true, wording.schema));

    const definitionOk = verifyStatement(crypto, 'definition', definition, bundle.definitionSig, bundle.instanceKey);
    this.checks.set(
      'definition-signature',
      check('definition-signature', definitionOk, definitionOk ? 'valid' : 'definitionSig is not a valid signature of the definition (purpose "definition") under instanceKey'),
    );

    const hashBytes = definitionHashBytes(definition, crypto);
    this.definitionHash = encodeBase64Url(hashBytes);
    this.heads = new BoardChain(hashBytes, crypto);

    const identity = new Problems();
    if (outcome.instance !== definition.instance) identity.add(`outcome.instance is ${outcome.instance}, the definition's is ${definition.instance}`);
    if (outcome.round !== definition.round) identity.add(`outcome.round is ${outcome.round}, the definition's is ${definition.round}`);
    this.checks.set(
      'round-identity',
      fromProblems('round-identity', identity, `instance ${definition.instance}, round ${definition.round}`, () => 'the outcome is about another round'),
    );
  }

  /**
   * The register check's end, alike in both protocols: the register's root
   * (SHA-256 of its JCS) against the outcome's, after the protocol's own
   * problems; `described` is what the register holds, said before the root.
   */
  protected registerCheck(problems: Problems, registerJcs: string, described: string): VerifyCheck {
    const { outcome } = this.bundle;
    const root = encodeBase64Url(this.crypto.sha256(utf8(registerJcs)));
    if (root !== outcome.register.root) problems.add(`registerRoot is ${root}, outcome.register.root is ${outcome.register.root}`);
    return fromProblems('register', problems, `${described}, sorted and unique, root ${root}`, () => 'the register does not match the definition or the outcome');
  }

  abstract entry(i: number): SignatureTask;
  abstract takeCredentials(): { first: number; tasks: readonly CredentialTask[] };
  abstract credential(id: number, valid: boolean): void;

  /** The checks in the protocol's own words (the voter, the register's figures), set at the end. */
  protected abstract finishVoterChecks(): void;

  /** Figures only this protocol reports, after the common ones. */
  protected abstract extraFigures(): { readonly issued?: number };

  /** An entry's checks before its voter's: seq, definition hash, instance and round, choice, nonce. */
  protected checkBallot(entry: AnyBoardEntry, i: number, seq: number): void {
    const { ballot } = entry;
    if (entry.seq !== seq) this.sequence.add(`entry ${seq} has seq ${entry.seq}`);
    if (ballot.definition !== this.definitionHash) this.ballotDefinitions.add(`entry ${seq}: ballot.definition is ${ballot.definition}`);
    if (ballot.instance !== this.definition.instance) this.fields.add(`entry ${seq}: ballot.instance is ${ballot.instance}`);
    if (ballot.round !== this.definition.round) this.fields.add(`entry ${seq}: ballot.round is ${ballot.round}`);

    // Only whether it is valid is kept; the counting ballots are checked again for the count.
    const choice = checkChoice(this.contest, ballot.choice);
    if (choice.ok) this.validChoice[i] = 1;
    else this.choiceProblems.add(`entry ${seq}: ${choice.error.message}`);

    // Growth of the set tells a repeat with one lookup instead of two.
    const nonces = this.nonces.size;
    this.nonces.add(ballot.nonce);
    if (this.nonces.size === nonces) this.nonceProblems.add(`entry ${seq}: nonce ${ballot.nonce} was used before`);
  }

  /** An entry's leaf and head, checked last; returns its signature task. */
  protected chainEntry(entry: AnyBoardEntry, seq: number): SignatureTask {
    const { ballot } = entry;
    // The signed bytes and the signature in one buffer: the leaf hashes exactly their concatenation.
    const { buffer, length } = signedBallotWithRoom(ballot, 64, this.arena);
    if (!decodeBase64UrlInto(entry.sig, buffer, length).ok) throw new Error('verify: a validated signature failed to decode');
    const message = buffer.subarray(0, length);
    const signature = buffer.subarray(length);
    const leaf = joinedLeafBytes(buffer, this.crypto);
    if (!equalsBase64Url(leaf, entry.leaf)) this.chain.add(`entry ${seq}: leaf is not SHA-256(signed ballot || sig)`);
    // Each head is checked against the published previous head, so one bad entry is reported once, not with every entry after it.
    const head = this.heads.headAfter(leaf);
    if (equalsBase64Url(head, entry.head)) this.heads.moveTo(head);
    else {
      this.chain.add(`entry ${seq}: head is not SHA-256(previous head || leaf)`);
      this.heads.moveTo(bytes(entry.head, 32));
    }
    return { message, signature, publicKey: bytes(ballot.key, 32) };
  }

  releaseBuffers(): void {
    this.arena?.reset();
  }

  signature(i: number, valid: boolean): void {
    if (!valid) this.signatures.add(`entry ${i + 1}: the signature does not verify under ballot.key`);
    this.signaturesDone += 1;
    if (this.opts.onProgress !== undefined && (this.signaturesDone % this.progressStep === 0 || this.signaturesDone === this.total)) {
      this.opts.onProgress(this.signaturesDone, this.total);
    }
  }

  finish(): VerifyReport {
    // As when the rest of the bundle is malformed: with an entry of the wrong form, nothing else can be relied on.
    if (this.formIssues.length > 0) return schemaReport(this.formIssues);
    this.finishVoterChecks();
    const { bundle, definition, wording } = this;
    const { outcome } = bundle;
    const board: readonly AnyBoardEntry[] = bundle.board;
    const n = this.total;

    const outcomeDefinition = outcome.definition === this.definitionHash;
    if (!outcomeDefinition) this.ballotDefinitions.add(`outcome.definition is ${outcome.definition}`);
    this.checks.set(
      'definition-hash',
      fromProblems('definition-hash', this.ballotDefinitions, `definitionHash ${this.definitionHash}`, (f) =>
        outcomeDefinition ? `${plural(f, 'ballot')} name another definition` : `SHA-256(JCS(definition)) is ${this.definitionHash}, and ${plural(f, 'place')} disagree`,
      ),
    );
    this.checks.set('board-sequence', fromProblems('board-sequence', this.sequence, `${plural(n, 'entry', 'entries')}, seq 1 to ${n}`, (f) => `${plural(f, 'entry', 'entries')} out of sequence`));
    this.checks.set('ballot-fields', fromProblems('ballot-fields', this.fields, 'every ballot names this instance and round', (f) => `${plural(f, 'field')} name another instance or round`));
    this.checks.set('ballot-choices', fromProblems('ballot-choices', this.choiceProblems, `every choice is a valid ${definition.method} choice`, (f) => `${plural(f, 'choice')} do not fit the method`));
    this.checks.set('ballot-nonces', fromProblems('ballot-nonces', this.nonceProblems, `${plural(this.nonces.size, 'nonce')}, all different`, (f) => `${plural(f, 'nonce')} repeated`));
    this.checks.set(
      'revote',
      fromProblems(
        'revote',
        this.revoteProblems,
        definition.revote ? `revoting allowed: each ${wording.voter}'s latest ballot counts` : `revoting off: at most one ballot per ${wording.voter}`,
        (f) => `${plural(f, 'second ballot')} on a round without revoting`,
      ),
    );
    this.checks.set('ballot-signatures', fromProblems('ballot-signatures', this.signatures, `${plural(n, 'signature')} valid`, (f) => `${plural(f, 'signature')} invalid`));
    const finalHead = n === 0 ? encodeBase64Url(this.heads.head) : (board[n - 1] as AnyBoardEntry).head;
    this.checks.set('board-chain', fromProblems('board-chain', this.chain, `chain intact, final head ${finalHead}`, (f) => `${plural(f, 'leaf or head', 'leaves or heads')} wrong`));

    const final = new Problems();
    if (outcome.board.entries !== n) final.add(`outcome.board.entries is ${outcome.board.entries}, the board has ${plural(n, 'entry', 'entries')}`);
    if (outcome.board.head !== finalHead) final.add(`outcome.board.head is ${outcome.board.head}, the board ends at ${finalHead}`);
    this.checks.set('board-final', fromProblems('board-final', final, `${plural(n, 'entry', 'entries')}, head ${finalHead}`, () => 'the outcome describes another board'));

    const outcomeOk = verifyStatement(this.crypto, 'outcome', outcome, bundle.outcomeSig, bundle.instanceKey);
    this.checks.set(
      'outcome-signature',
      check('outcome-signature', outcomeOk, outcomeOk ? 'valid' : 'outcomeSig is not a valid signature of the outcome (purpose "outcome") under instanceKey'),
    );

    // In a secret round the credential is the voter (voterOfEntry).
    const counting = countingBallots(definition, board, voterOfEntry);
    const counted = counting.length;
    this.checks.set(
      'counted',
      check(
        'counted',
        outcome.counted === counted,
        outcome.counted === counted
          ? `${plural(counted, wording.voter)} cast a ballot that counts`
          : `outcome.counted is ${outcome.counted}, the board has ballots ${wording.ballotsOf} ${plural(counted, wording.voter)}`,
      ),
    );

    // Entries are in board order, so seq - 1 is the index unless the sequence is broken (then look it up).
    const positions = this.sequence.ok ? undefined : new Map(board.map((entry, index) => [entry, index]));
    const recount = recountCheck(
      { definition, contest: this.contest, board, validChoice: this.validChoice, published: outcome.result, crypto: this.crypto },
      counting.map((entry) => positions?.get(entry) ?? entry.seq - 1),
      finalHead,
    );
    this.checks.set('recount', recount.check);

    if (this.opts.receipt !== undefined) {
      for (const c of receiptChecks(this.opts.receipt, bundle, this.crypto)) this.checks.set(c.id, c);
    }

    const checks = inReportOrder(this.checks);
    return {
      ok: checks.every((c) => c.ok),
      checks,
      round: {
        instance: definition.instance,
        round: definition.round,
        title: definition.title,
        method: definition.method,
        seats: definition.seats,
        revote: definition.revote,
        options: definition.options,
      },
      figures: { electorate: definition.electorate.count, entries: n, counted, definitionHash: this.definitionHash, finalHead, ...this.extraFigures() },
      ...(recount.result === undefined ? {} : { recount: recount.result }),
    };
  }
}
