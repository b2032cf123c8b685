import type { ErrorCode } from '../shared/api/errors';

// The codes and their statuses are the API contract's (shared/api/errors.ts).
export { ERROR_STATUS, type ErrorCode } from '../shared/api/errors';

/** An expected failure of a service call, carried as a value and answered as api.md's error. */
export interface Failure {
  readonly code: ErrorCode;
  readonly message: string;
  readonly field?: string;
}

export function failure(code: ErrorCode, message: string, field?: string): { ok: false; error: Failure } {
  return { ok: false, error: field === undefined ? { code, message } : { code, message, field } };
}
