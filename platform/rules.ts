/**
 * How a slice's rules table is asked. Each slice writes one table (its `rules.ts`): for every action,
 * who may take it (standings: how the caller stands to the thing, worked out by the slice's
 * `access.ts` from the verified token, never from input) and, for things with a lifecycle, from
 * which states and to which. This file only answers from such a table, in one way for every slice.
 */
import { errors, type Bilingual } from './errors.ts';
import { present } from './invariant.ts';

export interface Rule<State extends string = string, Standing extends string = string> {
  /** The action as a verb phrase with its object: { zh: '受理', en: 'accept the issue' }. */
  name: Bilingual;
  /** Standings that may take it. */
  who: readonly Standing[];
  /** States it may be taken from; absent: any (or the thing has no lifecycle). */
  from?: readonly State[];
  /** The state it leads to; 'SAME' or absent: it is recorded, the state stays. */
  to?: State | 'SAME';
}

export interface Refusal {
  kind: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'INVALID_TRANSITION';
  message: Bilingual;
}

/** What a refusal names: the thing ({ zh: '该问题', en: 'the issue' }) and its state names. */
export interface Subject<State extends string> {
  noun: Bilingual;
  state?: State;
  stateNames?: Record<State, string>;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Null when the caller may; otherwise why not. Anonymous callers are asked to sign in first. */
export function check<State extends string, Standing extends string>(
  rule: Rule<State, Standing>,
  standings: readonly (Standing | 'ANONYMOUS')[],
  subject: Subject<State>,
  from: readonly State[] | undefined = rule.from,
): Refusal | null {
  if (!standings.some((standing) => (rule.who as readonly string[]).includes(standing))) {
    if (standings.includes('ANONYMOUS')) return { kind: 'UNAUTHENTICATED', message: { zh: '请先登录', en: 'Authentication required' } };
    return { kind: 'FORBIDDEN', message: { zh: `无权对${subject.noun.zh}执行“${rule.name.zh}”`, en: `You may not ${rule.name.en}` } };
  }
  if (from && subject.state !== undefined && !from.includes(subject.state)) {
    const stateName = subject.stateNames?.[subject.state] ?? subject.state;
    return {
      kind: 'INVALID_TRANSITION',
      message: {
        zh: `${subject.noun.zh}当前状态为“${stateName}”(${subject.state})，不能${rule.name.zh}`,
        en: `${capitalise(subject.noun.en)} is ${subject.state}; you cannot ${rule.name.en} in this state`,
      },
    };
  }
  return null;
}

/** Whether the caller may: `check` answered as a boolean (for a `can…` of an access module). */
export function can<State extends string, Standing extends string>(
  rule: Rule<State, Standing>,
  standings: readonly (Standing | 'ANONYMOUS')[],
  subject: Subject<State> = { noun: { zh: '', en: '' } },
  from?: readonly State[],
): boolean {
  return check(rule, standings, subject, from) === null;
}

/**
 * As `check`, but a refusal is thrown as the API's coded error (UNAUTHENTICATED, FORBIDDEN,
 * INVALID_TRANSITION): what an access module's `assert…` calls.
 */
export function assert<State extends string, Standing extends string>(
  rule: Rule<State, Standing>,
  standings: readonly (Standing | 'ANONYMOUS')[],
  subject: Subject<State>,
  from?: readonly State[],
): void {
  const refusal = check(rule, standings, subject, from);
  if (!refusal) return;
  if (refusal.kind === 'UNAUTHENTICATED') throw errors.unauthenticated();
  if (refusal.kind === 'FORBIDDEN') throw errors.forbidden(refusal.message);
  throw errors.invalidTransition(refusal.message, present(subject.state, 'the state an invalid transition was refused in'));
}

/** The former name of `assert`, for the slices not yet converted to the one access vocabulary. */
export const authorize = assert;

/** The state an action leads to. */
export function nextState<State extends string>(rule: Rule<State, string>, current: State): State {
  return rule.to && rule.to !== 'SAME' ? rule.to : current;
}
