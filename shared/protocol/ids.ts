/**
 * The opaque ids of protocol.md (instance, round, voter, option, and the
 * server's own records): 1–64 characters of A–Z, a–z, 0–9, _ and -. Kept
 * short and URL-safe so an id needs no escaping in a path, a socket room or
 * the signed bytes.
 */
import { z } from 'zod';

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isId(text: string): boolean {
  return ID_PATTERN.test(text);
}

/**
 * An id field, with the message the caller's readers expect (the API answers
 * some fields with their own wording); without one, zod's own.
 */
export function idSchema(message?: string): z.ZodString {
  return z.string().regex(ID_PATTERN, message);
}

/** An id in the protocol's files: board entries, receipts, bundles. */
export const IdSchema = idSchema('an id is 1–64 characters of A–Z, a–z, 0–9, _ and -');
