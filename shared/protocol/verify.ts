/**
 * The offline verifier of protocol.md ("Outcome and bundle"): everything a
 * published bundle claims, checked without the server, then recounted. Pure:
 * no I/O, crypto injected. `verifyBundle` runs in one go; `verifyBundleAsync`
 * hands ballot signatures to an injected batch verifier (worker threads in
 * the command line) while the sequential checks go on here.
 */
import { checkChoice } from '../counting/choice';
import { count, type CountResult } from '../counting/index';
import type { Choice, Contest } from '../counting/types';
import { BoardChain, definitionHashBytes, joinedLeafBytes } from './board';
import { contestOf, countContextOf, countingBallots, voterOfEntry } from './contest';
import { decodeBase64Url, decodeBase64UrlInto, encodeBase64Url, equalsBase64Url, utf8 } from './encoding';
import { jcs } from './jcs';
import { firstDifference } from './json-difference';
import { BoardEntryObjectSchema, BundleOutlineSchema, isBoardEntryShape, issuesOf, parseWith, SignedReceiptSchema, type SchemaIssue } from './schemas';
import { ballotJcsParts, purposePrefix, registerJcs, signedBytesOfJcs, verifyStatement, type ProtocolCrypto } from './signing';
import type { Ballot, Bundle, BoardEntry, RoundDefinition } from './types';
import { CHECKS, check, fromProblems, plural, Problems, type CheckId, type VerifyCheck, type VerifyReport } from './verify-report';

export { CHECKS, type CheckId, type VerifyCheck, type VerifyReport } from './verify-report';

/** One ballot signature to check: what the batch verifier gets. */
export interface SignatureTask {
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  readonly publicKey: Uint8Array;
}

export interface VerifyOptions {
  /** `{ receipt, receiptSig }` as the server answered a ballot. */
  readonly receipt?: unknown;
  /** Called now and then (about every 1% of the board), and once at the end. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface AsyncVerifyOptions extends VerifyOptions {
  /** Verdicts for a batch of ballot signatures, in order (true or 1 = valid). */
  readonly verifyBatch?: (tasks: readonly SignatureTask[]) => Promise<ArrayLike<boolean | number>>;
  /** Entries per batch (default 2048). */
  readonly batchSize?: number;
  /** Batches handed out before waiting for the oldest (default 8). */
  readonly inFlight?: number;
}


/** Stands in for the signature of a malformed entry; it never verifies. */
const NO_TASK: SignatureTask = { message: new Uint8Array(0), signature: new Uint8Array(0), publicKey: new Uint8Array(0) };

/** Entries whose signatures the one-thread verifier checks together. */
const SYNC_BATCH = 256;

/** Checks a bundle and recounts it. Never throws for anything in the bundle. */
export function verifyBundle(bundle: unknown, crypto: ProtocolCrypto, opts: VerifyOptions = {}): VerifyReport {
  const run = startRun(bundle, crypto, opts, true);
  if (!run.ok) return run.report;
  const { pass } = run;
  // A batch of entries is prepared (its signed bytes in one reused arena), then its signatures verified back to back.
  const tasks: SignatureTask[] = [];
  for (let start = 0; start < pass.total; start += SYNC_BATCH) {
    const end = Math.min(start + SYNC_BATCH, pass.total);
    tasks.length = 0;
    for (let i = start; i < end; i += 1) tasks.push(pass.entry(i));
    tasks.forEach((task, k) => pass.signature(start + k, crypto.verify(task.signature, task.message, task.publicKey)));
    pass.releaseBuffers();
  }
  return pass.finish();
}

/**
 * The same checks with ballot signatures verified in batches by
 * `opts.verifyBatch` (for instance in worker threads), while the sequential
 * checks (leaves, chain, nonces, …) go on in the caller's thread. Without
 * `verifyBatch` it verifies with `crypto`, yielding to the event loop
 * between batches.
 */
