/**
 * The booth's logic for secret rounds, in node with the real cryptography:
 * the credential step (its states, its work against a real issuing key, every
 * refusal's message), the voted state, the ballots it signs, and a secret
 * round's receipt checked against a protocol-2 board.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, TOKEN_ERRORS } from '../../shared/api/index';
import { definitionHash, initialHead, leafOf, nextHead } from '../../shared/protocol/board';
import { checkCredential, portableCredentialCrypto } from '../../shared/protocol/credential';
import { portableCrypto } from '../../shared/protocol/crypto-portable';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { roundKeyPair } from '../../shared/protocol/round-key';
import { BallotV2Schema } from '../../shared/protocol/schemas-v2';
import { keyPairFromSeed, signStatement, verifyStatement, type KeyPair } from '../../shared/protocol/signing';
import type { BoardEntryV2, RoundDefinitionV2 } from '../../shared/protocol/types';
import { err, ok, type Result } from '../../shared/result';
import { blindSign, generateIssuerSync, type Issuer } from '../../node/crypto/blind-rsa';
import en from '../../client/i18n/en.json';
import nl from '../../client/i18n/nl.json';
import { boothClosed, signedBallot, votedState, type VotedState } from '../../client/domain/booth-state';
import {
  CREDENTIAL_PROBLEMS,
  deviceSeedOf,
  INITIAL_CREDENTIAL_STATE,
  nextCredentialState,
  obtainCredential,
  problemOfCode,
  retryable,
  type CredentialDeps,
  type CredentialState,
  type KeptCredential,
} from '../../client/domain/credential-step';
import { ballotsCsv } from '../../client/domain/exports';
import { allHold, checkReceipt } from '../../client/domain/receipt-check';
import { DEFAULT_DEFINITION } from '../protocol/bundle-fixture';

const ROUND = DEFAULT_DEFINITION.round;
const seed = (n: number) => new Uint8Array(32).fill(n);

/**
 * The server's rule for one member (issue 15): it signs at most one request
 * per member and round; the same request again gets the same answer, a
 * different one is refused. The signing is the real node:crypto blind signer.
 */
class Desk {
  readonly requests: string[] = [];
  private first: string | undefined;
  constructor(private readonly issuer: Issuer) {}
  async request(blindedMessage: string): Promise<Result<{ blindSignature: string }, { code: string }>> {
    await Promise.resolve();
    this.requests.push(blindedMessage);
    if (this.first !== undefined && this.first !== blindedMessage) return err({ code: 'credential_already_issued' });
    this.first = blindedMessage;
    const signed = blindSign(this.issuer, blindedMessage);
    return signed.ok ? ok({ blindSignature: signed.value }) : err({ code: 'invalid_input' });
  }
}

/** A device's IndexedDB credentials store for one (member, round), in memory. */
function shelf(start?: KeptCredential): { kept: KeptCredential | undefined; load: CredentialDeps['load']; save: CredentialDeps['save'] } {
  const s = {
    kept: start,
    load: () => Promise.resolve(s.kept),
    save: (k: KeptCredential) => {
      s.kept = k;
      return Promise.resolve();
    },
  };
  return s;
}

let issuer: Issuer;
let other: Issuer;
beforeAll(() => {
  issuer = generateIssuerSync();
  other = generateIssuerSync();
});

