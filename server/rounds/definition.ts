import { AnyRoundDefinitionSchema, RoundDefinitionSchema, RoundDefinitionV2Schema } from '../../shared/protocol/schemas';
import type { AnyRoundDefinition, RoundDefinition, RoundDefinitionV2, RoundOption } from '../../shared/protocol/types';
import { err, ok, type Result } from '../../shared/result';
import type { RoundRow } from '../store/schema';

/**
 * A round's definition is checked with the one schema a verifier uses, twice:
 * at creation (with the options as they stand and a stand-in opening time)
 * and at open (as it is frozen). Creation refuses what open would refuse, so
 * a moderator hears of it with the field named, and open can only fail on
 * what changed in between (a question's proposals).
 */

/** The parts of a definition that come from the round; the rest is fixed when it opens. */
export interface DefinitionParts {
  readonly instance: string;
  readonly round: string;
  readonly title: string;
  readonly method: string;
  readonly options: readonly RoundOption[];
  readonly seats: number;
  readonly rules: unknown;
  readonly revote: boolean;
  readonly sealed: boolean;
  readonly opensAt: string;
  readonly closesAt: string | null;
  readonly electorate: number;
}

/**
 * The parts of an unopened round's definition as its row holds them: creation
 * frames the row it is about to insert, open the row as it stands, so the two
 * cannot name the fields differently.
 */
export function definitionPartsOf(
  instance: string,
  row: Pick<RoundRow, 'id' | 'title' | 'method' | 'seats' | 'rules' | 'revote' | 'sealed' | 'closes_at'>,
  options: readonly RoundOption[],
  opensAt: string,
  electorate: number,
): DefinitionParts {
  return {
    instance,
    round: row.id,
    title: row.title,
    method: row.method,
    options,
    seats: row.seats,
    rules: JSON.parse(row.rules) as unknown,
    revote: row.revote,
    sealed: row.sealed,
    opensAt,
    closesAt: row.closes_at,
    electorate,
  };
}

/** Whether a round takes its options from its question's proposals (and a failure should name `questionId`). */
export function optionsFromQuestion(row: Pick<RoundRow, 'options' | 'method'>): boolean {
  return row.options === null && row.method !== 'yesno';
}

/** The definition an opened round froze, as stored: a named round's (protocol 1) or a secret round's (protocol 2, with its issuer). */
export function storedDefinition(row: RoundRow): AnyRoundDefinition {
  if (row.definition === null) throw new Error(`round ${row.id} has no definition`);
  return AnyRoundDefinitionSchema.parse(JSON.parse(row.definition));
}

/**
 * A secret round's definition: the framed protocol-1 definition plus the
 * round's issuing key (its modulus, the wire form), checked with the schema a
 * verifier uses. Everything but the issuer was checked by `frameDefinition`,
 * and the issuer is a key just made, so a failure here is a bug.
 */
export function withIssuer(definition: RoundDefinition, issuingKey: string): RoundDefinitionV2 {
  return RoundDefinitionV2Schema.parse({ ...definition, issuer: issuingKey });
}

export interface DefinitionProblem {
  /** The input that fails, as the create route names it (`seats`, `options.1.id`, `rules.budget`…). */
  readonly field: string;
  readonly message: string;
}

export function frameDefinition(parts: DefinitionParts, optionsFromQuestion: boolean): Result<RoundDefinition, DefinitionProblem> {
  const parsed = RoundDefinitionSchema.safeParse({
    instance: parts.instance,
    round: parts.round,
    title: parts.title,
    method: parts.method,
    options: parts.options,
    seats: parts.seats,
    rules: parts.rules,
    revote: parts.revote,
    sealed: parts.sealed,
    opensAt: parts.opensAt,
    closesAt: parts.closesAt,
    electorate: { count: parts.electorate },
  });
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []).map(String);
  // A question's round takes its options from the question: that is the input to name.
  const field = path[0] === 'options' && optionsFromQuestion ? 'questionId' : path.length === 0 ? 'definition' : path.join('.');
  const about = optionsFromQuestion && (path[0] === 'options' || path[0] === 'seats') ? ` (the question has ${parts.options.length} visible proposals)` : '';
  return err({ field, message: `${field}: ${issue?.message ?? 'invalid'}${about}` });
}

/**
 * Options as stored: each option without an id gets `o<position>`, or when a
 * given id already is that, the next `o<n>` that no option has. Given ids are
 * kept as they are (duplicates among them are refused by the schema).
 */
export function withOptionIds(options: readonly { readonly id?: string | undefined; readonly label: string }[]): RoundOption[] {
  const taken = new Set(options.map((o) => o.id).filter((x) => x !== undefined));
  let next = 1;
  return options.map((o, i) => {
    if (o.id !== undefined) return { id: o.id, label: o.label };
    let id = `o${i + 1}`;
    if (taken.has(id)) {
      while (taken.has(`o${next}`)) next += 1;
      id = `o${next}`;
    }
    taken.add(id);
    return { id, label: o.label };
  });
}
