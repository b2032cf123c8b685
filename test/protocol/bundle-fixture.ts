/**
 * Builds valid, signed bundles the way the server does, for the verifier's
 * tests and the speed measurement: an instance key, a definition, a register
 * of voters with device keys, signed ballots on a chained board (a revote
 * included), the outcome counted with the counting library, and receipts.
 */
import { count } from '../../shared/counting/index';
import type { Choice } from '../../shared/counting/types';
import { definitionHash, initialHead, leafOf, lotOrder, nextHead, registerRoot } from '../../shared/protocol/board';
import { contestOf, countingBallots } from '../../shared/protocol/contest';
import { portableCrypto } from '../../shared/protocol/crypto-portable';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { keyPairFromSeed, signBytes, signedBytes, type KeyPair, type ProtocolCrypto, type Purpose } from '../../shared/protocol/signing';
import type { Ballot, BoardEntry, Bundle, Outcome, Receipt, RegisterEntry, RoundDefinition, SignedReceipt } from '../../shared/protocol/types';

/** How the fixture makes keys and signatures: tweetnacl (as the booth) or faster ones. */
export interface FixtureSigner {
  keyPair(seed: Uint8Array): KeyPair;
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
}

export const naclSigner: FixtureSigner = { keyPair: keyPairFromSeed, sign: signBytes };

/** A deterministic 32-byte seed from a label, so fixtures never change between runs. */
export function seedOf(label: string, crypto: Pick<ProtocolCrypto, 'sha256'> = portableCrypto): Uint8Array {
  return crypto.sha256(new TextEncoder().encode(`stemkring test seed: ${label}`));
}

export interface FixtureVoter {
  readonly voter: string;
  readonly keys: readonly KeyPair[];
}

export interface FixtureBallot {
  /** Index into the voters. */
  readonly voter: number;
  readonly choice: Choice;
  /** Which of the voter's keys signs (default 0). */
  readonly key?: number;
}

export interface BundleFixture {
  readonly bundle: Bundle;
  readonly instanceKey: KeyPair;
  readonly voters: readonly FixtureVoter[];
  readonly receipts: readonly SignedReceipt[];
}

export interface FixtureOptions {
  readonly definition?: Partial<RoundDefinition>;
  /** Voters in the register (default 6); each has one device key, except the first, who has two. */
  readonly voters?: number;
  /** Ballots in board order (default DEFAULT_BALLOTS). */
  readonly ballots?: readonly FixtureBallot[];
  readonly signer?: FixtureSigner;
  readonly crypto?: ProtocolCrypto;
}

