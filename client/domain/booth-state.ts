/**
 * What the booth decides before drawing: whether the member has voted, as far
 * as anyone honestly can tell, and the ballot to sign, named (protocol 1,
 * signed with the device key) or secret (protocol 2, signed with the round
 * key and carrying the credential).
 */

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

// Making the ballot and its signature is every device's, the command line's too: shared/protocol/signed-ballot.ts.
export { signedBallot, type Signer } from '../../shared/protocol/signed-ballot';
