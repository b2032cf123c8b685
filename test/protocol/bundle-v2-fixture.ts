/**
 * Builds valid, signed protocol-2 bundles (secret rounds) the way the server
 * and the booth do, for the verifier's tests: an issuing key (the published
 * test key by default), an electorate of pseudonyms of which some received a
 * credential, each voting member's device asking for its credential through
 * the browser's code path (prepareCredential, the issuer's blindSign,
 * finishCredential), ballots signed with tweetnacl under the round key, a
 * chained board, the outcome counted with the counting library, receipts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { blindSign, importIssuer, type Issuer } from '../../node/crypto/blind-rsa';
import { count } from '../../shared/counting/index';
import type { Choice } from '../../shared/counting/types';
import { definitionHash, initialHead, leafOf, lotOrder, nextHead } from '../../shared/protocol/board';
import { contestOf, countingBallots, voterOfEntry } from '../../shared/protocol/contest';
import { finishCredential, prepareCredential, type PreparedCredential } from '../../shared/protocol/credential';
import { portableCrypto } from '../../shared/protocol/crypto-portable';
import { encodeBase64Url, utf8 } from '../../shared/protocol/encoding';
import { jcs } from '../../shared/protocol/jcs';
import type { KeyPair } from '../../shared/protocol/signing';
import type { BallotV2, BoardEntryV2, BundleV2, OutcomeV2, Receipt, RegisterV2, RoundDefinition, RoundDefinitionV2, SignedReceipt } from '../../shared/protocol/types';
import { DEFAULT_DEFINITION, naclSigner, seedOf, signFor } from './bundle-fixture';

/** The published test issuing key of test-issuing-key.json (docs/protocol.md says so): RSA key generation is not deterministic. */
export function testIssuer(): Issuer {
  const file = JSON.parse(readFileSync(path.join(import.meta.dirname, 'test-issuing-key.json'), 'utf8')) as { pkcs8: string };
  const issuer = importIssuer(file.pkcs8);
  if (!issuer.ok) throw new Error('test-issuing-key.json does not hold an issuing key');
  return issuer.value;
}

export interface V2Ballot {
  /** Index of the member in the electorate (in member order, before sorting by pseudonym). */
  readonly member: number;
  readonly choice: Choice;
}

/** One member's device in the round: its prepared request and the credential it unblinded. */
export interface V2Device {
  readonly prepared: PreparedCredential;
  readonly credential: string;
}

export interface V2FixtureOptions {
  readonly definition?: Partial<RoundDefinition>;
  /** Members in the electorate (default 6). */
  readonly electorate?: number;
  /** Members listed as having received a credential (default 0 to 4). */
  readonly issued?: readonly number[];
  /** Ballots in board order (default DEFAULT_V2_BALLOTS: five members, one revote). */
  readonly ballots?: readonly V2Ballot[];
  readonly issuer?: Issuer;
  /** The credential a member's ballots carry, given the one the issuer gave (to put a forged or foreign one on the board). */
  readonly credentialOf?: (member: number, device: V2Device) => string;
}

export interface V2Fixture {
  readonly bundle: BundleV2;
  readonly instanceKey: KeyPair;
  readonly issuer: Issuer;
  readonly devices: ReadonlyMap<number, V2Device>;
  readonly receipts: readonly SignedReceipt[];
}

export const DEFAULT_V2_BALLOTS: readonly V2Ballot[] = [
  { member: 0, choice: { approve: ['opt-a', 'opt-b'] } },
  { member: 1, choice: { approve: ['opt-b'] } },
  { member: 2, choice: { approve: ['opt-c', 'opt-b', 'opt-a'] } },
  { member: 0, choice: { approve: ['opt-c'] } },
  { member: 3, choice: { approve: [] } },
  { member: 4, choice: { approve: ['opt-a'] } },
];

