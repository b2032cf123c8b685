import type { Request, Response } from 'express';
import type { Result } from '../../shared/result';
import { isId } from '../../shared/protocol/ids';
import type { Failure } from '../failure';
import { ApiError, sendError } from './errors';

/** Answers a service result: the value wrapped under `key`, or the failure as api.md's error. */
export function reply<T>(res: Response, result: Result<T, Failure>, status: number, key: string): void {
  if (result.ok) {
    res.status(status).json({ [key]: result.value });
  } else {
    sendError(res, result.error.code, result.error.message, result.error.field);
  }
}

/** A path id that cannot exist is simply not found. */
export function idParam(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string' || !isId(value)) throw new ApiError('not_found', `no such ${name === 'id' ? 'item' : name}`);
  return value;
}
