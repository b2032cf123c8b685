/**
 * The verifier's pass over a protocol-1 bundle (named rounds, protocol.md
 * "Outcome and bundle"): every entry names its voter, whose device keys the
 * register lists.
 */
import { checkChoice } from '../counting/choice';
import type { Contest } from '../counting/types';
import { BoardChain, definitionHashBytes, joinedLeafBytes } from './board';
import { contestOf, countingBallots, voterOfEntry } from './contest';
import { decodeBase64UrlInto, encodeBase64Url, equalsBase64Url, utf8 } from './encoding';
import { BoardEntryObjectSchema, isBoardEntryShape, issuesOf, type SchemaIssue } from './schemas';
import { registerJcs, verifyStatement, type ProtocolCrypto } from './signing';
import type { Bundle, BoardEntry, RoundDefinition } from './types';
import {
  Arena,
  bytes,
  inReportOrder,
  NO_TASK,
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

/**
 * One pass over the board. `entry(i)` runs every check of entry i except its
 * signature and returns the signature task; `signature(i, ok)` records the
 * verdict. Entries must be given in order (the chain is sequential);
 * signature verdicts may come later, in any order.
 */
export class BoardPassV1 implements BoardPass {
  readonly total: number;
  readonly issuingKey = undefined;
  private readonly checks = new Map<CheckId, VerifyCheck>();
  private readonly definition: RoundDefinition;
  private readonly contest: Contest;
  private readonly definitionHash: string;
  /** Each registered key's voter (the register lists a key under one voter only). */
  private readonly keyOwner = new Map<string, string>();
  private readonly voters = new Set<string>();
  private readonly nonces = new Set<string>();
  private readonly votersSeen = new Set<string>();
  /** 1 where the entry's choice fits the method. */
  private readonly validChoice: Uint8Array;
  /** The chain as recomputed, gone on from the published head past any wrong entry. */
  private readonly heads: BoardChain;
  /** Board entries that do not have the form of a board entry. */
  private readonly formIssues: SchemaIssue[] = [];
  /** Where signed bytes || sig go when tasks are done with before `releaseBuffers`. */
  private readonly arena: Arena | undefined;
  private readonly progressStep: number;
  private signaturesDone = 0;

  private readonly sequence = new Problems();
  private readonly ballotDefinitions = new Problems();
  private readonly fields = new Problems();
  private readonly keys = new Problems();
  private readonly choiceProblems = new Problems();
  private readonly nonceProblems = new Problems();
  private readonly revoteProblems = new Problems();
  private readonly signatures = new Problems();
  private readonly chain = new Problems();

  constructor(
    private readonly bundle: Bundle,
    private readonly crypto: ProtocolCrypto,
    private readonly opts: VerifyOptions,
    reuseBuffers: boolean,
  ) {
    this.arena = reuseBuffers ? new Arena() : undefined;
    const { definition, outcome } = bundle;
    this.definition = definition;
    this.contest = contestOf(definition);
    this.total = bundle.board.length;
    this.validChoice = new Uint8Array(this.total);
    this.progressStep = Math.max(1024, Math.ceil(this.total / 100));

    this.checks.set('bundle-schema', check('bundle-schema', true, 'every field has the form protocol.md gives it'));

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

    this.checks.set('register', this.checkRegister());
    for (const { voter, keys } of bundle.register) {
      this.voters.add(voter);
      for (const key of keys) this.keyOwner.set(key, voter);
    }
  }

  private checkRegister(): VerifyCheck {
    const { register, definition, outcome } = this.bundle;
    const problems = new Problems();
    // The schema refuses these too; checked again so this check states them on its own.
    const keys = new Set<string>();
    register.forEach((entry, i) => {
      const previous = register[i - 1];
      if (previous !== undefined && !(previous.voter < entry.voter)) problems.add(`register[${i}]: voter ${entry.voter} is out of order or repeated`);
      for (const key of entry.keys) {
        if (keys.has(key)) problems.add(`register[${i}]: key ${key} is listed twice`);
        keys.add(key);
      }
    });
    if (register.length !== definition.electorate.count) {
      problems.add(`the register has ${plural(register.length, 'voter')}, definition.electorate.count is ${definition.electorate.count}`);
    }
    if (outcome.register.count !== register.length) {
      problems.add(`outcome.register.count is ${outcome.register.count}, the register has ${plural(register.length, 'voter')}`);
    }
    const root = encodeBase64Url(this.crypto.sha256(utf8(registerJcs(register))));
    if (root !== outcome.register.root) problems.add(`registerRoot is ${root}, outcome.register.root is ${outcome.register.root}`);
    return fromProblems(
      'register',
      problems,
      `${plural(register.length, 'voter')}, sorted and unique, root ${root}`,
      () => 'the register does not match the definition or the outcome',
    );
  }

  entry(i: number): SignatureTask {
    const raw: unknown = this.bundle.board[i];
    if (!isBoardEntryShape(raw)) {
      this.formIssues.push(...issuesOf(BoardEntryObjectSchema, raw, ['board', i]));
      return NO_TASK;
    }
    const entry = raw;
    const { ballot, voter } = entry;
    const seq = i + 1;

    if (entry.seq !== seq) this.sequence.add(`entry ${seq} has seq ${entry.seq}`);
    if (ballot.definition !== this.definitionHash) this.ballotDefinitions.add(`entry ${seq}: ballot.definition is ${ballot.definition}`);
    if (ballot.instance !== this.definition.instance) this.fields.add(`entry ${seq}: ballot.instance is ${ballot.instance}`);
    if (ballot.round !== this.definition.round) this.fields.add(`entry ${seq}: ballot.round is ${ballot.round}`);

    const owner = this.keyOwner.get(ballot.key);
    if (owner !== voter) {
      if (!this.voters.has(voter)) this.keys.add(`entry ${seq}: voter ${voter} is not in the register`);
      else if (owner === undefined) this.keys.add(`entry ${seq}: key ${ballot.key} is not in the register`);
      else this.keys.add(`entry ${seq}: key ${ballot.key} is registered for another voter`);
    }

    // Only whether it is valid is kept; the counting ballots are checked again for the count.
    const choice = checkChoice(this.contest, ballot.choice);
    if (choice.ok) this.validChoice[i] = 1;
    else this.choiceProblems.add(`entry ${seq}: ${choice.error.message}`);

    // Growth of the set tells a repeat with one lookup instead of two.
    const nonces = this.nonces.size;
    this.nonces.add(ballot.nonce);
    if (this.nonces.size === nonces) this.nonceProblems.add(`entry ${seq}: nonce ${ballot.nonce} was used before`);

    const voters = this.votersSeen.size;
    this.votersSeen.add(voter);
    if (this.votersSeen.size === voters && !this.definition.revote) {
      this.revoteProblems.add(`entry ${seq}: voter ${voter} already has a ballot and revoting is off`);
    }

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

  takeCredentials(): { first: number; tasks: readonly CredentialTask[] } {
    return { first: 0, tasks: [] };
  }

  credential(): void {
    // Protocol 1 has no credentials.
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
    const { bundle, definition } = this;
    const { outcome, board } = bundle;
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
    this.checks.set('ballot-keys', fromProblems('ballot-keys', this.keys, "every ballot's key is registered for the entry's voter", (f) => `${plural(f, 'ballot')} signed with a key not registered for the voter`));
    this.checks.set('ballot-choices', fromProblems('ballot-choices', this.choiceProblems, `every choice is a valid ${definition.method} choice`, (f) => `${plural(f, 'choice')} do not fit the method`));
    this.checks.set('ballot-nonces', fromProblems('ballot-nonces', this.nonceProblems, `${plural(this.nonces.size, 'nonce')}, all different`, (f) => `${plural(f, 'nonce')} repeated`));
    this.checks.set(
      'revote',
      fromProblems('revote', this.revoteProblems, definition.revote ? "revoting allowed: each voter's latest ballot counts" : 'revoting off: at most one ballot per voter', (f) => `${plural(f, 'second ballot')} on a round without revoting`),
    );
    this.checks.set('ballot-signatures', fromProblems('ballot-signatures', this.signatures, `${plural(n, 'signature')} valid`, (f) => `${plural(f, 'signature')} invalid`));
    const finalHead = n === 0 ? encodeBase64Url(this.heads.head) : (board[n - 1] as BoardEntry).head;
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

    const counting = countingBallots(definition, board, voterOfEntry);
    const counted = counting.length;
    this.checks.set(
      'counted',
      check('counted', outcome.counted === counted, outcome.counted === counted ? `${plural(counted, 'voter')} cast a ballot that counts` : `outcome.counted is ${outcome.counted}, the board has ballots of ${plural(counted, 'voter')}`),
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
      figures: { electorate: definition.electorate.count, entries: n, counted, definitionHash: this.definitionHash, finalHead },
      ...(recount.result === undefined ? {} : { recount: recount.result }),
    };
  }
}