describe('the credential step’s states', () => {
  it('asks once when the key is ready, and only a failure out of reach may be retried', () => {
    let s: CredentialState = INITIAL_CREDENTIAL_STATE;
    s = nextCredentialState(s, { type: 'key-ready' });
    expect(s).toEqual({ step: 'asking' });
    // A key reported ready twice does not start a second request.
    expect(nextCredentialState(s, { type: 'key-ready' })).toBe(s);
    const failed = nextCredentialState(s, { type: 'failed', problem: 'unreachable' });
    expect(failed).toEqual({ step: 'failed', problem: 'unreachable' });
    expect(nextCredentialState(failed, { type: 'retry' })).toEqual({ step: 'asking' });
    const refused = nextCredentialState(s, { type: 'failed', problem: 'already_issued' });
    expect(nextCredentialState(refused, { type: 'retry' })).toBe(refused);
    const pass = { roundKey: 'k', credential: 'c' };
    const ready = nextCredentialState(s, { type: 'obtained', pass, fetched: true });
    expect(ready).toEqual({ step: 'ready', pass, fetched: true });
    // Nothing moves a ready step back, and nothing arrives before asking.
    expect(nextCredentialState(ready, { type: 'failed', problem: 'unreachable' })).toBe(ready);
    expect(nextCredentialState(INITIAL_CREDENTIAL_STATE, { type: 'obtained', pass, fetched: true })).toBe(INITIAL_CREDENTIAL_STATE);
  });

  it('gives every refusal of the route its own meaning, and every meaning words in Dutch and English', () => {
    const codes = [...ROUTES.requestCredential.errors, ...TOKEN_ERRORS];
    const meanings = Object.fromEntries(codes.map((c) => [c, problemOfCode(c)]));
    expect(meanings).toMatchObject({
      credential_already_issued: 'already_issued',
      not_in_electorate: 'not_eligible',
      account_pending: 'pending',
      unauthenticated: 'signed_out',
      token_expired: 'signed_out',
      account_suspended: 'suspended',
      round_not_open: 'round_not_open',
      round_not_secret: 'not_secret',
      not_found: 'not_found',
      invalid_input: 'refused',
    });
    expect(problemOfCode('network_error')).toBe('unreachable');
    expect(problemOfCode('too_many_requests')).toBe('unreachable');
    expect(CREDENTIAL_PROBLEMS.filter(retryable)).toEqual(['unreachable']);
    const NL: Record<string, string> = nl;
    const EN: Record<string, string> = en;
    for (const p of CREDENTIAL_PROBLEMS) {
      expect(NL[`credential.problem.${p}`], p).toBeTruthy();
      expect(EN[`credential.problem.${p}`], p).toBeTruthy();
    }
    // The one a member can mend themselves says how: the other device, or its recovery file.
    expect(NL['credential.problem.already_issued']).toMatch(/herstelbestand/);
    expect(EN['credential.problem.already_issued']).toMatch(/recovery file/);
  });
});

