/**
 * The verifier's pass over a protocol-2 bundle (secret rounds, protocol.md
 * "Protocol 2: secret rounds"). No entry names a voter: each ballot carries
 * a credential, the round's issuing key's blind signature over (round,
 * ballot.key), and the credential is the voter. What the bundle proves:
 * every credential is genuine, distinct credentials ≤ issued ≤ electorate,
 * and one ballot per credential counts.
 */
import { checkChoice } from '../counting/choice';
import type { Contest } from '../counting/types';
import { BoardChain, definitionHashBytes, joinedLeafBytes } from './board';
import { contestOf, countingBallots, voterOfEntry } from './contest';
import { credentialMessage, ISSUING_KEY_BYTES } from './credential';
import { decodeBase64UrlInto, encodeBase64Url, equalsBase64Url, utf8 } from './encoding';
import { issuesOf, type SchemaIssue } from './schemas';
import { BoardEntryV2ObjectSchema, isBoardEntryV2Shape } from './schemas-v2';
import { registerV2Jcs, verifyStatement, type ProtocolCrypto } from './signing';
import type { BoardEntryV2, BundleV2, RoundDefinitionV2 } from './types';
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

/** A distinct (credential, round key) pair: checked once however many ballots carry it (a revote repeats both). */
interface CredentialUse {
  readonly key: string;
  readonly id: number;
}

/** Characters of a 32-byte key in base64url without padding. */
const KEY_CHARS = 43;

/**
 * credentialMessage(round, key) for one round and many keys: the bytes
 * around the key are made once, and a key that passed the schema (43 ASCII
 * characters) is copied in, with no validation of the round per ballot.
 * Held equal to credentialMessage by the first ballot (and by every test:
 * a message that differed would fail every credential).
 */
class CredentialMessages {
  private readonly before: Uint8Array;
  private readonly after: Uint8Array;

  constructor(round: string) {
    const sample = 'A'.repeat(KEY_CHARS);
    const whole = credentialMessage(round, sample);
    if (whole === undefined) throw new Error('verify: a validated round id gave no credential message');
    // The key comes before the round ("key" sorts first) and the prefix has no "A": the first run of 43 is the key.
    let at = 0;
    while (at + KEY_CHARS <= whole.length && !whole.subarray(at, at + KEY_CHARS).every((b) => b === 0x41)) at += 1;
    this.before = whole.subarray(0, at);
    this.after = whole.subarray(at + sample.length);
  }

  message(key: string, arena: Arena | undefined): Uint8Array {
    const size = this.before.length + key.length + this.after.length;
    const out = arena === undefined ? new Uint8Array(size) : arena.take(size);
    out.set(this.before, 0);
    let o = this.before.length;
    for (let i = 0; i < key.length; i += 1) out[o++] = key.charCodeAt(i);
    out.set(this.after, o);
    return out;
  }
}

export class BoardPassV2 implements BoardPass {
  readonly total: number;
  readonly issuingKey: string;
  private readonly checks = new Map<CheckId, VerifyCheck>();
  private readonly definition: RoundDefinitionV2;
  private readonly contest: Contest;
  private readonly definitionHash: string;
  private readonly nonces = new Set<string>();
  /** Each credential on the board, with the round key(s) it came with; the key of a second use that differs gets its own check. */
  private readonly credentialUses = new Map<string, CredentialUse[]>();
  /** Per credential check: the first entry that carried it and how many did. */
  private readonly credentialEntries: { first: number; uses: number }[] = [];
  private pendingCredentials: CredentialTask[] = [];
  /** Credential checks that failed; told as problems at the end, when every entry carrying each is known (verdicts may come early). */
  private readonly badCredentials: number[] = [];
  private pendingFirst = 0;
  private credentialsDone = 0;
  private readonly credentialMessages: CredentialMessages;
  private readonly validChoice: Uint8Array;
  private readonly heads: BoardChain;
  private readonly formIssues: SchemaIssue[] = [];
  private readonly arena: Arena | undefined;
  private readonly progressStep: number;
  private signaturesDone = 0;

  private readonly sequence = new Problems();
  private readonly ballotDefinitions = new Problems();
  private readonly fields = new Problems();
  private readonly credentialProblems = new Problems();
  private readonly choiceProblems = new Problems();
  private readonly nonceProblems = new Problems();
  private readonly revoteProblems = new Problems();
  private readonly signatures = new Problems();
  private readonly chain = new Problems();

  constructor(
    private readonly bundle: BundleV2,
    private readonly crypto: ProtocolCrypto,
    private readonly opts: VerifyOptions,
    reuseBuffers: boolean,
  ) {
    this.arena = reuseBuffers ? new Arena() : undefined;
    const { definition, outcome } = bundle;
    this.definition = definition;
    this.issuingKey = definition.issuer;
    this.credentialMessages = new CredentialMessages(definition.round);
    this.contest = contestOf(definition);
    this.total = bundle.board.length;
    this.validChoice = new Uint8Array(this.total);
    this.progressStep = Math.max(1024, Math.ceil(this.total / 100));

    this.checks.set('bundle-schema', check('bundle-schema', true, 'every field has the form protocol.md gives it (protocol 2)'));

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
  }

