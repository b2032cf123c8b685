import nacl from 'tweetnacl';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { signStatement } from '../../shared/protocol/signing';
import type { ApiClient, LoginBody } from './client';

export interface RoundInfo {
  round: { id: string; status: string };
  definition: { instance: string; round: string; options: { id: string; label: string }[] };
  definitionHash: string;
}

/** A member with a device key, casting ballots as the browser does (tweetnacl, signed bytes of protocol.md). */
export class Voter {
  readonly keys = nacl.sign.keyPair();
  readonly publicKey = encodeBase64Url(this.keys.publicKey);

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

  ballot(info: RoundInfo, choice: unknown, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      instance: info.definition.instance,
      round: info.round.id,
      definition: info.definitionHash,
      key: this.publicKey,
      choice,
      nonce: encodeBase64Url(nacl.randomBytes(16)),
      castAt: new Date().toISOString(),
      ...overrides,
    };
  }

  sign(ballot: unknown): string {
    return signStatement('ballot', ballot, this.keys.secretKey);
  }

  async cast(info: RoundInfo, choice: unknown, overrides: Record<string, unknown> = {}) {
    const ballot = this.ballot(info, choice, overrides);
    return this.api.post<{ receipt: { seq: number; leaf: string; head: string }; receiptSig: string } & { error?: { code: string } }>(
      `/api/rounds/${info.round.id}/ballots`,
      { ballot, sig: this.sign(ballot) },
      this.login.accessToken,
    );
  }
}