describe('obtaining the credential', () => {
  const input = () => ({ round: ROUND, issuingKey: issuer.issuingKey, deviceSeed: seed(7) });

  it('derives the round key, gets a credential that checks under the issuing key, and keeps it', async () => {
    const desk = new Desk(issuer);
    const store = shelf();
    const got = await obtainCredential(input(), { ...store, request: (m) => desk.request(m) });
    if (!got.ok) throw new Error(got.error);
    expect(got.value.fetched).toBe(true);
    expect(got.value.kept).toBe(true);
    expect(got.value.pass.roundKey).toBe(encodeBase64Url(roundKeyPair(seed(7), ROUND).publicKey));
    expect(checkCredential(portableCredentialCrypto, { round: ROUND, issuingKey: issuer.issuingKey, roundKey: got.value.pass.roundKey, credential: got.value.pass.credential })).toEqual(ok(undefined));
    expect(store.kept).toEqual({ ...got.value.pass, issuingKey: issuer.issuingKey });
    // Opening the round again asks the server nothing.
    const again = await obtainCredential(input(), { ...store, request: (m) => desk.request(m) });
    expect(again).toEqual(ok({ pass: got.value.pass, fetched: false, kept: true }));
    expect(desk.requests).toHaveLength(1);
  });

  it('sends the same request from a restored device and gets the same credential; another device key is refused', async () => {
    const desk = new Desk(issuer);
    const first = await obtainCredential(input(), { ...shelf(), request: (m) => desk.request(m) });
    // The same device seed (the recovery file) on an empty browser.
    const restored = await obtainCredential(input(), { ...shelf(), request: (m) => desk.request(m) });
    expect(restored.ok && first.ok && restored.value.pass).toEqual(first.ok && first.value.pass);
    expect(desk.requests[1]).toBe(desk.requests[0]);
    const elsewhere = await obtainCredential({ ...input(), deviceSeed: seed(8) }, { ...shelf(), request: (m) => desk.request(m) });
    expect(elsewhere).toEqual(err('already_issued'));
  });

  it('does not reuse a kept credential of another device key or issuing key', async () => {
    const desk = new Desk(issuer);
    const stale = { roundKey: encodeBase64Url(roundKeyPair(seed(9), ROUND).publicKey), credential: 'x', issuingKey: issuer.issuingKey };
    const got = await obtainCredential(input(), { ...shelf(stale), request: (m) => desk.request(m) });
    expect(got.ok && got.value.fetched).toBe(true);
    const own = got.ok ? got.value.pass : { roundKey: '', credential: '' };
    const underOtherKey = await obtainCredential(input(), { ...shelf({ ...own, issuingKey: other.issuingKey }), request: (m) => desk.request(m) });
    expect(underOtherKey.ok && underOtherKey.value.fetched).toBe(true);
  });

  it('refuses an answer that is no signature under the round’s issuing key', async () => {
    const wrong = new Desk(other);
    // A server signing with another key than the one in the signed definition.
    const store = shelf();
    const got = await obtainCredential(input(), { ...store, request: (m) => wrong.request(m) });
    // Its key may be too small for the request (refused) or sign it (and the unblinded signature fails): either way nothing is kept.
    expect(got.ok).toBe(false);
    expect(['bad_answer', 'refused']).toContain(got.ok ? '' : got.error);
    expect(store.kept).toBeUndefined();
    const garbage = await obtainCredential(input(), { ...shelf(), request: () => Promise.resolve(ok({ blindSignature: encodeBase64Url(new Uint8Array(256).fill(3)) })) });
    expect(garbage).toEqual(err('bad_answer'));
  });

  it('works with storage blocked (asking again next time), and says when the server is out of reach', async () => {
    const desk = new Desk(issuer);
    const blocked = { load: () => Promise.reject(new Error('blocked')), save: () => Promise.reject(new Error('blocked')) };
    const got = await obtainCredential(input(), { ...blocked, request: (m) => desk.request(m) });
    expect(got.ok && got.value.kept).toBe(false);
    expect(got.ok && got.value.fetched).toBe(true);
    const offline = await obtainCredential(input(), { ...shelf(), request: () => Promise.resolve(err({ code: 'network_error' })) });
    expect(offline).toEqual(err('unreachable'));
    expect(await obtainCredential({ ...input(), issuingKey: 'not-a-key' }, { ...shelf(), request: (m) => desk.request(m) })).toEqual(err('bad_issuer'));
  });

  it('takes the device seed from tweetnacl’s secret key (seed || public key)', () => {
    const pair = keyPairFromSeed(seed(5));
    expect(deviceSeedOf(pair.secretKey)).toEqual(seed(5));
    expect(() => deviceSeedOf(seed(5))).toThrow();
  });
});

describe('the voted state', () => {
  const cases: [boolean, { voted: boolean; credentialIssued: boolean } | undefined, number, VotedState][] = [
    [false, { voted: true, credentialIssued: false }, 0, 'voted'],
    [false, { voted: false, credentialIssued: false }, 2, 'not-voted'],
    [true, { voted: false, credentialIssued: true }, 1, 'voted-here'],
    [true, { voted: false, credentialIssued: true }, 0, 'unknown'],
    [true, { voted: false, credentialIssued: false }, 0, 'not-voted'],
    [true, undefined, 0, 'not-voted'],
  ];
  it('takes a named round’s from the server and a secret round’s from this device’s receipts', () => {
    for (const [secret, me, receiptsHere, want] of cases) expect(votedState({ secret, me, receiptsHere }), JSON.stringify({ secret, me, receiptsHere })).toBe(want);
  });
  it('closes the booth only on a known vote without revote; an unknown one leaves it open', () => {
    expect(boothClosed('voted-here', false)).toBe(true);
    expect(boothClosed('voted', false)).toBe(true);
    expect(boothClosed('voted-here', true)).toBe(false);
    expect(boothClosed('unknown', false)).toBe(false);
    expect(boothClosed('not-voted', false)).toBe(false);
  });
});

