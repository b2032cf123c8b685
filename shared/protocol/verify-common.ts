/**
 * What the verifier's passes over a protocol-1 and a protocol-2 board share:
 * the options, the signature and credential tasks, the shape of a pass, the
 * arena for signed bytes, and the checks that do not depend on the protocol
 * (the recount against the published result, the receipt).
 */
import { checkChoice } from '../counting/choice';
import { count, type CountResult } from '../counting/index';
import type { Choice, Contest } from '../counting/types';
import { countContextOf } from './contest';
import type { CredentialCrypto } from './credential';
import { decodeBase64Url } from './encoding';
import { jcs } from './jcs';
import { firstDifference } from './json-difference';
import { parseWith, SignedReceiptSchema, type SchemaIssue } from './schemas';
import { ballotJcsParts, purposePrefix, signedBytesOfJcs, verifyStatement, type ProtocolCrypto } from './signing';
import type { AnyBallot, AnyBoardEntry, OutcomeResult, RoundDefinition } from './types';
import { CHECKS, check, fromProblems, plural, Problems, type CheckId, type VerifyCheck, type VerifyReport } from './verify-report';

/** One ballot signature to check: what the batch verifier gets. */
export interface SignatureTask {
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** One credential to check under the round's issuing key (protocol 2): the credential message and the credential. */
export interface CredentialTask {
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

export interface VerifyOptions {
  /** `{ receipt, receiptSig }` as the server answered a ballot. */
  readonly receipt?: unknown;
  /** Called now and then (about every 1% of the board), and once at the end. */
  readonly onProgress?: (done: number, total: number) => void;
  /** How credentials (protocol 2) are checked; the portable BigInt one by default, node:crypto's in the command line. */
  readonly credentials?: CredentialCrypto;
}

export interface AsyncVerifyOptions extends VerifyOptions {
  /** Verdicts for a batch of ballot signatures, in order (true or 1 = valid). */
  readonly verifyBatch?: (tasks: readonly SignatureTask[]) => Promise<ArrayLike<boolean | number>>;
  /**
   * Verdicts for a batch of credentials under one issuing key, in order
   * (protocol 2; for instance in worker threads). Without it, `credentials`
   * checks them in this thread.
   */
  readonly verifyCredentials?: (issuingKey: string, tasks: readonly CredentialTask[]) => Promise<ArrayLike<boolean | number>>;
  /** Entries per batch (default 2048). */
  readonly batchSize?: number;
  /** Batches handed out before waiting for the oldest (default 8). */
  readonly inFlight?: number;
}

/**
 * One pass over a board, of either protocol. `entry(i)` runs every check of
 * entry i except its signature and returns the signature task;
 * `signature(i, ok)` records the verdict. Entries must be given in order
 * (the chain is sequential); verdicts may come later, in any order.
 * Credentials to check (protocol 2, each distinct one once) pile up as
 * entries are read; `takeCredentials` hands them out, numbered, and
 * `credential(id, ok)` records a verdict.
 */
export interface BoardPass {
  readonly total: number;
  /** The issuing key credentials are checked under; undefined in protocol 1. */
  readonly issuingKey: string | undefined;
  entry(i: number): SignatureTask;
  signature(i: number, valid: boolean): void;
  takeCredentials(): { readonly first: number; readonly tasks: readonly CredentialTask[] };
  credential(id: number, valid: boolean): void;
  /** The tasks handed out so far are done with; their buffers may be reused. */
  releaseBuffers(): void;
  finish(): VerifyReport;
}

/** Stands in for the signature of a malformed entry; it never verifies. */
export const NO_TASK: SignatureTask = { message: new Uint8Array(0), signature: new Uint8Array(0), publicKey: new Uint8Array(0) };

export function schemaReport(issues: readonly SchemaIssue[]): VerifyReport {
  const problems = new Problems();
  for (const issue of issues) problems.add(`${issue.path}: ${issue.message}`);
  const schema = check('bundle-schema', false, `the bundle does not have the form of protocol.md (${plural(problems.failures, 'problem')})`, problems);
  return { ok: false, checks: [schema] };
}

/** Decodes a field its schema has accepted, so failure here is a bug. */
export function bytes(text: string, size: number): Uint8Array {
  const decoded = decodeBase64Url(text, size);
  if (!decoded.ok) throw new Error(`verify: a validated field failed to decode (${decoded.error})`);
  return decoded.value;
}

/** The checks found, in report order. */
export function inReportOrder(found: ReadonlyMap<CheckId, VerifyCheck>): VerifyCheck[] {
  return (Object.keys(CHECKS) as CheckId[]).flatMap((id) => {
    const c = found.get(id);
    return c === undefined ? [] : [c];
  });
}

const BALLOT_PREFIX = purposePrefix('ballot');

/**
 * A bump allocator over one buffer: a batch of signed ballots lives here
 * until its signatures are verified, instead of in a fresh off-heap buffer per
 * ballot for the collector to sweep.
 */
export class Arena {
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
export function signedBallotWithRoom(ballot: AnyBallot, room: number, arena: Arena | undefined): { buffer: Uint8Array; length: number } {
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
        const signed = signedBytesOfJcs('ballot', parts.join(''));
        const wide = new Uint8Array(signed.length + room);
        wide.set(signed);
        return { buffer: wide, length: signed.length };
      }
      buffer[o] = code;
      o += 1;
    }
  }
  return { buffer, length: o };
}

