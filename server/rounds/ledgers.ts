import type { Transaction } from 'kysely';
import type { Database, RoundRow } from '../store/schema';
import type { Store } from '../store/store';
import type { CommittedEntry } from './board-writer';
import { importIssuer, type Issuer } from '../../node/crypto/blind-rsa';
import { storedDefinition } from './definition';
import { RoundLedger } from './ledger';
import * as repo from './repository';

/**
 * The ledgers of the open rounds (see RoundLedger): what ballot intake checks
 * against, kept in memory and rebuilt from the database at start and after a
 * failed write. Only the rounds services read them; others learn the
 * committed state from the round events.
 */
export class OpenLedgers {
  private readonly ledgers = new Map<string, RoundLedger>();

  constructor(private readonly store: Store) {}

  get(roundId: string): RoundLedger | undefined {
    return this.ledgers.get(roundId);
  }

  set(ledger: RoundLedger): void {
    this.ledgers.set(ledger.id, ledger);
  }

  delete(roundId: string): void {
    this.ledgers.delete(roundId);
  }

  /** An open round's ledger as the database holds it: its register, and its board replayed. */
  async load(row: RoundRow): Promise<RoundLedger> {
    const definition = storedDefinition(row);
    const issuer = row.secret ? await this.issuerOf(row.id) : null;
    const voters = await repo.listVoters(this.store.db, row.id);
    const keys = await repo.listRoundKeys(this.store.db, row.id);
    const keysOfVoter = new Map<string, Set<string>>();
    for (const k of keys) {
      let set = keysOfVoter.get(k.voter);
      if (set === undefined) keysOfVoter.set(k.voter, (set = new Set()));
      set.add(k.public_key);
    }
    const ledger = new RoundLedger(
      row.id,
      definition,
      row.definition_hash ?? '',
      new Map(voters.map((v) => [v.member_id, v.voter])),
      keysOfVoter,
      issuer,
    );
    // Streamed: a board of 100,000 entries is never held in memory as rows.
    await this.store.forEachBoardEntry(row.id, ['voter', 'nonce', 'head'], (e) => ledger.replayEntry(e));
    ledger.endReplay();
    return ledger;
  }

  /** An open secret round's issuer, imported once from the database (the ledger keeps it). */
  private async issuerOf(roundId: string): Promise<Issuer> {
    const pkcs8 = await repo.issuerPrivateKey(this.store.db, roundId);
    if (pkcs8 === undefined || pkcs8 === null) throw new Error(`open secret round ${roundId} has no private issuing key`);
    const issuer = importIssuer(pkcs8);
    if (!issuer.ok) throw new Error(`open secret round ${roundId}: its stored issuing key is not one (${issuer.error})`);
    return issuer.value;
  }

  /** After a failed write: the ledgers of these rounds (those still open) read again from the database. */
  async rebuild(roundIds: ReadonlySet<string>): Promise<void> {
    for (const id of roundIds) {
      const row = await repo.findRound(this.store.db, id);
      if (row?.status !== 'open') continue;
      const accepting = this.ledgers.get(id)?.accepting ?? true;
      const ledger = await this.load(row);
      ledger.accepting = accepting;
      this.ledgers.set(id, ledger);
    }
  }

  /** Marks a committed batch in the ledgers; answers each open round it touched with its entries, in board order. */
  markCommitted(entries: readonly CommittedEntry[]): Map<RoundLedger, CommittedEntry[]> {
    const touched = new Map<RoundLedger, CommittedEntry[]>();
    for (const e of entries) {
      const ledger = this.ledgers.get(e.roundId);
      if (ledger === undefined) continue;
      ledger.markCommitted(e.seq, e.head, e.voter);
      const ofRound = touched.get(ledger);
      if (ofRound === undefined) touched.set(ledger, [e]);
      else ofRound.push(e);
    }
    return touched;
  }

  /**
   * A member who adds a device key while rounds are open gets it in those
   * rounds' registers (the voter's list grows; no voter is added). Runs in the
   * key's transaction; answers what to do in memory once it commits.
   */
  async addKeyToOpenRounds(trx: Transaction<Database>, memberId: string, publicKey: string, at: string): Promise<() => void> {
    const rounds = await repo.openRoundsOfMember(trx, memberId);
    for (const r of rounds) await repo.appendRoundKey(trx, { round_id: r.round_id, voter: r.voter, public_key: publicKey, added_at: at });
    return () => {
      for (const r of rounds) this.ledgers.get(r.round_id)?.addKey(r.voter, publicKey);
    };
  }
}
