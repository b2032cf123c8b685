/**
 * What the booth decides before drawing: whether the member has voted, as far
 * as anyone honestly can tell, and the ballot to sign, named (protocol 1,
 * signed with the device key) or secret (protocol 2, signed with the round
 * key and carrying the credential).
 */
import type { Choice } from '../../shared/counting/types';
import { signStatement, type KeyPair } from '../../shared/protocol/signing';
import type { AnyBallot, AnyRoundDefinition } from '../../shared/protocol/types';
import type { RoundPass } from './credential-step';

/**
 * - `voted`: a named round whose server says so (it knows: the ballot names the member's key);
 * - `voted-here`: a secret round with a receipt kept on this device;
 * - `unknown`: a secret round with a credential issued but no receipt here: the
 *   member may have voted on another device, and nobody, this page included,
 *   can tell (that is the point of a secret ballot);
 * - `not-voted`: a named round the server says was not voted in, or a secret
 *   round without a credential yet (no ballot can count without one).
 */
export type VotedState = 'voted' | 'voted-here' | 'unknown' | 'not-voted';

export function votedState(input: {
  readonly secret: boolean;
  readonly me: { readonly voted: boolean; readonly credentialIssued: boolean } | undefined;
  /** This member's receipts for the round kept on this device. */
  readonly receiptsHere: number;
}): VotedState {
  if (!input.secret) return input.me?.voted === true ? 'voted' : 'not-voted';
  // The server's `voted` is always false in a secret round: only this device's receipts say anything.
  if (input.receiptsHere > 0) return 'voted-here';
  return input.me?.credentialIssued === true ? 'unknown' : 'not-voted';
}

/** Whether the booth is closed to this member: they voted and the round takes no second ballot. */
export function boothClosed(state: VotedState, revote: boolean): boolean {
  return !revote && (state === 'voted' || state === 'voted-here');
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
