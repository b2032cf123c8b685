import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Table types. Timestamps are RFC 3339 UTC strings with milliseconds. */
export interface Database {
  members: MembersTable;
  invites: InvitesTable;
  refresh_tokens: RefreshTokensTable;
  device_keys: DeviceKeysTable;
  sessions: SessionsTable;
  questions: QuestionsTable;
  proposals: ProposalsTable;
  audit_events: AuditEventsTable;
  seeds: SeedsTable;
  rounds: RoundsTable;
  round_voters: RoundVotersTable;
  round_keys: RoundKeysTable;
  board_entries: BoardEntriesTable;
  round_issuers: RoundIssuersTable;
  credential_issuances: CredentialIssuancesTable;
}

export interface MembersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: 'member' | 'moderator' | 'admin';
  status: 'pending' | 'active' | 'suspended';
  created_at: string;
  approved_at: string | null;
  approved_by: string | null;
}
export type MemberRow = Selectable<MembersTable>;
export type NewMemberRow = Insertable<MembersTable>;
export type MemberUpdate = Updateable<MembersTable>;

export interface InvitesTable {
  code_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_by: string | null;
  used_at: string | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  family_id: string;
  member_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
}
export type RefreshTokenRow = Selectable<RefreshTokensTable>;

export interface DeviceKeysTable {
  public_key: string;
  member_id: string;
  created_at: string;
  revoked_at: string | null;
}
export type DeviceKeyRow = Selectable<DeviceKeysTable>;

export interface SessionsTable {
  id: string;
  title: string;
  description: string;
  date: string | null;
  created_by: string | null;
  created_at: string;
}
export type SessionRow = Selectable<SessionsTable>;

export interface QuestionsTable {
  id: string;
  session_id: string;
  text: string;
  position: number;
  created_by: string | null;
  created_at: string;
}
export type QuestionRow = Selectable<QuestionsTable>;

export interface ProposalsTable {
  id: string;
  question_id: string;
  author_id: string | null;
  title: string;
  body: string;
  status: 'visible' | 'hidden' | 'merged';
  hidden_reason: string | null;
  merged_into: string | null;
  changed_by: string | null;
  changed_at: string | null;
  created_at: string;
  /** Insertion order (the database gives it): breaks ties between proposals made in one go. */
  seq: Generated<number>;
}
/** A proposal as the features see it: its order column is the store's business. */
export type ProposalRow = Omit<Selectable<ProposalsTable>, 'seq'>;

export interface AuditEventsTable {
  seq: Generated<number>;
  at: string;
  actor_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  outcome: 'ok' | 'denied';
  detail: string;
  request_id: string | null;
}
export type AuditEventRow = Selectable<AuditEventsTable>;

export interface SeedsTable {
  name: string;
  applied_at: string;
}

export interface RoundsTable {
  id: string;
  title: string;
  method: string;
  question_id: string | null;
  options: string | null;
  seats: number;
  rules: string;
  revote: number;
  sealed: number;
  /** 1: a secret round (protocol 2, ballots carry a credential); 0: a named round (protocol 1). */
  secret: Generated<number>;
  closes_at: string | null;
  status: 'draft' | 'open' | 'closed' | 'published';
  created_by: string | null;
  created_at: string;
  opened_at: string | null;
  closed_at: string | null;
  published_at: string | null;
  definition: string | null;
  definition_hash: string | null;
  definition_sig: string | null;
  electorate_count: number | null;
  final_head: string | null;
  board_entries: number | null;
  outcome: string | null;
  outcome_sig: string | null;
}
/**
 * A round as repositories answer it and take it: its flags as booleans. The
 * table keeps them as integers 0/1 (portable to every database); the rounds
 * repository maps at the boundary.
 */
export type RoundRow = Omit<Selectable<RoundsTable>, 'revote' | 'sealed' | 'secret'> & { revote: boolean; sealed: boolean; secret: boolean };

export interface RoundVotersTable {
  round_id: string;
  voter: string;
  member_id: string;
}

export interface RoundKeysTable {
  round_id: string;
  voter: string;
  public_key: string;
  position: number;
  added_at: string;
}

export interface BoardEntriesTable {
  round_id: string;
  seq: number;
  voter: string;
  ballot: string;
  sig: string;
  leaf: string;
  head: string;
  nonce: string;
  received_at: string;
}
export type BoardEntryRow = Selectable<BoardEntriesTable>;

/** A secret round's issuing key; `private_key` (PKCS#8, base64url) is NULL once the round is closed. */
export interface RoundIssuersTable {
  round_id: string;
  public_key: string;
  private_key: string | null;
}

/** That a voter (pseudonym) received a round's credential, and the SHA-256 of the request answered (no time, no member, no answer). */
export interface CredentialIssuancesTable {
  round_id: string;
  voter: string;
  request_hash: string;
}
