/**
 * The verifier's pass over a protocol-2 bundle (secret rounds, protocol.md
 * "Protocol 2: secret rounds"). No entry names a voter: each ballot carries
 * a credential, the round's issuing key's blind signature over (round,
 * ballot.key), and the credential is the voter. What the bundle proves:
 * every credential is genuine, distinct credentials ≤ issued ≤ electorate,
 * and one ballot per credential counts.
 */
import { credentialMessage, ISSUING_KEY_BYTES } from './credential';
import { decodeBase64UrlInto } from './encoding';
import { issuesOf } from './schemas';
import { BoardEntryV2ObjectSchema, isBoardEntryV2Shape } from './schemas-v2';
import { registerV2Jcs, type ProtocolCrypto } from './signing';
import type { BundleV2 } from './types';
import { NO_TASK, type Arena, type CredentialTask, type SignatureTask, type VerifyOptions } from './verify-common';
import { BoardPassBase } from './verify-pass';
import { check, fromProblems, plural, Problems, type VerifyCheck } from './verify-report';

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

/** The checks common to both protocols are BoardPassBase's; here, the register, the credentials, and revote per credential. */
export class BoardPassV2 extends BoardPassBase<BundleV2> {
  readonly issuingKey: string;
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
  private readonly credentialProblems = new Problems();

  constructor(bundle: BundleV2, crypto: ProtocolCrypto, opts: VerifyOptions, reuseBuffers: boolean) {
    super(bundle, crypto, opts, reuseBuffers, { schema: 'every field has the form protocol.md gives it (protocol 2)', voter: 'credential', ballotsOf: 'under' });
    this.issuingKey = bundle.definition.issuer;
    this.credentialMessages = new CredentialMessages(bundle.definition.round);
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
    return this.registerCheck(problems, registerV2Jcs(register), `${plural(electorate.length, 'voter')}, ${plural(issued.length, 'credential')} issued`);
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
    this.checkBallot(entry, i, seq);
    this.noteCredential(ballot.credential, ballot.key, seq);
    return this.chainEntry(entry, seq);
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

  protected finishVoterChecks(): void {
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
    const { register } = this.bundle;
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
  }

  protected extraFigures(): { readonly issued?: number } {
    return { issued: this.bundle.register.issued.length };
  }
}