  /** electorate and issued sorted and unique, issued ⊆ electorate, and the counts and root as the definition and outcome give them. */
  private checkRegister(): VerifyCheck {
    const { register, definition, outcome } = this.bundle;
    const { electorate, issued } = register;
    const problems = new Problems();
    // The schema refuses these too; checked again so this check states them on its own.
    electorate.forEach((voter, i) => {
      const previous = electorate[i - 1];
      if (previous !== undefined && !(previous < voter)) problems.add(`register.electorate[${i}]: ${voter} is out of order or repeated`);
    });
    const eligible = new Set(electorate);
    issued.forEach((voter, i) => {
      const previous = issued[i - 1];
      if (previous !== undefined && !(previous < voter)) problems.add(`register.issued[${i}]: ${voter} is out of order or repeated`);
      if (!eligible.has(voter)) problems.add(`register.issued[${i}]: ${voter} received a credential but is not in the electorate`);
    });
    if (electorate.length !== definition.electorate.count) {
      problems.add(`the electorate has ${plural(electorate.length, 'voter')}, definition.electorate.count is ${definition.electorate.count}`);
    }
    if (outcome.register.count !== electorate.length) {
      problems.add(`outcome.register.count is ${outcome.register.count}, the electorate has ${plural(electorate.length, 'voter')}`);
    }
    if (outcome.register.issued !== issued.length) {
      problems.add(`outcome.register.issued is ${outcome.register.issued}, the register lists ${plural(issued.length, 'credential')} issued`);
    }
    const root = encodeBase64Url(this.crypto.sha256(utf8(registerV2Jcs(register))));
    if (root !== outcome.register.root) problems.add(`registerRoot is ${root}, outcome.register.root is ${outcome.register.root}`);
    return fromProblems(
      'register',
      problems,
      `${plural(electorate.length, 'voter')}, ${plural(issued.length, 'credential')} issued, sorted and unique, root ${root}`,
      () => 'the register does not match the definition or the outcome',
    );
  }

  entry(i: number): SignatureTask {
    const raw: unknown = this.bundle.board[i];
    if (!isBoardEntryV2Shape(raw)) {
      this.formIssues.push(...issuesOf(BoardEntryV2ObjectSchema, raw, ['board', i]));
      return NO_TASK;
    }
    const entry = raw;
    const { ballot } = entry;
    const seq = i + 1;

    if (entry.seq !== seq) this.sequence.add(`entry ${seq} has seq ${entry.seq}`);
    if (ballot.definition !== this.definitionHash) this.ballotDefinitions.add(`entry ${seq}: ballot.definition is ${ballot.definition}`);
    if (ballot.instance !== this.definition.instance) this.fields.add(`entry ${seq}: ballot.instance is ${ballot.instance}`);
    if (ballot.round !== this.definition.round) this.fields.add(`entry ${seq}: ballot.round is ${ballot.round}`);

    this.noteCredential(ballot.credential, ballot.key, seq);

    const choice = checkChoice(this.contest, ballot.choice);
    if (choice.ok) this.validChoice[i] = 1;
    else this.choiceProblems.add(`entry ${seq}: ${choice.error.message}`);

    const nonces = this.nonces.size;
    this.nonces.add(ballot.nonce);
    if (this.nonces.size === nonces) this.nonceProblems.add(`entry ${seq}: nonce ${ballot.nonce} was used before`);

    const { buffer, length } = signedBallotWithRoom(ballot, 64, this.arena);
    if (!decodeBase64UrlInto(entry.sig, buffer, length).ok) throw new Error('verify: a validated signature failed to decode');
    const message = buffer.subarray(0, length);
    const signature = buffer.subarray(length);
    const leaf = joinedLeafBytes(buffer, this.crypto);
    if (!equalsBase64Url(leaf, entry.leaf)) this.chain.add(`entry ${seq}: leaf is not SHA-256(signed ballot || sig)`);
    const head = this.heads.headAfter(leaf);
    if (equalsBase64Url(head, entry.head)) this.heads.moveTo(head);
    else {
      this.chain.add(`entry ${seq}: head is not SHA-256(previous head || leaf)`);
      this.heads.moveTo(bytes(entry.head, 32));
    }

    return { message, signature, publicKey: bytes(ballot.key, 32) };
  }

