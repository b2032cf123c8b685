import type { RoundMe, RoundView } from '../../shared/api/rounds';
import type { CountResult } from '../../shared/counting/index';
import type { Outcome, RoundDefinition, RoundOption } from '../../shared/protocol/types';
import type { Result } from '../../shared/result';
import { ok } from '../../shared/result';
import type { LiveTally } from '../../shared/tally/live';
import type { RoundRow } from '../store/schema';
import type { Store } from '../store/store';
import { failure, type Failure } from '../failure';
import type { Member } from '../members/member';
import { listProposalsOfQuestions } from '../sessions/repository';
import type { ClosedRoundCounts } from './closed-count';
import { storedDefinition } from './definition';
import type { RoundLedger } from './ledger';
import type { OpenLedgers } from './ledgers';
import { toRound, YESNO_OPTIONS, type Round, type RoundStatus } from './model';
import * as repo from './repository';

/** Where an open round's live tally comes from (live/tallies, moved by the committed events). */
export interface LiveTallySource {
  snapshot(roundId: string, definition: RoundDefinition, head: string, waitForResult?: boolean): Promise<LiveTally>;
}

/** A tally is shown while open unless sealed, and always once closed. */
function tallyVisible(row: RoundRow): boolean {
  return row.status === 'closed' || row.status === 'published' || (row.status === 'open' && !row.sealed);
}

/** Rounds as the API shows them: the list, one round, and a round's view with its turnout and tally. */
export class RoundViews {
  constructor(
    private readonly store: Store,
    private readonly ledgers: OpenLedgers,
    private readonly counts: ClosedRoundCounts,
    private readonly tallies: LiveTallySource,
  ) {}

  async optionsOf(row: Pick<RoundRow, 'options' | 'method' | 'question_id'>): Promise<RoundOption[]> {
    if (row.options !== null) return JSON.parse(row.options) as RoundOption[];
    if (row.method === 'yesno') return [...YESNO_OPTIONS];
    if (row.question_id === null) return [];
    // A question's round: its visible proposals; merged duplicates are folded into theirs already.
    const proposals = await listProposalsOfQuestions(this.store.db, [row.question_id]);
    return proposals.filter((p) => p.status === 'visible').map((p) => ({ id: p.id, label: p.title }));
  }

  async list(filter: { status?: RoundStatus | undefined; questionIds?: readonly string[] | undefined }): Promise<Round[]> {
    const rows = await repo.listRounds(this.store.db, filter);
    return Promise.all(rows.map(async (row) => toRound(row, await this.optionsOf(row))));
  }

  async get(id: string): Promise<Round | undefined> {
    const row = await repo.findRound(this.store.db, id);
    return row === undefined ? undefined : toRound(row, await this.optionsOf(row));
  }

  async view(id: string, viewer: Member | undefined): Promise<Result<RoundView, Failure>> {
    const row = await repo.findRound(this.store.db, id);
    if (row === undefined) return failure('not_found', 'no such round');
    const round = toRound(row, await this.optionsOf(row));
    if (row.status === 'draft') return ok({ round, turnout: { voters: 0, ballots: 0, electorate: null } });
    const definition = storedDefinition(row);
    const ledger = this.ledgers.get(id);
    const outcome = row.status === 'published' && row.outcome !== null ? (JSON.parse(row.outcome) as Outcome) : undefined;
    // A closed round is counted once and its count kept: reads of it never scan the board again.
    const closed = ledger === undefined && row.status === 'closed' ? await this.counts.of(row, definition) : undefined;
    const counts =
      ledger?.turnout ??
      closed?.turnout ??
      (outcome === undefined ? await repo.countBoard(this.store.db, id) : { voters: outcome.counted, ballots: outcome.board.entries });
    const view: RoundView = {
      round,
      definition,
      definitionHash: row.definition_hash ?? '',
      definitionSig: row.definition_sig ?? '',
      turnout: { ...counts, electorate: row.electorate_count },
      head: ledger?.committedHead ?? row.final_head ?? '',
    };
    if (outcome !== undefined) {
      view.outcome = outcome;
      view.outcomeSig = row.outcome_sig ?? '';
      view.tally = outcome.result as unknown as CountResult;
    } else if (tallyVisible(row)) {
      if (ledger !== undefined) view.tally = await this.tallies.snapshot(id, definition, ledger.committedHead, true);
      else if (closed !== undefined) view.tally = closed.result;
    }
    if (viewer !== undefined) view.me = await this.membership(row, viewer.id, ledger);
    return ok(view);
  }

  /**
   * The viewer's place in the round. In a secret round the server cannot know
   * whether they voted (nothing on the board names them), so `voted` is
   * always false there; it knows only whether they received a credential.
   * In a named round no credential is ever issued.
   */
  private async membership(row: RoundRow, memberId: string, ledger: RoundLedger | undefined): Promise<RoundMe> {
    const roundId = row.id;
    const voter = ledger !== undefined ? ledger.voterOf(memberId) : await repo.voterOfMember(this.store.db, roundId, memberId);
    if (voter === undefined) return { eligible: false, voter: null, voted: false, credentialIssued: false };
    if (row.secret) return { eligible: true, voter, voted: false, credentialIssued: await repo.hasCredential(this.store.db, roundId, voter) };
    const voted = ledger !== undefined ? ledger.hasVoted(voter) : await repo.hasBallot(this.store.db, roundId, voter);
    return { eligible: true, voter, voted, credentialIssued: false };
  }
}
