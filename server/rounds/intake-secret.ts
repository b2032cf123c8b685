import { checkCredential } from '../../shared/protocol/credential';
import { decodeBase64Url, encodeBase64Url } from '../../shared/protocol/encoding';
import { BallotV2Schema } from '../../shared/protocol/schemas-v2';
import { isSecretDefinition } from '../../shared/protocol/types';
import type { Result } from '../../shared/result';
import { ok } from '../../shared/result';
import { nodeCredentialCrypto } from '../../node/crypto/blind-rsa';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import { failure, type Failure } from '../failure';
import { checkedBallot, checkRoundFit, readBallotBody, type CheckedBallot } from './intake';
import type { RoundLedger } from './ledger';

/** What a secret ballot is checked against besides the ledger: no member, the server does not learn who casts it. */
export interface SecretIntakeContext {
  readonly instanceId: string;
  readonly roundId: string;
  readonly now: number;
  readonly bodyBytes: number;
}

/**
 * The voter of a secret ballot, as the board's `voter` column keeps it: the
 * base64url SHA-256 of the credential's bytes. The credential itself is in
 * the ballot (and so on the board); the column only groups a credential's
 * ballots for the revote rule, the turnout and the count, and a fixed 43
 * characters index better than 342. It names nobody: the server never saw
 * the credential unblinded before the ballot came.
 */
export function credentialVoter(credentialBytes: Uint8Array): string {
  return encodeBase64Url(nodeCrypto.sha256(credentialBytes));
}

/**
 * The ordered checks of a secret round's ballot (protocol 2) up to its
 * signature, with no side effects: size, form (BallotV2), choice fits,
 * instance, round, round open, definition, then the credential: the round's
 * issuing key must have signed (round, ballot.key). No sign-in and no
 * register lookup: the credential is the whole proof of eligibility, and the
 * ballot's key (a round key) is the one its signature is checked under next.
 * `admitBallot` then runs the rest, as for a named round, with the credential
 * as the voter.
 *
 * The credential check is RSA-PSS verification with node:crypto (~35 µs): done
 * here, inline, rather than on the worker pool, which gathers Ed25519 work
 * only; it is a fraction of the request's cost and needs no query.
 */
export function precheckSecretBallot(ledger: RoundLedger | undefined, body: unknown, ctx: SecretIntakeContext): Result<CheckedBallot, Failure> {
  const read = readBallotBody(body, ctx.bodyBytes, BallotV2Schema);
  if (!read.ok) return read;
  const { ballot, ballotJcs, sig } = read.value;

  const fit = checkRoundFit(ledger, ballot, ctx);
  if (!fit.ok) return fit;
  if (ledger === undefined) throw new Error('checkRoundFit passed without a ledger');
  const definition = ledger.definition;
  // The endpoint sends only secret rounds here; a named round's ledger reaching this is a bug.
  if (!isSecretDefinition(definition)) throw new Error(`round ${ledger.id} is not secret`);

  const credential = checkCredential(nodeCredentialCrypto, {
    round: ballot.round,
    issuingKey: definition.issuer,
    roundKey: ballot.key,
    credential: ballot.credential,
  });
  if (!credential.ok) return failure('invalid_credential', 'this credential was not issued for this round key in this round', 'ballot.credential');

  const credentialBytes = decodeBase64Url(ballot.credential);
  if (!credentialBytes.ok) throw new Error('checked credential did not decode');
  return ok(checkedBallot(ballot, ballotJcs, sig, credentialVoter(credentialBytes.value)));
}