  /**
   * Revote is judged here (a credential seen before is a second ballot of
   * one voter), and a credential to check is queued only the first time it
   * comes with a given round key: a revote repeats both, and an RSA check
   * costs as much as the ballot's own signature.
   */
  private noteCredential(credential: string, key: string, seq: number): void {
    const uses = this.credentialUses.get(credential);
    if (uses !== undefined && !this.definition.revote) {
      this.revoteProblems.add(`entry ${seq}: credential ${credential.slice(0, 16)}… already has a ballot and revoting is off`);
    }
    const same = uses?.find((use) => use.key === key);
    if (same !== undefined) {
      (this.credentialEntries[same.id] as { uses: number }).uses += 1;
      return;
    }
    const id = this.credentialEntries.length;
    this.credentialEntries.push({ first: seq, uses: 1 });
    if (uses === undefined) this.credentialUses.set(credential, [{ key, id }]);
    else uses.push({ key, id });
    // In the arena too (checked before it is reset, when there is one): 100,000 credentials are 35 MB for the collector otherwise.
    const message = this.credentialMessages.message(key, this.arena);
    const signature = this.arena === undefined ? new Uint8Array(ISSUING_KEY_BYTES) : this.arena.take(ISSUING_KEY_BYTES);
    if (!decodeBase64UrlInto(credential, signature, 0).ok) throw new Error('verify: a validated credential failed to decode');
    if (this.pendingCredentials.length === 0) this.pendingFirst = id;
    this.pendingCredentials.push({ message, signature });
  }

  takeCredentials(): { first: number; tasks: readonly CredentialTask[] } {
    const out = { first: this.pendingFirst, tasks: this.pendingCredentials };
    this.pendingCredentials = [];
    this.pendingFirst = this.credentialEntries.length;
    return out;
  }

  credential(id: number, valid: boolean): void {
    this.credentialsDone += 1;
    if (!valid) this.badCredentials.push(id);
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
    if (this.formIssues.length > 0) return schemaReport(this.formIssues);
    const bad = this.badCredentials.flatMap((id) => {
      const found = this.credentialEntries[id];
      return found === undefined ? [] : [found];
    });
    for (const { first, uses } of bad.sort((a, b) => a.first - b.first)) {
      const more = uses > 1 ? ` (and ${plural(uses - 1, 'later entry', 'later entries')} with it)` : '';
      this.credentialProblems.add(`entry ${first}${more}: the credential does not verify under definition.issuer for (round, ballot.key)`);
    }
    // A verdict never recorded is no pass: it would be a bug of the caller, and fails the check rather than hide it.
    if (this.credentialsDone !== this.credentialEntries.length) {
      this.credentialProblems.add(`${this.credentialEntries.length - this.credentialsDone} credentials were not checked`);
    }
    const { bundle, definition } = this;
    const { outcome, board, register } = bundle;
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

    const distinct = this.credentialUses.size;
    this.checks.set(
      'ballot-credentials',
      fromProblems(
        'ballot-credentials',
        this.credentialProblems,
        `${plural(distinct, 'credential')} on the board, each a valid signature of definition.issuer over (round, ballot.key)`,
        (f) => `${plural(f, 'credential')} not issued for the ballot's round key in this round`,
      ),
    );
    const issued = register.issued.length;
    const overIssued = distinct > issued;
    this.checks.set(
      'credentials-issued',
      check(
        'credentials-issued',
        !overIssued,
        overIssued
          ? `the board holds ${plural(distinct, 'distinct credential')}, but only ${issued} were issued`
          : `${plural(distinct, 'distinct credential')} used ≤ ${issued} issued ≤ ${register.electorate.length} in the electorate`,
      ),
    );

    this.checks.set('ballot-choices', fromProblems('ballot-choices', this.choiceProblems, `every choice is a valid ${definition.method} choice`, (f) => `${plural(f, 'choice')} do not fit the method`));
    this.checks.set('ballot-nonces', fromProblems('ballot-nonces', this.nonceProblems, `${plural(this.nonces.size, 'nonce')}, all different`, (f) => `${plural(f, 'nonce')} repeated`));
    this.checks.set(
      'revote',
      fromProblems(
        'revote',
        this.revoteProblems,
        definition.revote ? "revoting allowed: each credential's latest ballot counts" : 'revoting off: at most one ballot per credential',
        (f) => `${plural(f, 'second ballot')} on a round without revoting`,
      ),
    );
    this.checks.set('ballot-signatures', fromProblems('ballot-signatures', this.signatures, `${plural(n, 'signature')} valid`, (f) => `${plural(f, 'signature')} invalid`));
    const finalHead = n === 0 ? encodeBase64Url(this.heads.head) : (board[n - 1] as BoardEntryV2).head;
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
      check(
        'counted',
        outcome.counted === counted,
        outcome.counted === counted ? `${plural(counted, 'credential')} cast a ballot that counts` : `outcome.counted is ${outcome.counted}, the board has ballots under ${plural(counted, 'credential')}`,
      ),
    );

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
      figures: { electorate: definition.electorate.count, entries: n, counted, definitionHash: this.definitionHash, finalHead, issued },
      ...(recount.result === undefined ? {} : { recount: recount.result }),
    };
  }
}
