import fs from 'node:fs';
import path from 'node:path';
import { encodeBase64Url } from '../../shared/protocol/encoding';
import { jcs } from '../../shared/protocol/jcs';
import { signedBytes } from '../../shared/protocol/signing';
import type { Outcome, OutcomeResult, OutcomeV2 } from '../../shared/protocol/types';
import type { Result } from '../../shared/result';
import { ok } from '../../shared/result';
import { recordAudit, type ActionContext } from '../audit/audit';
import { nodeSign } from '../../node/crypto/node-crypto';
import type { Store } from '../store/store';
import { failure, type Failure } from '../failure';
import type { Instance } from '../instance/instance';
import { privateFolder, writePrivateFile } from '../instance/private-files';
import { anyRegisterOf, entryJsonOf } from './board-reads';
import type { ClosedRoundCounts } from './closed-count';
import { storedDefinition } from './definition';
import type { RoundEventEmitter } from './events';
import type { Round } from './model';
import * as repo from './repository';
import type { RoundViews } from './views';

/** Publishing a closed round: its count signed as the outcome, and the bundle a verifier needs. */
export class Publication {
  constructor(
    private readonly store: Store,
    private readonly instance: Instance,
    private readonly bundleDir: string,
    private readonly counts: ClosedRoundCounts,
    private readonly views: RoundViews,
    private readonly events: RoundEventEmitter,
  ) {}

  /** Counts the board, signs the outcome and writes the bundle. */
  async publish(ctx: ActionContext, id: string): Promise<Result<Round, Failure>> {
    const row = await repo.findRound(this.store.db, id);
    if (row === undefined) return failure('not_found', 'no such round');
    if (row.status !== 'closed') {
      return failure(row.status === 'published' ? 'conflict' : 'round_not_closed', `this round is ${row.status}; only a closed round can be published`);
    }
    const definition = storedDefinition(row);
    const register = await anyRegisterOf(this.store.db, row);
    const head = row.final_head ?? '';
    // The count shown since the close is the one signed. In a secret round it went by credential (the board's
    // voter column holds each credential's hash), so `counted` is the number of distinct credentials.
    const counted = await this.counts.of(row, definition);
    // A secret round's outcome (OutcomeV2) also says how many credentials were issued: a verifier checks the
    // credentials on the board against it (never more credentials than issued).
    const registerSummary =
      'issued' in register.register
        ? { count: register.count, issued: register.register.issued.length, root: register.root }
        : { count: register.count, root: register.root };
    const outcome: Outcome | OutcomeV2 = {
      instance: this.instance.id,
      round: id,
      definition: row.definition_hash ?? '',
      register: registerSummary,
      board: { entries: counted.turnout.ballots, head },
      counted: counted.counted,
      // Through JSON so the signed result is exactly what a verifier's recount serialises to.
      result: JSON.parse(JSON.stringify(counted.result)) as OutcomeResult,
      closedAt: row.closed_at ?? ctx.at,
      publishedAt: ctx.at,
    };
    const outcomeSig = encodeBase64Url(nodeSign(signedBytes('outcome', outcome), this.instance.privateKey));
    const done = await this.store.transaction(async (trx) => {
      if (!(await repo.publishRound(trx, id, { publishedAt: ctx.at, outcome: jcs(outcome), outcomeSig }))) {
        return failure('conflict', 'this round changed meanwhile');
      }
      await recordAudit(trx, ctx, {
        action: 'round.publish',
        targetType: 'round',
        targetId: id,
        detail: { winners: outcome.result.winners, counted: outcome.counted },
      });
      return ok(null);
    });
    if (!done.ok) return done;
    this.counts.forget(id);
    await this.writeBundle(id);
    this.events.emit('status', id, { status: 'published' });
    const fresh = await this.views.get(id);
    if (fresh === undefined) throw new Error('published round vanished');
    return ok(fresh);
  }

  private bundlePath(roundId: string): string {
    return path.join(this.bundleDir, `${roundId}.json`);
  }

  private async writeBundle(roundId: string): Promise<string> {
    const row = await repo.findRound(this.store.db, roundId);
    if (row?.status !== 'published' || row.definition === null || row.outcome === null) throw new Error('bundle of an unpublished round');
    const { register } = await anyRegisterOf(this.store.db, row);
    const board = (await repo.listBoard(this.store.db, roundId)).map(entryJsonOf(row.secret));
    // A secret round's bundle is protocol 2: its definition names the issuer, its board no voter, its register is {electorate, issued}.
    const text =
      `{"protocol":${row.secret ? 2 : 1},"instanceKey":"${this.instance.publicKeyB64}","definition":${row.definition},"definitionSig":"${row.definition_sig ?? ''}",` +
      `"register":${JSON.stringify(register)},"board":[${board.join(',')}],"outcome":${row.outcome},"outcomeSig":"${row.outcome_sig ?? ''}"}`;
    privateFolder(this.bundleDir);
    const file = this.bundlePath(roundId);
    writePrivateFile(file, text);
    return file;
  }

  /** The bundle file of a published round (written at publish; rebuilt if it went missing). */
  async bundleFile(roundId: string): Promise<Result<string, Failure>> {
    const row = await repo.findRound(this.store.db, roundId);
    if (row === undefined) return failure('not_found', 'no such round');
    if (row.status !== 'published') return failure('not_visible', 'the bundle is published with the outcome');
    const file = this.bundlePath(roundId);
    return ok(fs.existsSync(file) ? file : await this.writeBundle(roundId));
  }
}