export async function verifyBundleAsync(bundle: unknown, crypto: ProtocolCrypto, opts: AsyncVerifyOptions = {}): Promise<VerifyReport> {
  const run = startRun(bundle, crypto, opts, false);
  if (!run.ok) return run.report;
  const { pass } = run;
  const batchSize = Math.max(1, opts.batchSize ?? 2048);
  const inFlight = Math.max(1, opts.inFlight ?? 8);
  const verifyBatch =
    opts.verifyBatch ??
    (async (tasks: readonly SignatureTask[]) => {
      // A macrotask, not just a microtask, so a server verifying in-process keeps answering between batches.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      return tasks.map((t) => crypto.verify(t.signature, t.message, t.publicKey));
    });
  const pending: { start: number; verdicts: Promise<ArrayLike<boolean | number>> }[] = [];
  const settle = async (): Promise<void> => {
    const batch = pending.shift();
    if (batch === undefined) return;
    const verdicts = await batch.verdicts;
    const end = Math.min(batch.start + batchSize, pass.total);
    for (let i = batch.start; i < end; i += 1) pass.signature(i, Boolean(verdicts[i - batch.start]));
  };
  for (let start = 0; start < pass.total; start += batchSize) {
    const tasks: SignatureTask[] = [];
    const end = Math.min(start + batchSize, pass.total);
    for (let i = start; i < end; i += 1) tasks.push(pass.entry(i));
    const verdicts = verifyBatch(tasks);
    // Settled in order later; a failure of a later batch must not go unhandled meanwhile.
    verdicts.catch(() => undefined);
    pending.push({ start, verdicts });
    if (pending.length >= inFlight) await settle();
  }
  while (pending.length > 0) await settle();
  return pass.finish();
}

// ---------------------------------------------------------------------------

type Run = { ok: true; pass: BoardPass } | { ok: false; report: VerifyReport };

/** With `reuseBuffers`, signature tasks are only valid until `releaseBuffers`. */
function startRun(raw: unknown, crypto: ProtocolCrypto, opts: VerifyOptions, reuseBuffers: boolean): Run {
  // The entries are checked for form in the board pass itself (see BoardPass.entry).
  const parsed = parseWith(BundleOutlineSchema, raw);
  if (!parsed.ok) return { ok: false, report: schemaReport(parsed.error) };
  return { ok: true, pass: new BoardPass(parsed.value, crypto, opts, reuseBuffers) };
}

function schemaReport(issues: readonly SchemaIssue[]): VerifyReport {
  const problems = new Problems();
  for (const issue of issues) problems.add(`${issue.path}: ${issue.message}`);
  const schema = check('bundle-schema', false, `the bundle does not have the form of protocol.md (${plural(problems.failures, 'problem')})`, problems);
  return { ok: false, checks: [schema] };
}

/** Decodes a field its schema has accepted, so failure here is a bug. */
function bytes(text: string, size: number): Uint8Array {
  const decoded = decodeBase64Url(text, size);
  if (!decoded.ok) throw new Error(`verify: a validated field failed to decode (${decoded.error})`);
  return decoded.value;
}

const BALLOT_PREFIX = purposePrefix('ballot');

/**
 * A bump allocator over one buffer: a batch of signed ballots lives here
 * until its signatures are verified, instead of in a fresh off-heap buffer per
 * ballot for the collector to sweep.
 */
class Arena {
  private offset = 0;
  private readonly buffer = new Uint8Array(1 << 19);

  take(size: number): Uint8Array {
    if (this.offset + size > this.buffer.length) return new Uint8Array(size);
    const out = this.buffer.subarray(this.offset, this.offset + size);
    this.offset += size;
    return out;
  }

  reset(): void {
    this.offset = 0;
  }
}

/**
 * signedBytes('ballot', ballot) followed by `room` spare bytes. A valid
 * ballot is ASCII throughout, so its JCS pieces are copied byte for byte
 * without building the string; anything else takes the general path.
 */
function signedBallotWithRoom(ballot: Ballot, room: number, arena: Arena | undefined): { buffer: Uint8Array; length: number } {
  const parts = ballotJcsParts(ballot);
  let size = BALLOT_PREFIX.length + room;
  for (const part of parts) size += part.length;
  const buffer = arena === undefined ? new Uint8Array(size) : arena.take(size);
  buffer.set(BALLOT_PREFIX, 0);
  let o = BALLOT_PREFIX.length;
  for (const part of parts) {
    for (let i = 0; i < part.length; i += 1) {
      const code = part.charCodeAt(i);
      if (code > 0x7f) {
        const bytes = signedBytesOfJcs('ballot', parts.join(''));
        const wide = new Uint8Array(bytes.length + room);
        wide.set(bytes);
        return { buffer: wide, length: bytes.length };
      }
      buffer[o] = code;
      o += 1;
    }
  }
  return { buffer, length: o };
}

