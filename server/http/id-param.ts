import type { Request } from 'express';
import { isId } from '../../shared/protocol/ids';
import { ApiError } from './errors';

/** A path id that cannot exist is simply not found. */
export function idParam(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string' || !isId(value)) throw new ApiError('not_found', `no such ${name === 'id' ? 'item' : name}`);
  return value;
}
