/**
 * Another member voting through the API, as the browser does it, in a named
 * round or a secret one: in a secret round (its definition names an issuing
 * key) the member's device seed derives the round key and the blinded
 * request, the credential is asked for signed in, and the ballot is signed
 * with the round key and sent WITHOUT a token. The browser tests use it for
 * the ballots of members who are not on screen.
 */
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { finishCredential, prepareCredential } from '../../shared/protocol/credential';
import { signStatement } from '../../shared/protocol/signing';
import type { RoundInfo, Voter } from '../helpers/voter';

export interface CastAnswer {
  receipt: { seq: number; leaf: string; head: string };
  receiptSig: string;
  error?: { code: string };
}

/** The issuing key of a secret round's definition, or undefined for a named round. */
export function issuerOf(info: RoundInfo): string | undefined {
  const issuer = (info.definition as { issuer?: unknown }).issuer;
  return typeof issuer === 'string' ? issuer : undefined;
}

/** Casts `choice` as `voter` in the round, named or secret; answers the ballot route's response. */
export async function castAs(voter: Voter, info: RoundInfo, choice: unknown): Promise<{ status: number; body: CastAnswer }> {
  const issuer = issuerOf(info);
  if (issuer === undefined) return voter.cast(info, choice);
  // tweetnacl's secret key is seed || public key: the device seed is its first half, as in the browser.
  const prepared = prepareCredential(voter.keys.secretKey.slice(0, 32), info.round.id, issuer);
  if (!prepared.ok) throw new Error(`prepareCredential: ${prepared.error}`);
  const asked = await voter.api.post<{ blindSignature: string }>(`/api/rounds/${info.round.id}/credential`, { blindedMessage: prepared.value.blindedMessage }, voter.login.accessToken);
  if (asked.status !== 200) return { status: asked.status, body: asked.body as unknown as CastAnswer };
  const credential = finishCredential(prepared.value, asked.body.blindSignature);
  if (!credential.ok) throw new Error(`finishCredential: ${credential.error}`);
  const ballot = {
    instance: info.definition.instance,
    round: info.round.id,
    definition: info.definitionHash,
    key: prepared.value.roundKey,
    credential: credential.value,
    choice,
    nonce: encodeBase64Url(crypto.getRandomValues(new Uint8Array(16))),
    castAt: new Date().toISOString(),
  };
  const sig = signStatement('ballot', ballot, prepared.value.roundKeys.secretKey);
  // No token: a secret round's ballot is anonymous on the wire as well.
  return voter.api.post<CastAnswer>(`/api/rounds/${info.round.id}/ballots`, { ballot, sig });
}