/**
 * One pass over the board. `entry(i)` runs every check of entry i except its
 * signature and returns the signature task; `signature(i, ok)` records the
 * verdict. Entries must be given in order (the chain is sequential);
 * signature verdicts may come later, in any order.
 */
class BoardPass {
  readonly total: number;
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

  /** The tasks handed out so far are done with; their buffers may be reused. */
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
    const recount = this.recount(
      counting.map((entry) => positions?.get(entry) ?? entry.seq - 1),
      finalHead,
    );
    this.checks.set('recount', recount.check);

    if (this.opts.receipt !== undefined) this.checkReceipt(this.opts.receipt);

    const checks = (Object.keys(CHECKS) as CheckId[]).flatMap((id) => {
      const found = this.checks.get(id);
      return found === undefined ? [] : [found];
    });
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

  private recount(indices: readonly number[], finalHead: string): { check: VerifyCheck; result?: CountResult } {
    const { definition, bundle } = this;
    const choices: Choice[] = [];
    for (const i of indices) {
      const choice = this.validChoice[i] === 1 ? checkChoice(this.contest, (bundle.board[i] as BoardEntry).ballot.choice) : undefined;
      if (choice === undefined || !choice.ok) {
        return { check: check('recount', false, `not recounted: the counting ballot of entry ${i + 1} is not a valid choice`) };
      }
      choices.push(choice.value);
    }
    const ctx = countContextOf(definition, finalHead, this.crypto);
    let result: CountResult;
    try {
      result = count(this.contest, choices, ctx);
    } catch (error) {
      // A count that throws is a bug or a method not available here; the verifier reports it rather than crash.
      return { check: check('recount', false, `not recounted: ${error instanceof Error ? error.message : String(error)}`) };
    }
    const mine = jcs(result);
    const published = jcs(bundle.outcome.result);
    if (mine === published) {
      return { check: check('recount', true, `${plural(choices.length, 'ballot')} recounted; the result is identical`), result };
    }
    const problems = new Problems();
    problems.add(firstDifference(JSON.parse(mine) as unknown, JSON.parse(published) as unknown, 'result'));
    return { check: check('recount', false, 'the recount differs from the published result', problems), result };
  }

  private checkReceipt(raw: unknown): void {
    const { bundle, definition } = this;
    const parsed = parseWith(SignedReceiptSchema, raw);
    if (!parsed.ok) {
      const problems = new Problems();
      for (const issue of parsed.error) problems.add(`${issue.path}: ${issue.message}`);
      this.checks.set('receipt-signature', check('receipt-signature', false, 'the receipt is not { receipt, receiptSig } as protocol.md gives it', problems));
      this.checks.set('receipt-on-board', check('receipt-on-board', false, 'not checked: the receipt could not be read'));
      return;
    }
    const { receipt, receiptSig } = parsed.value;
    const signed = verifyStatement(this.crypto, 'receipt', receipt, receiptSig, bundle.instanceKey);
    this.checks.set(
      'receipt-signature',
      check('receipt-signature', signed, signed ? 'valid' : 'receiptSig is not a valid signature of the receipt (purpose "receipt") under instanceKey'),
    );
    const problems = new Problems();
    if (receipt.instance !== definition.instance || receipt.round !== definition.round) {
      problems.add(`the receipt is for instance ${receipt.instance}, round ${receipt.round}`);
    }
    const entry = bundle.board[receipt.seq - 1];
    if (entry === undefined) problems.add(`the board has no entry ${receipt.seq}: the ballot was left out`);
    else {
      if (entry.seq !== receipt.seq) problems.add(`entry ${receipt.seq} has seq ${entry.seq}`);
      if (entry.leaf !== receipt.leaf) problems.add(`entry ${receipt.seq} has leaf ${entry.leaf}, the receipt ${receipt.leaf}: the ballot was changed or replaced`);
      if (entry.head !== receipt.head) problems.add(`entry ${receipt.seq} has head ${entry.head}, the receipt ${receipt.head}: the board before it was changed`);
    }
    this.checks.set(
      'receipt-on-board',
      fromProblems('receipt-on-board', problems, `entry ${receipt.seq} holds the ballot of the receipt`, () => 'the board does not hold the ballot as the receipt says'),
    );
  }
}