describe('ballots and receipts of a secret round', () => {
  const device: KeyPair = keyPairFromSeed(seed(1));
  const instance: KeyPair = keyPairFromSeed(seed(2));
  let definition: RoundDefinitionV2;
  let hash: string;
  beforeAll(() => {
    definition = { ...DEFAULT_DEFINITION, issuer: issuer.issuingKey };
    hash = definitionHash(definition, portableCrypto);
  });

  async function passFor(deviceSeed: Uint8Array) {
    const got = await obtainCredential({ round: ROUND, issuingKey: issuer.issuingKey, deviceSeed }, { ...shelf(), request: (m) => new Desk(issuer).request(m) });
    if (!got.ok) throw new Error(got.error);
    return { pass: got.value.pass, roundKeys: roundKeyPair(deviceSeed, ROUND) };
  }

  it('names the round key, carries the credential, is signed by the round key, and never names the device key', async () => {
    const { pass, roundKeys } = await passFor(deviceSeedOf(device.secretKey));
    const { ballot, sig } = signedBallot({ definition, definitionHash: hash, choice: { approve: ['opt-a'] }, nonce: encodeBase64Url(new Uint8Array(16).fill(4)), castAt: definition.opensAt, signer: { kind: 'round', pass, roundKeys } });
    expect(BallotV2Schema.safeParse(ballot).success).toBe(true);
    expect(ballot.key).toBe(pass.roundKey);
    expect(JSON.stringify({ ballot, sig })).not.toContain(encodeBase64Url(device.publicKey));
    expect(verifyStatement(portableCrypto, 'ballot', ballot, sig, pass.roundKey)).toBe(true);
    expect(verifyStatement(portableCrypto, 'ballot', ballot, sig, encodeBase64Url(device.publicKey))).toBe(false);
    const named = signedBallot({ definition: DEFAULT_DEFINITION, definitionHash: hash, choice: { approve: [] }, nonce: 'AAAAAAAAAAAAAAAAAAAAAA', castAt: definition.opensAt, signer: { kind: 'device', publicKey: encodeBase64Url(device.publicKey), secretKey: device.secretKey } });
    expect('credential' in named.ballot).toBe(false);
    expect(verifyStatement(portableCrypto, 'ballot', named.ballot, named.sig, encodeBase64Url(device.publicKey))).toBe(true);
  });

  it('checks a secret round’s receipt against its board, the credential standing for the voter, and writes the round key in the CSV', async () => {
    const a = await passFor(seed(11));
    const b = await passFor(seed(12));
    const casts = [
      { who: a, choice: { approve: ['opt-a'] } },
      { who: b, choice: { approve: ['opt-b'] } },
      { who: a, choice: { approve: ['opt-c'] } },
    ];
    const board: BoardEntryV2[] = [];
    let head = initialHead(hash, portableCrypto);
    for (const [i, c] of casts.entries()) {
      const { ballot, sig } = signedBallot({ definition, definitionHash: hash, choice: c.choice, nonce: encodeBase64Url(new Uint8Array(16).fill(i + 1)), castAt: definition.opensAt, signer: { kind: 'round', ...c.who } });
      const leaf = leafOf(ballot, sig, portableCrypto);
      head = nextHead(head, leaf, portableCrypto);
      board.push({ seq: i + 1, ballot: ballot as BoardEntryV2['ballot'], sig, leaf, head });
    }
    const receiptOf = (e: BoardEntryV2) => {
      const receipt = { instance: definition.instance, round: ROUND, seq: e.seq, leaf: e.leaf, head: e.head };
      return { receipt, receiptSig: signStatement('receipt', receipt, instance.secretKey), ballot: e.ballot, sig: e.sig };
    };
    const base = { instanceKey: encodeBase64Url(instance.publicKey), definitionHash: hash, revote: true, board };
    const [first, second, third] = board.map(receiptOf);
    if (first === undefined || second === undefined || third === undefined) throw new Error('three entries');
    for (const r of [second, third]) expect(allHold(checkReceipt(r, base, portableCrypto))).toBe(true);
    // The same credential voted again: its first ballot is replaced, not lost.
    expect(checkReceipt(first, base, portableCrypto).find((s) => s.id === 'counts')?.state).toBe('replaced');
    const csv = ballotsCsv({ protocol: 2, definition, board } as never, { seq: 'nr', voter: 'stemmer', roundKey: 'rondesleutel', castAt: 'tijd', counts: 'telt', answer: 'stem', yes: 'ja', no: 'nee' }).split('\r\n');
    expect(csv[0]?.split(',').slice(0, 2)).toEqual(['nr', 'rondesleutel']);
    expect(csv[1]?.split(',')[1]).toBe(a.pass.roundKey);
  });
});
