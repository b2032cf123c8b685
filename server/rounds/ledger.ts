import type { Contest } from '../../shared/counting/types';
import { contestOf } from '../../shared/protocol/contest';
import { decodeBase64Url, encodeBase64Url } from '../../shared/protocol/encoding';
import { BoardChain, leafBytes } from '../../shared/protocol/board';
import { isSecretDefinition, type AnyRoundDefinition } from '../../shared/protocol/types';
import type { Issuer } from '../../node/crypto/blind-rsa';
import { nodeCrypto } from '../../node/crypto/node-crypto';

function bytes(b64: string, size: number): Uint8Array {
  const decoded = decodeBase64Url(b64, size);
  if (!decoded.ok) throw new Error(`stored value is not base64url of ${size} bytes`);
  return decoded.value;
}

/**
 * What ballot intake must know of an open round, kept in memory so that the
 * ordered checks need no query: the electorate, each voter's keys, the nonces
 * and voters seen, and the board's head. The database stays the truth: the
 * ledger is rebuilt from it at start and after any failed write.
 *
 * `seq`/`head` run ahead of the database by the ballots waiting for the group
 * commit; `committed*` is what is on disk, and only that is ever announced.
 *
 * In a secret round (protocol 2) the "voter" of the board, of `hasVoted` and
 * of the turnout is the credential (its hash, see intake-secret.ts), never a
 * pseudonym: the electorate map then only answers who may ask for a
 * credential, and no keys are registered. Its issuer (the imported private
 * issuing key) is kept here so that issuing a credential needs no query and
 * no key import.
 */
export class RoundLedger {
  readonly contest: Contest;
  readonly closesAtMs: number | null;
  /** False once closing has begun: no ballot is accepted after that. */
  accepting = true;
  seq = 0;
  private readonly chain: BoardChain;
  committedSeq = 0;
  committedHead: string;
  private readonly nonces = new Set<string>();
  private readonly voted = new Set<string>();
  private readonly committedVoters = new Set<string>();
  /** During a replay: the head of the last entry replayed, decoded once at `endReplay`. */
  private lastReplayedHead: string | null = null;

  constructor(
    readonly id: string,
    readonly definition: AnyRoundDefinition,
    readonly definitionHash: string,
    private readonly voterOfMember: Map<string, string>,
    private readonly keysOfVoter: Map<string, Set<string>>,
    /** A secret round's issuer while it is open; null for a named round. */
    readonly issuer: Issuer | null = null,
  ) {
    if (isSecretDefinition(definition) !== (issuer !== null)) throw new Error(`round ${id}: a secret round has an issuer, a named round none`);
    this.contest = contestOf(definition);
    this.closesAtMs = definition.closesAt === null ? null : Date.parse(definition.closesAt);
    this.chain = new BoardChain(bytes(definitionHash, 32), nodeCrypto);
    this.committedHead = encodeBase64Url(this.chain.head);
  }

  /** Replays committed entries (at start, or after a failed write), one at a time; `endReplay` after the last. */
  replayEntry(e: { seq: number; voter: string; nonce: string; head: string }): void {
    if (e.seq !== this.seq + 1) throw new Error(`board of round ${this.id} has a gap before seq ${e.seq}`);
    this.seq = e.seq;
    this.nonces.add(e.nonce);
    this.voted.add(e.voter);
    this.committedVoters.add(e.voter);
    this.lastReplayedHead = e.head;
  }

  endReplay(): void {
    if (this.lastReplayedHead !== null) this.chain.moveTo(bytes(this.lastReplayedHead, 32));
    this.lastReplayedHead = null;
    this.committedSeq = this.seq;
    this.committedHead = encodeBase64Url(this.chain.head);
  }

  /** A secret round (protocol 2): ballots carry a credential and come without sign-in. */
  get secret(): boolean {
    return this.issuer !== null;
  }

  /** Whether ballots are taken now: not closing, and before the closing time. */
  isOpen(now: number): boolean {
    return this.accepting && (this.closesAtMs === null || now < this.closesAtMs);
  }

  voterOf(memberId: string): string | undefined {
    return this.voterOfMember.get(memberId);
  }

  hasKey(voter: string, key: string): boolean {
    return this.keysOfVoter.get(voter)?.has(key) ?? false;
  }

  addKey(voter: string, key: string): void {
    let keys = this.keysOfVoter.get(voter);
    if (keys === undefined) {
      keys = new Set();
      this.keysOfVoter.set(voter, keys);
    }
    keys.add(key);
  }

  nonceSeen(nonce: string): boolean {
    return this.nonces.has(nonce);
  }

  hasVoted(voter: string): boolean {
    return this.voted.has(voter);
  }

  get electorate(): number {
    return this.voterOfMember.size;
  }

  /** Turnout as committed: voters with a ballot on the board, and board entries. */
  get turnout(): { voters: number; ballots: number } {
    return { voters: this.committedVoters.size, ballots: this.committedSeq };
  }

  /** Appends an accepted ballot to the chain in memory and answers its place. */
  append(voter: string, nonce: string, signedBytes: Uint8Array, sig: Uint8Array): { seq: number; leaf: string; head: string } {
    const leaf = leafBytes(signedBytes, sig, nodeCrypto);
    const head = this.chain.append(leaf);
    this.seq += 1;
    this.nonces.add(nonce);
    this.voted.add(voter);
    return { seq: this.seq, leaf: encodeBase64Url(leaf), head: encodeBase64Url(head) };
  }

  markCommitted(seq: number, head: string, voter: string): void {
    if (seq > this.committedSeq) {
      this.committedSeq = seq;
      this.committedHead = head;
    }
    this.committedVoters.add(voter);
  }
}