/** What the recount needs of a pass. */
export interface RecountInput {
  readonly definition: RoundDefinition;
  readonly contest: Contest;
  readonly board: readonly AnyBoardEntry[];
  /** 1 where the entry's choice fits the method. */
  readonly validChoice: Uint8Array;
  readonly published: OutcomeResult;
  readonly crypto: ProtocolCrypto;
}

/** Counts the counting ballots (board indices) again and compares the result with the published one, byte for byte (JCS). */
export function recountCheck(input: RecountInput, indices: readonly number[], finalHead: string): { check: VerifyCheck; result?: CountResult } {
  const { definition, contest, board, validChoice } = input;
  const choices: Choice[] = [];
  for (const i of indices) {
    const choice = validChoice[i] === 1 ? checkChoice(contest, (board[i] as AnyBoardEntry).ballot.choice) : undefined;
    if (choice === undefined || !choice.ok) {
      return { check: check('recount', false, `not recounted: the counting ballot of entry ${i + 1} is not a valid choice`) };
    }
    choices.push(choice.value);
  }
  const ctx = countContextOf(definition, finalHead, input.crypto);
  let result: CountResult;
  try {
    result = count(contest, choices, ctx);
  } catch (error) {
    // A count that throws is a bug or a method not available here; the verifier reports it rather than crash.
    return { check: check('recount', false, `not recounted: ${error instanceof Error ? error.message : String(error)}`) };
  }
  const mine = jcs(result);
  const published = jcs(input.published);
  if (mine === published) {
    return { check: check('recount', true, `${plural(choices.length, 'ballot')} recounted; the result is identical`), result };
  }
  const problems = new Problems();
  problems.add(firstDifference(JSON.parse(mine) as unknown, JSON.parse(published) as unknown, 'result'));
  return { check: check('recount', false, 'the recount differs from the published result', problems), result };
}

/** The receipt's two checks: signed by the instance key, and its entry on the board as it says. */
export function receiptChecks(
  raw: unknown,
  bundle: { readonly instanceKey: string; readonly definition: RoundDefinition; readonly board: readonly AnyBoardEntry[] },
  crypto: ProtocolCrypto,
): [VerifyCheck, VerifyCheck] {
  const { definition } = bundle;
  const parsed = parseWith(SignedReceiptSchema, raw);
  if (!parsed.ok) {
    const problems = new Problems();
    for (const issue of parsed.error) problems.add(`${issue.path}: ${issue.message}`);
    return [
      check('receipt-signature', false, 'the receipt is not { receipt, receiptSig } as protocol.md gives it', problems),
      check('receipt-on-board', false, 'not checked: the receipt could not be read'),
    ];
  }
  const { receipt, receiptSig } = parsed.value;
  const signed = verifyStatement(crypto, 'receipt', receipt, receiptSig, bundle.instanceKey);
  const signature = check('receipt-signature', signed, signed ? 'valid' : 'receiptSig is not a valid signature of the receipt (purpose "receipt") under instanceKey');
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
  return [
    signature,
    fromProblems('receipt-on-board', problems, `entry ${receipt.seq} holds the ballot of the receipt`, () => 'the board does not hold the ballot as the receipt says'),
  ];
}
