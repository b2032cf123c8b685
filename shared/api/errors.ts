/**
 * Every error code the API answers, with its HTTP status (api.md, "Errors").
 * Shared so that a client's `switch` over a problem's code is closed: a code
 * the server may answer is a member of `ErrorCode`, and nothing else is.
 */
import { z } from 'zod';

export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_input: 400,
  invalid_invite: 400,
  invalid_public_key: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  unauthenticated: 401,
  invalid_token: 401,
  token_expired: 401,
  invalid_credentials: 401,
  invalid_refresh_token: 401,
  refresh_token_reused: 401,
  refresh_token_revoked: 401,
  session_ended: 401,
  forbidden: 403,
  account_pending: 403,
  account_suspended: 403,
  not_found: 404,
  email_taken: 409,
  key_in_use: 409,
  conflict: 409,
  last_admin: 409,
  too_many_requests: 429,
  // Ballots (protocol.md "Ballot"): each failed check has its own code.
  ballot_too_large: 413,
  invalid_ballot: 400,
  invalid_choice: 400,
  wrong_instance: 400,
  wrong_round: 400,
  wrong_definition: 409,
  round_not_open: 409,
  not_in_electorate: 403,
  key_not_registered: 403,
  bad_signature: 400,
  cast_at_out_of_window: 400,
  nonce_reused: 409,
  already_voted: 409,
  // Secret rounds (protocol 2): a credential is asked for once per member and round, and every ballot carries one.
  invalid_credential: 400,
  credential_already_issued: 409,
  round_not_secret: 409,
  round_not_closed: 409,
  not_visible: 403,
  internal_error: 500,
  // The database cannot be written just now (disk full, read-only): nothing was changed; try again later.
  store_unavailable: 503,
} as const satisfies Record<string, number>;
export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as readonly ErrorCode[];

/** The codes a token can fail with, on HTTP and in the socket handshake alike. */
export type TokenProblem = 'invalid_token' | 'token_expired' | 'session_ended' | 'account_suspended';

/** api.md's error body: `{error: {code, message, field?}}`. */
export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; field?: string };
}

export const ApiErrorBodySchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    field: z.string().optional(),
  }),
}) satisfies z.ZodType<ApiErrorBody>;
