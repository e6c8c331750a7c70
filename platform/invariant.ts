/**
 * Where a value cannot be missing, say so — and why — instead of a non-null assertion (`!`, which
 * the linter refuses). If the belief is ever wrong, the request fails at that line with the
 * platform's internal error (logged with the reason; the caller sees INTERNAL_SERVER_ERROR), not
 * with a TypeError three calls later. For what a caller did wrong, throw a coded error
 * (platform/errors.ts) instead: an invariant is a promise the code makes to itself.
 */

/** A broken invariant: a bug, never something the caller did. Answered as INTERNAL_SERVER_ERROR. */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

/** Throws an internal error unless `condition` holds; narrows its type after the call. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(`Invariant failed: ${message}`);
}

/** `value`, which cannot be null or undefined here (`what` says what it is, for the log). */
export function present<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new InvariantError(`Invariant failed: ${what} is missing`);
  return value;
}
