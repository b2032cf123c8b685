import { checkChoice } from '../../shared/counting/choice';
import { decodeBase64Url } from '../../shared/protocol/encoding';
import { jcs } from '../../shared/protocol/jcs';
import { BallotSchema, SignatureSchema } from '../../shared/protocol/schemas';
import { signedBytesOfJcs } from '../../shared/protocol/signing';
import type { AnyBallot } from '../../shared/protocol/types';
import type { z } from 'zod';
import type { Result } from '../../shared/result';
import { ok } from '../../shared/result';
import { failure, type Failure } from '../failure';
import type { Member } from '../members/member';
import type { RoundLedger } from './ledger';

/** Largest ballot accepted, as its canonical JSON. A ranking of 500 options fits easily. */
export const MAX_BALLOT_BYTES = 16 * 1024;
/** How far `castAt` may be from the server's clock. */
export const CAST_AT_WINDOW_MS = 5 * 60 * 1000;

export interface CheckedBallot {
  readonly ballot: AnyBallot;
  readonly ballotJcs: string;
  readonly signedBytes: Uint8Array;
  readonly sig: string;
  readonly sigBytes: Uint8Array;
  readonly keyBytes: Uint8Array;
  /** Who the revote rule and the turnout go by: the pseudonym in a named round, the credential's hash in a secret one. */
  readonly voter: string;
}

export interface IntakeContext {
  readonly instanceId: string;
  readonly roundId: string;
  readonly member: Member;
  readonly now: number;
  readonly bodyBytes: number;
}

export function roundOpen(ledger: RoundLedger | undefined, now: number): ledger is RoundLedger {
  return ledger !== undefined && ledger.isOpen(now);
}

/**
 * The ordered checks of protocol.md up to the signature, with no side effects:
 * size, schema and method fit, instance/round/definition match, round open,
 * member active and in the electorate, key in the register under the member's
 * pseudonym. The first that fails answers with its own code; nothing has been
 * written. The signature is verified next (off the main thread), then
 * `admitBallot` runs the rest.
 */
export function precheckBallot(ledger: RoundLedger | undefined, body: unknown, ctx: IntakeContext): Result<CheckedBallot, Failure> {
  const read = readBallotBody(body, ctx.bodyBytes, BallotSchema);
  if (!read.ok) return read;
  const { ballot, ballotJcs, sig } = read.value;

  const fit = checkRoundFit(ledger, ballot, ctx);
  if (!fit.ok) return fit;
  if (ledger === undefined) throw new Error('checkRoundFit passed without a ledger');

  if (ctx.member.status !== 'active') return failure('account_pending', 'your account waits for approval by a moderator');
  const voter = ledger.voterOf(ctx.member.id);
  if (voter === undefined) return failure('not_in_electorate', 'you were not a member when this round opened, so you do not vote in it');
  if (!ledger.hasKey(voter, ballot.key)) {
    return failure('key_not_registered', 'this device key is not registered for you in this round', 'ballot.key');
  }

  return ok(checkedBallot(ballot, ballotJcs, sig, voter));
}

/**
 * The checks after the form, the same in both protocols: the choice fits the
 * method, then instance, round, round open, definition. Passing means the
 * round has an open ledger.
 */
export function checkRoundFit(
  ledger: RoundLedger | undefined,
  ballot: AnyBallot,
  ctx: Pick<IntakeContext, 'instanceId' | 'roundId' | 'now'>,
): Result<undefined, Failure> {
  if (ledger !== undefined) {
    const fit = checkChoice(ledger.contest, ballot.choice);
    if (!fit.ok) return failure('invalid_choice', `ballot.${fit.error.message}`, `ballot.${fit.error.path}`);
  }
  if (ballot.instance !== ctx.instanceId) return failure('wrong_instance', 'this ballot is for another Stemkring instance', 'ballot.instance');
  if (ballot.round !== ctx.roundId) return failure('wrong_round', 'this ballot is for another round', 'ballot.round');
  if (!roundOpen(ledger, ctx.now)) return failure('round_not_open', 'this round is not open for voting');
  if (ballot.definition !== ledger.definitionHash) {
    return failure('wrong_definition', 'this ballot was made for another version of the round', 'ballot.definition');
  }
  return ok(undefined);
}

