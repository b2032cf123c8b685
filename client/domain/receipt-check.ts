/**
 * "Controleer mijn stem": a receipt checked against the board, in the
 * browser, with the project's shared protocol code. Each step says what it
 * checked; none trusts the server's word for anything but the data it shows.
 */
import { countingBallots, voterOfEntry } from '../../shared/protocol/contest';
import { initialHead, leafOf, nextHead } from '../../shared/protocol/board';
import { jcs } from '../../shared/protocol/jcs';
import { verifyStatement, type ProtocolCrypto } from '../../shared/protocol/signing';
import type { AnyBallot as Ballot, AnyBoardEntry, Receipt } from '../../shared/protocol/types';

export type StepId = 'receipt-signature' | 'on-board' | 'ballot-mine' | 'leaf' | 'chain' | 'counts';
export type StepState = 'ok' | 'failed' | 'skipped' | 'replaced';

export interface Step {
  readonly id: StepId;
  readonly state: StepState;
}

export interface ReceiptToCheck {
  readonly receipt: Receipt;
  readonly receiptSig: string;
  /** The ballot and signature as sent from this device, when known. */
  readonly ballot?: Ballot;
  readonly sig?: string;
}

export interface BoardToCheck {
  readonly instanceKey: string;
  readonly definitionHash: string;
  readonly revote: boolean;
  /** null when the board cannot be read yet (a sealed round before it closes). */
  readonly board: readonly AnyBoardEntry[] | null;
}

function safe(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

export function checkReceipt(r: ReceiptToCheck, b: BoardToCheck, crypto: ProtocolCrypto): Step[] {
  const steps: Step[] = [];
  const signed = verifyStatement(crypto, 'receipt', r.receipt, r.receiptSig, b.instanceKey);
  steps.push({ id: 'receipt-signature', state: signed ? 'ok' : 'failed' });
  if (b.board === null) {
    for (const id of ['on-board', 'ballot-mine', 'leaf', 'chain', 'counts'] as const) steps.push({ id, state: 'skipped' });
    return steps;
  }
  const board = b.board;
  const entry = board.find((e) => e.seq === r.receipt.seq);
  steps.push({ id: 'on-board', state: entry !== undefined && entry.leaf === r.receipt.leaf && entry.head === r.receipt.head ? 'ok' : 'failed' });
  if (r.ballot === undefined || r.sig === undefined) steps.push({ id: 'ballot-mine', state: 'skipped' });
  else {
    const mine = r.ballot;
    const sig = r.sig;
    steps.push({ id: 'ballot-mine', state: entry !== undefined && safe(() => jcs(entry.ballot) === jcs(mine)) && entry.sig === sig ? 'ok' : 'failed' });
  }
  steps.push({ id: 'leaf', state: entry !== undefined && safe(() => leafOf(entry.ballot, entry.sig, crypto) === entry.leaf) ? 'ok' : 'failed' });
  const chainOk = safe(() => {
    let head = initialHead(b.definitionHash, crypto);
    for (const [i, e] of board.entries()) {
      if (e.seq !== i + 1) return false;
      if (leafOf(e.ballot, e.sig, crypto) !== e.leaf) return false;
      head = nextHead(head, e.leaf, crypto);
      if (head !== e.head) return false;
    }
    return true;
  });
  steps.push({ id: 'chain', state: chainOk ? 'ok' : 'failed' });
  if (entry === undefined) steps.push({ id: 'counts', state: 'failed' });
  else {
    const counting = countingBallots({ revote: b.revote }, board, voterOfEntry).some((e) => e.seq === entry.seq);
    steps.push({ id: 'counts', state: counting ? 'ok' : 'replaced' });
  }
  return steps;
}

export function allHold(steps: readonly Step[]): boolean {
  return steps.every((s) => s.state === 'ok' || s.state === 'replaced' || s.state === 'skipped') && steps.some((s) => s.state === 'ok');
}
