/**
 * Downloads made from a published bundle: the ballots as CSV (every method)
 * and as BLT (ranked methods), and the signed outcome. Pure: text in, text out.
 */
import { writeBlt } from '../../shared/blt';
import { countingBallots, voterOfEntry } from '../../shared/protocol/contest';
import type { AnyBundle as Bundle } from '../../shared/protocol/types';
import type { Result } from '../../shared/result';

/** Column titles in the member's language. */
export interface CsvHeadings {
  readonly seq: string;
  readonly voter: string;
  /** The same column in a secret round: the round key stands for the voter there (one key, one credential), and names nobody. */
  readonly roundKey: string;
  readonly castAt: string;
  readonly counts: string;
  readonly answer: string;
  readonly yes: string;
  readonly no: string;
}

/**
 * One CSV cell. Quoted when needed; a cell that a spreadsheet would read as a
 * formula (starting with = + - @ or a tab) gets a leading apostrophe, since
 * option labels are typed by members.
 */
export function csvCell(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Every board entry, one line each, in board order. Per option: 1/empty for
 * plurality and approval, the score or points given, or the rank for ranked
 * methods; yes/no rounds have one answer column. `counts` says whether the
 * entry is the voter's counting ballot (with revote, their latest).
 */
export function ballotsCsv(bundle: Bundle, headings: CsvHeadings): string {
  const { definition, board } = bundle;
  const counting = new Set(countingBallots(definition, board, voterOfEntry).map((e) => e.seq));
  const options = definition.options;
  const head = [headings.seq, bundle.protocol === 2 ? headings.roundKey : headings.voter, headings.castAt, headings.counts];
  const yesno = definition.method === 'yesno';
  const columns = yesno ? [headings.answer] : options.map((o) => o.label);
  const lines = [[...head, ...columns].map(csvCell).join(',')];
  for (const entry of board) {
    const c = entry.ballot.choice;
    // A secret round's entry names no voter: its round key stands for the voter there (one key, one credential).
    const cells: (string | number)[] = [entry.seq, 'voter' in entry ? entry.voter : entry.ballot.key, entry.ballot.castAt, counting.has(entry.seq) ? headings.yes : headings.no];
    if ('answer' in c) cells.push(c.answer);
    else
      for (const o of options) {
        if ('pick' in c) cells.push(c.pick === o.id ? 1 : '');
        else if ('approve' in c) cells.push(c.approve.includes(o.id) ? 1 : '');
        else if ('scores' in c) cells.push(c.scores[o.id] ?? '');
        else if ('points' in c) cells.push(c.points[o.id] ?? '');
        else if ('ranking' in c) {
          const rank = c.ranking.indexOf(o.id);
          cells.push(rank < 0 ? '' : rank + 1);
        }
      }
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The counting ballots of a ranked round as BLT (labels with quotes or line breaks cannot be written). */
export function ballotsBlt(bundle: Bundle): Result<string, { message: string }> {
  const { definition, board } = bundle;
  const ballots = countingBallots(definition, board, voterOfEntry).flatMap((e) => ('ranking' in e.ballot.choice ? [{ ranking: e.ballot.choice.ranking }] : []));
  return writeBlt({ title: definition.title, seats: definition.seats, options: definition.options, ballots });
}

/** The signed outcome on its own: the statement and its signature. */
export function outcomeJson(bundle: Bundle): string {
  return `${JSON.stringify({ outcome: bundle.outcome, outcomeSig: bundle.outcomeSig, instanceKey: bundle.instanceKey }, null, 2)}\n`;
}
