import nacl from 'tweetnacl';
import { finishCredential, prepareCredential, type PreparedCredential } from '../../shared/protocol/credential';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { signStatement } from '../../shared/protocol/signing';
import type { ApiClient, LoginBody } from './client';

export interface RoundInfo {
  round: { id: string; status: string };
  /** `issuer` is there exactly when the round is secret (protocol 2). */
  definition: { instance: string; round: string; options: { id: string; label: string }[]; issuer?: string };
  definitionHash: string;
}

/** What a voter holds for one secret round: the prepared request (with its round key pair) and the credential. */
export interface RoundCredential {
  readonly prepared: PreparedCredential;
  readonly credential: string;
  readonly blindSignature: string;
}

export function isSecretRound(info: RoundInfo): info is RoundInfo & { definition: { issuer: string } } {
  return info.definition.issuer !== undefined;
}

/**
 * A member with a device, casting ballots as the browser does: in a named
 * round (protocol 1) with the device key, signed in; in a secret round
 * (protocol 2) with a round key derived from the device seed and its
 * credential, asked for once signed in and then cast WITHOUT a token.
 */
export class Voter {
  readonly keys = nacl.sign.keyPair();
  readonly publicKey = encodeBase64Url(this.keys.publicKey);
  /** The device seed round keys and credential requests are derived from (credential.ts). */
  readonly deviceSeed: Uint8Array = nacl.randomBytes(32);
  private readonly credentials = new Map<string, RoundCredential>();

  constructor(
    readonly api: ApiClient,
    readonly login: LoginBody,
  ) {}

  static async create(api: ApiClient, moderatorToken: string, email: string): Promise<Voter> {
    const login = await api.activeMember(moderatorToken, email);
    const voter = new Voter(api, login);
    const res = await api.post('/api/me/keys', { publicKey: voter.publicKey }, login.accessToken);
    if (res.status !== 201) throw new Error(`key: ${res.status} ${JSON.stringify(res.body)}`);
    return voter;
  }

  /** The same device (keys, seed, credentials held) talking to another server address, e.g. after a restart. */
  withApi(api: ApiClient): Voter {
    const same = new Voter(api, this.login);
    Object.assign(same, { keys: this.keys, publicKey: this.publicKey, deviceSeed: this.deviceSeed });
    for (const [round, held] of this.credentials) same.credentials.set(round, held);
    return same;
  }

  /** The request this device sends for a secret round (the same every time: it is derived from the seed). */
  prepare(info: RoundInfo): PreparedCredential {
    if (!isSecretRound(info)) throw new Error(`round ${info.round.id} is not secret`);
    const prepared = prepareCredential(this.deviceSeed, info.round.id, info.definition.issuer);
    if (!prepared.ok) throw new Error(`prepareCredential: ${prepared.error}`);
    return prepared.value;
  }

  /** Asks for this round's credential, signed in, once; later calls answer the one held. */
  async credential(info: RoundInfo): Promise<RoundCredential> {
    const held = this.credentials.get(info.round.id);
    if (held !== undefined) return held;
    const prepared = this.prepare(info);
    const res = await this.api.post<{ blindSignature: string }>(
      `/api/rounds/${info.round.id}/credential`,
      { blindedMessage: prepared.blindedMessage },
      this.login.accessToken,
    );
    if (res.status !== 200) throw new Error(`credential: ${res.status} ${JSON.stringify(res.body)}`);
    const credential = finishCredential(prepared, res.body.blindSignature);
    if (!credential.ok) throw new Error(`finishCredential: ${credential.error}`);
    const got = { prepared, credential: credential.value, blindSignature: res.body.blindSignature };
    this.credentials.set(info.round.id, got);
    return got;
  }

  /** The credential held for a round, if asked for already. */
  heldCredential(roundId: string): RoundCredential | undefined {
    return this.credentials.get(roundId);
  }

  /** A ballot for the round: protocol 2 (round key, credential) in a secret round, whose credential must be held already. */
  ballot(info: RoundInfo, choice: unknown, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const base = {
      instance: info.definition.instance,
      round: info.round.id,
      definition: info.definitionHash,
      key: this.publicKey,
      choice,
      nonce: encodeBase64Url(nacl.randomBytes(16)),
      castAt: new Date().toISOString(),
    };
    if (!isSecretRound(info)) return { ...base, ...overrides };
    const held = this.credentials.get(info.round.id);
    if (held === undefined) throw new Error(`ask for the credential of round ${info.round.id} first (await voter.credential(info))`);
    return { ...base, key: held.prepared.roundKey, credential: held.credential, ...overrides };
  }

  /** Signs with the key the ballot names when it is one of this voter's round keys, else with the device key. */
  sign(ballot: Record<string, unknown>): string {
    for (const held of this.credentials.values()) {
      if (held.prepared.roundKey === ballot['key']) return signStatement('ballot', ballot, held.prepared.roundKeys.secretKey);
    }
    return signStatement('ballot', ballot, this.keys.secretKey);
  }

  async cast(info: RoundInfo, choice: unknown, overrides: Record<string, unknown> = {}) {
    if (isSecretRound(info)) await this.credential(info);
    const ballot = this.ballot(info, choice, overrides);
    return this.api.post<{ receipt: { seq: number; leaf: string; head: string }; receiptSig: string } & { error?: { code: string } }>(
      `/api/rounds/${info.round.id}/ballots`,
      { ballot, sig: this.sign(ballot) },
      // A secret round's ballot goes without sign-in, as the browser sends it.
      isSecretRound(info) ? undefined : this.login.accessToken,
    );
  }
}