const START = Date.UTC(2026, 10, 23, 10, 0, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

export function pseudonymOf(member: number): string {
  return encodeBase64Url(portableCrypto.sha256(utf8(`member ${member}`)));
}

/** A member's device asks for its credential and unblinds the answer, as the booth does; the issuer signs blindly. */
export function credentialFor(deviceSeed: Uint8Array, round: string, issuer: Issuer): V2Device {
  const prepared = prepareCredential(deviceSeed, round, issuer.issuingKey);
  if (!prepared.ok) throw new Error(`fixture: prepareCredential failed (${prepared.error})`);
  const answer = blindSign(issuer, prepared.value.blindedMessage);
  if (!answer.ok) throw new Error(`fixture: blindSign failed (${answer.error})`);
  const credential = finishCredential(prepared.value, answer.value);
  if (!credential.ok) throw new Error(`fixture: finishCredential failed (${credential.error})`);
  return { prepared: prepared.value, credential: credential.value };
}

export function buildBundleV2(opts: V2FixtureOptions = {}): V2Fixture {
  const issuer = opts.issuer ?? testIssuer();
  const instanceKey = naclSigner.keyPair(seedOf('instance'));
  const members = opts.electorate ?? 6;
  const issuedMembers = opts.issued ?? [0, 1, 2, 3, 4];
  const register: RegisterV2 = {
    electorate: Array.from({ length: members }, (_, i) => pseudonymOf(i)).sort(),
    issued: issuedMembers.map(pseudonymOf).sort(),
  };
  const definition: RoundDefinitionV2 = {
    ...DEFAULT_DEFINITION,
    ...opts.definition,
    electorate: { count: members },
    issuer: issuer.issuingKey,
  } as RoundDefinitionV2;
  const hash = definitionHash(definition);

  const devices = new Map<number, V2Device>();
  const deviceOf = (member: number): V2Device => {
    let device = devices.get(member);
    if (device === undefined) {
      device = credentialFor(seedOf(`member ${member} device`), definition.round, issuer);
      devices.set(member, device);
    }
    return device;
  };

  const board: BoardEntryV2[] = [];
  const receipts: SignedReceipt[] = [];
  let head = initialHead(hash);
  (opts.ballots ?? DEFAULT_V2_BALLOTS).forEach((b, i) => {
    const device = deviceOf(b.member);
    const nonce = new Uint8Array(16);
    new DataView(nonce.buffer).setUint32(0, i + 1);
    nonce.set(seedOf(`nonce ${i}`).subarray(0, 12), 4);
    const ballot: BallotV2 = {
      instance: definition.instance,
      round: definition.round,
      definition: hash,
      key: device.prepared.roundKey,
      credential: opts.credentialOf?.(b.member, device) ?? device.credential,
      choice: b.choice,
      nonce: encodeBase64Url(nonce),
      castAt: iso(START + 60_000 + i * 1000),
    };
    const sig = signFor('ballot', ballot, device.prepared.roundKeys, naclSigner);
    const leaf = leafOf(ballot, sig);
    head = nextHead(head, leaf);
    board.push({ seq: i + 1, ballot, sig, leaf, head });
    const receipt: Receipt = { instance: definition.instance, round: definition.round, seq: i + 1, leaf, head };
    receipts.push({ receipt, receiptSig: signFor('receipt', receipt, instanceKey, naclSigner) });
  });

  const counting = countingBallots(definition, board, voterOfEntry);
  const result = count(
    contestOf(definition),
    counting.map((e) => e.ballot.choice),
    { electorate: members, lotOrder: lotOrder(head, definition.options.map((o) => o.id)) },
  );
  const outcome: OutcomeV2 = {
    instance: definition.instance,
    round: definition.round,
    definition: hash,
    register: { count: register.electorate.length, issued: register.issued.length, root: encodeBase64Url(portableCrypto.sha256(utf8(jcs(register)))) },
    board: { entries: board.length, head },
    counted: counting.length,
    result: JSON.parse(JSON.stringify(result)) as OutcomeV2['result'],
    closedAt: iso(START + 3_600_000),
    publishedAt: iso(START + 3_700_000),
  };
  const bundle: BundleV2 = {
    protocol: 2,
    instanceKey: encodeBase64Url(instanceKey.publicKey),
    definition,
    definitionSig: signFor('definition', definition, instanceKey, naclSigner),
    register,
    board,
    outcome,
    outcomeSig: signFor('outcome', outcome, instanceKey, naclSigner),
  };
  return { bundle, instanceKey, issuer, devices, receipts };
}

/** The bundle with its outcome changed and signed again by the instance key, as a dishonest server could. */
export function resignedV2(fixture: V2Fixture, change: (bundle: BundleV2) => BundleV2): BundleV2 {
  const changed = change(JSON.parse(JSON.stringify(fixture.bundle)) as BundleV2);
  return {
    ...changed,
    definitionSig: signFor('definition', changed.definition, fixture.instanceKey, naclSigner),
    outcomeSig: signFor('outcome', changed.outcome, fixture.instanceKey, naclSigner),
  };
}
