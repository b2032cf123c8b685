import { credentialInput, type CredentialAnswer } from '../../shared/api/rounds';
import { decodeBase64Url, encodeBase64Url, utf8 } from '../../shared/protocol/encoding';
import type { Result } from '../../shared/result';
import { ok } from '../../shared/result';
import { blindSign } from '../../node/crypto/blind-rsa';
import { nodeCrypto } from '../../node/crypto/node-crypto';
import type { Store } from '../store/store';
import { failure, type Failure } from '../failure';
import type { Member } from '../members/member';
import type { OpenLedgers } from './ledgers';
import * as repo from './repository';

/**
 * Issuing a secret round's credentials (docs/credentials.md): a member of the
 * electorate, signed in, sends the blinded request for their round key and
 * gets the issuing key's blind signature on it. Once per member and round.
 *
 * What is kept is only THAT the member's pseudonym received a credential
 * (the register's `issued` list) and the SHA-256 of the request answered, so
 * that the same request, sent again after a lost answer, is answered again:
 * RSA signing is deterministic, so the answer is recomputed, never stored.
 * No audit event is written for this route and its log line names nobody
 * (app.ts's serializers): a record of who asked when could be laid beside
 * the board's ballots.
 */
export class CredentialIssuing {
  constructor(
    private readonly store: Store,
    private readonly ledgers: OpenLedgers,
    private readonly now: () => number,
  ) {}

  /** The ordered checks (round, secret, open, member active, electorate, request), then the one issuance. */
  async issue(member: Member, roundId: string, body: unknown): Promise<Result<CredentialAnswer, Failure>> {
    const ledger = this.ledgers.get(roundId);
    if (ledger === undefined) {
      // Not open (or not at all): which answer depends on what the database holds.
      const row = await repo.findRound(this.store.db, roundId);
      if (row === undefined) return failure('not_found', 'no such round');
      if (!row.secret) return failure('round_not_secret', 'this is a named round: ballots are signed with your device key, no credential is issued');
      return failure('round_not_open', 'this round is not open for voting');
    }
    if (ledger.issuer === null) return failure('round_not_secret', 'this is a named round: ballots are signed with your device key, no credential is issued');
    if (!ledger.isOpen(this.now())) return failure('round_not_open', 'this round is not open for voting');
    if (member.status !== 'active') return failure('account_pending', 'your account waits for approval by a moderator');
    const voter = ledger.voterOf(member.id);
    if (voter === undefined) return failure('not_in_electorate', 'you were not a member when this round opened, so you do not vote in it');

    const parsed = credentialInput.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue === undefined || issue.path.length === 0 ? 'blindedMessage' : issue.path.map(String).join('.');
      return failure('invalid_input', `${field}: ${issue?.message ?? 'invalid'}`, field);
    }
    const { blindedMessage } = parsed.data;
    const request = decodeBase64Url(blindedMessage);
    // A request must be below the modulus (RFC 9474 §4.3); refused before it takes the member's one issuance.
    if (!request.ok || Buffer.compare(Buffer.from(request.value), ledger.issuer.modulus) >= 0) {
      return failure('invalid_input', 'blindedMessage: must be below the round\'s issuing key (its modulus)', 'blindedMessage');
    }
    const requestHash = encodeBase64Url(nodeCrypto.sha256(utf8(blindedMessage)));
    // The database's primary key decides which request is the member's one: the first insert wins, a concurrent
    // or later one with another request finds that one standing. Never read-then-write.
    const standing = await repo.recordIssuance(this.store.db, { round_id: roundId, voter, request_hash: requestHash });
    if (standing === null) return failure('round_not_open', 'this round is not open for voting');
    if (standing !== requestHash) {
      return failure('credential_already_issued', 'a credential was issued to you in this round already, for another request (another device?)');
    }
    const signed = blindSign(ledger.issuer, blindedMessage);
    // The request was checked above; the only failure left is a fault while signing, which must not hand anything out.
    if (!signed.ok) throw new Error(`blind signing failed: ${signed.error}`);
    return ok({ blindSignature: signed.value });
  }
}
