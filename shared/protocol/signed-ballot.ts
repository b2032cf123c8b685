/**
 * Making a ballot and its signature, as every voter's device does it: the
 * browser's booth, `stemkring cast` and the demo data's participants. Pure:
 * the nonce and the time come from the caller.
 */
import type { Choice } from '../counting/types';
import { signStatement, type KeyPair } from './signing';
import type { AnyBallot, AnyRoundDefinition } from './types';

/** A secret round's pass: the round key (base64url) and its credential. */
export interface RoundPass {
  readonly roundKey: string;
  readonly credential: string;
}

/** Who signs: the member's device key (named round), or the round key with its credential (secret round). */
export type Signer =
  | { readonly kind: 'device'; readonly publicKey: string; readonly secretKey: Uint8Array }
  | { readonly kind: 'round'; readonly pass: RoundPass; readonly roundKeys: KeyPair };

/**
 * The ballot for a choice and its signature. In a secret round the ballot
 * names the round key, never the device key: the device key is registered to
 * the member, the round key is registered to nobody.
 */
export function signedBallot(input: {
  readonly definition: AnyRoundDefinition;
  readonly definitionHash: string;
  readonly choice: Choice;
  readonly nonce: string;
  readonly castAt: string;
  readonly signer: Signer;
}): { ballot: AnyBallot; sig: string } {
  const { definition: def, signer } = input;
  const common = { instance: def.instance, round: def.round, definition: input.definitionHash };
  if (signer.kind === 'device') {
    const ballot: AnyBallot = { ...common, key: signer.publicKey, choice: input.choice, nonce: input.nonce, castAt: input.castAt };
    return { ballot, sig: signStatement('ballot', ballot, signer.secretKey) };
  }
  const ballot: AnyBallot = { ...common, key: signer.pass.roundKey, credential: signer.pass.credential, choice: input.choice, nonce: input.nonce, castAt: input.castAt };
  return { ballot, sig: signStatement('ballot', ballot, signer.roundKeys.secretKey) };
}