/** A ballot as read from the body: parsed with its protocol's schema, its canonical JSON within the size limit. */
export interface ReadBallot<B> {
  readonly ballot: B;
  readonly ballotJcs: string;
  readonly sig: string;
}

/**
 * The first two checks of either protocol: the body's size, then its form
 * (`{ballot, sig}` and nothing else, the ballot by the round's protocol's
 * schema, the signature's form) and the canonical ballot's size.
 */
export function readBallotBody<B extends AnyBallot>(body: unknown, bodyBytes: number, schema: z.ZodType<B>): Result<ReadBallot<B>, Failure> {
  if (bodyBytes > MAX_BALLOT_BYTES) return failure('ballot_too_large', `a ballot is at most ${MAX_BALLOT_BYTES} bytes`);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return failure('invalid_ballot', 'the body must be {"ballot": …, "sig": …}', 'body');
  }
  const extra = Object.keys(body).find((k) => k !== 'ballot' && k !== 'sig');
  if (extra !== undefined) return failure('invalid_ballot', `unexpected field "${extra}"`, extra);
  const { ballot: rawBallot, sig: rawSig } = body as { ballot?: unknown; sig?: unknown };
  const parsed = schema.safeParse(rawBallot);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined ? 'ballot' : ['ballot', ...issue.path.map(String)].join('.');
    return failure('invalid_ballot', `${field}: ${issue?.message ?? 'is not a ballot'}`, field);
  }
  const ballot = parsed.data;
  const sigParsed = SignatureSchema.safeParse(rawSig);
  if (!sigParsed.success) return failure('invalid_ballot', 'sig: must be a 64-byte signature in base64url', 'sig');
  const ballotJcs = jcs(ballot);
  if (ballotJcs.length > MAX_BALLOT_BYTES) return failure('ballot_too_large', `a ballot is at most ${MAX_BALLOT_BYTES} bytes`);
  return ok({ ballot, ballotJcs, sig: sigParsed.data });
}

/** What the signature check and the board need of a ballot that passed the checks before the signature. */
export function checkedBallot(ballot: AnyBallot, ballotJcs: string, sig: string, voter: string): CheckedBallot {
  const sigBytes = decodeBase64Url(sig, 64);
  const keyBytes = decodeBase64Url(ballot.key, 32);
  if (!sigBytes.ok || !keyBytes.ok) throw new Error('schema-checked base64url did not decode');
  // Both protocols sign the same prefix: a protocol-2 ballot's JCS simply has the extra `credential` member.
  const signedBytes = signedBytesOfJcs('ballot', ballotJcs);
  return { ballot, ballotJcs, signedBytes, sig, sigBytes: sigBytes.value, keyBytes: keyBytes.value, voter };
}

/**
 * The checks after the signature, against the ledger as it stands now (other
 * ballots may have come in while the signature was being verified): the round
 * still open, signature, castAt window, nonce, revote policy. The caller
 * appends the ballot in the same turn, so no other ballot can slip between
 * these checks and its place on the chain.
 */
export function admitBallot(ledger: RoundLedger, c: CheckedBallot, signatureValid: boolean, now: number): Result<CheckedBallot, Failure> {
  if (!roundOpen(ledger, now)) return failure('round_not_open', 'this round is not open for voting');
  if (!signatureValid) return failure('bad_signature', 'the signature does not match this ballot and key', 'sig');
  if (Math.abs(Date.parse(c.ballot.castAt) - now) > CAST_AT_WINDOW_MS) {
    return failure('cast_at_out_of_window', 'castAt is too far from the server clock; check your device clock', 'ballot.castAt');
  }
  if (ledger.nonceSeen(c.ballot.nonce)) return failure('nonce_reused', 'this ballot (its nonce) was received already', 'ballot.nonce');
  if (!ledger.definition.revote && ledger.hasVoted(c.voter)) {
    return failure(
      'already_voted',
      ledger.secret ? 'this credential has voted in this round already, and it does not allow changing a vote' : 'you have voted in this round already, and it does not allow changing a vote',
    );
  }
  return ok(c);
}