const START = Date.UTC(2026, 10, 23, 10, 0, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

export const DEFAULT_DEFINITION: RoundDefinition = {
  instance: 'test-instance',
  round: 'round-1',
  title: 'Wat zou de eerste praktische stap zijn?',
  method: 'approval',
  options: [
    { id: 'opt-a', label: 'Een gezamenlijke ledenraad' },
    { id: 'opt-b', label: 'Een platform voor kennisdeling' },
    { id: 'opt-c', label: 'Een solidariteitsfonds' },
    { id: 'opt-d', label: 'Een meetlat voor opdrachtgevers' },
  ],
  seats: 2,
  rules: { maxApprovals: 3 },
  revote: true,
  sealed: false,
  opensAt: iso(START),
  closesAt: iso(START + 3_600_000),
  electorate: { count: 0 },
};

/** The default ballots: five voters, one revote, one voter who abstains from voting. */
export const DEFAULT_BALLOTS: readonly FixtureBallot[] = [
  { voter: 0, choice: { approve: ['opt-a', 'opt-b'] } },
  { voter: 1, choice: { approve: ['opt-b'] } },
  { voter: 2, choice: { approve: ['opt-c', 'opt-b', 'opt-a'] } },
  { voter: 0, choice: { approve: ['opt-c'] }, key: 1 },
  { voter: 3, choice: { approve: [] } },
  { voter: 4, choice: { approve: ['opt-a'] } },
];

export function makeVoters(n: number, signer: FixtureSigner, crypto: Pick<ProtocolCrypto, 'sha256'> = portableCrypto): FixtureVoter[] {
  return Array.from({ length: n }, (_, i) => ({
    voter: encodeBase64Url(crypto.sha256(new TextEncoder().encode(`voter ${i}`))),
    keys: Array.from({ length: i === 0 ? 2 : 1 }, (_, k) => signer.keyPair(seedOf(`voter ${i} key ${k}`, crypto))),
  }));
}

export function signFor(purpose: Purpose, statement: unknown, keyPair: KeyPair, signer: FixtureSigner): string {
  return encodeBase64Url(signer.sign(signedBytes(purpose, statement), keyPair.secretKey));
}

export function buildBundle(opts: FixtureOptions = {}): BundleFixture {
  const signer = opts.signer ?? naclSigner;
  const crypto = opts.crypto ?? portableCrypto;
  const instanceKey = signer.keyPair(seedOf('instance', crypto));
  const voters = makeVoters(opts.voters ?? 6, signer, crypto);
  const register: RegisterEntry[] = voters
    .map((v) => ({ voter: v.voter, keys: v.keys.map((k) => encodeBase64Url(k.publicKey)) }))
    .sort((a, b) => (a.voter < b.voter ? -1 : 1));
  const definition = {
    ...DEFAULT_DEFINITION,
    ...opts.definition,
    electorate: { count: register.length },
  } as RoundDefinition;
  const hash = definitionHash(definition, crypto);

  const board: BoardEntry[] = [];
  const receipts: SignedReceipt[] = [];
  let head = initialHead(hash, crypto);
  (opts.ballots ?? DEFAULT_BALLOTS).forEach((b, i) => {
    const voter = voters[b.voter];
    const keyPair = voter?.keys[b.key ?? 0];
    if (voter === undefined || keyPair === undefined) throw new Error(`fixture: no voter ${b.voter} with key ${b.key ?? 0}`);
    const nonce = new Uint8Array(16);
    new DataView(nonce.buffer).setUint32(0, i + 1);
    nonce.set(seedOf(`nonce ${i}`, crypto).subarray(0, 12), 4);
    const ballot: Ballot = {
      instance: definition.instance,
      round: definition.round,
      definition: hash,
      key: encodeBase64Url(keyPair.publicKey),
      choice: b.choice,
      nonce: encodeBase64Url(nonce),
      castAt: iso(START + 60_000 + i * 1000),
    };
    const sig = signFor('ballot', ballot, keyPair, signer);
    const leaf = leafOf(ballot, sig, crypto);
    head = nextHead(head, leaf, crypto);
    const entry: BoardEntry = { seq: i + 1, voter: voter.voter, ballot, sig, leaf, head };
    board.push(entry);
    const receipt: Receipt = { instance: definition.instance, round: definition.round, seq: entry.seq, leaf, head };
    receipts.push({ receipt, receiptSig: signFor('receipt', receipt, instanceKey, signer) });
  });

  const counting = countingBallots(definition, board, (e) => e.voter);
  const result = count(
    contestOf(definition),
    counting.map((e) => e.ballot.choice),
    { electorate: definition.electorate.count, lotOrder: lotOrder(head, definition.options.map((o) => o.id), crypto) },
  );
  const outcome: Outcome = {
    instance: definition.instance,
    round: definition.round,
    definition: hash,
    register: { count: register.length, root: registerRoot(register, crypto) },
    board: { entries: board.length, head },
    counted: counting.length,
    // Through JSON, as the server publishes it: a bundle is a JSON document.
    result: JSON.parse(JSON.stringify(result)) as Outcome['result'],
    closedAt: iso(START + 3_600_000),
    publishedAt: iso(START + 3_700_000),
  };
  const bundle: Bundle = {
    protocol: 1,
    instanceKey: encodeBase64Url(instanceKey.publicKey),
    definition,
    definitionSig: signFor('definition', definition, instanceKey, signer),
    register,
    board,
    outcome,
    outcomeSig: signFor('outcome', outcome, instanceKey, signer),
  };
  return { bundle, instanceKey, voters, receipts };
}

/** A deep copy through JSON, as a verifier reads a bundle from a file. */
export function viaJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
