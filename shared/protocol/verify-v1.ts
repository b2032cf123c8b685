/**
 * The verifier's pass over a protocol-1 bundle (named rounds, protocol.md
 * "Outcome and bundle"): every entry names its voter, whose device keys the
 * register lists.
 */
import { BoardEntryObjectSchema, isBoardEntryShape, issuesOf } from './schemas';
import { registerJcs, type ProtocolCrypto } from './signing';
import type { Bundle } from './types';
import { NO_TASK, type CredentialTask, type SignatureTask, type VerifyOptions } from './verify-common';
import { BoardPassBase } from './verify-pass';
import { fromProblems, plural, Problems, type VerifyCheck } from './verify-report';

/** The checks common to both protocols are BoardPassBase's; here, the register and each ballot's key under its voter. */
export class BoardPassV1 extends BoardPassBase<Bundle> {
  readonly issuingKey = undefined;
  /** Each registered key's voter (the register lists a key under one voter only). */
  private readonly keyOwner = new Map<string, string>();
  private readonly voters = new Set<string>();
  private readonly votersSeen = new Set<string>();
  private readonly keys = new Problems();

  constructor(bundle: Bundle, crypto: ProtocolCrypto, opts: VerifyOptions, reuseBuffers: boolean) {
    super(bundle, crypto, opts, reuseBuffers, { schema: 'every field has the form protocol.md gives it', voter: 'voter', ballotsOf: 'of' });
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
    return this.registerCheck(problems, registerJcs(register), plural(register.length, 'voter'));
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

    this.checkBallot(entry, i, seq);

    const owner = this.keyOwner.get(ballot.key);
    if (owner !== voter) {
      if (!this.voters.has(voter)) this.keys.add(`entry ${seq}: voter ${voter} is not in the register`);
      else if (owner === undefined) this.keys.add(`entry ${seq}: key ${ballot.key} is not in the register`);
      else this.keys.add(`entry ${seq}: key ${ballot.key} is registered for another voter`);
    }

    const voters = this.votersSeen.size;
    this.votersSeen.add(voter);
    if (this.votersSeen.size === voters && !this.definition.revote) {
      this.revoteProblems.add(`entry ${seq}: voter ${voter} already has a ballot and revoting is off`);
    }

    return this.chainEntry(entry, seq);
  }

  takeCredentials(): { first: number; tasks: readonly CredentialTask[] } {
    return { first: 0, tasks: [] };
  }

  credential(): void {
    // Protocol 1 has no credentials.
  }

  protected finishVoterChecks(): void {
    this.checks.set('ballot-keys', fromProblems('ballot-keys', this.keys, "every ballot's key is registered for the entry's voter", (f) => `${plural(f, 'ballot')} signed with a key not registered for the voter`));
  }

  protected extraFigures(): { readonly issued?: number } {
    return {};
  }
}
