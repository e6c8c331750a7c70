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

/**
 * What a refusal names: the thing ({ zh: '该问题', en: 'the issue' }) and its state names; and, so a
 * refusal can say what to do, the table the rule comes from (which action leads to a state the rule
 * needs) and the names of the standings (who may).
 */
export interface Subject<State extends string, Standing extends string = string> {
  noun: Bilingual;
  state?: State;
  stateNames?: Record<State, string>;
  rules?: Readonly<Record<string, Rule<State, Standing>>>;
  standingNames?: Partial<Record<Standing, Bilingual>>;
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** 'a', 'a or b', 'a, b or c' — and the Chinese 甲、乙或丙. */
function anyOf(items: readonly string[], language: 'zh' | 'en'): string {
  if (items.length <= 1) return items[0] ?? '';
  const head = items.slice(0, -1).join(language === 'zh' ? '、' : ', ');
  return `${head}${language === 'zh' ? '或' : ' or '}${items[items.length - 1]}`;
}

/** The names of the standings that may take a rule, in the table's order, each once; empty when none is named. */
function whoMay<Standing extends string>(rule: Rule<string, Standing>, names: Partial<Record<Standing, Bilingual>> = {}): Bilingual[] {
  const seen = new Set<string>();
  const found: Bilingual[] = [];
  for (const standing of rule.who) {
    const name = names[standing];
    if (!name || seen.has(name.zh)) continue;
    seen.add(name.zh);
    found.push(name);
  }
  return found;
}

/**
 * The shortest run of actions of the table (at most three) that takes the thing from `state` into
 * one of `wanted`: what a refusal asks to do first. Empty when none does.
 */
function stepsTo<State extends string>(
  rules: Readonly<Record<string, Rule<State, string>>>,
  state: State,
  wanted: readonly State[],
): Rule<State, string>[] {
  const moves = Object.values(rules).filter((rule) => rule.to && rule.to !== 'SAME');
  let frontier: { at: State; path: Rule<State, string>[] }[] = [{ at: state, path: [] }];
  const visited = new Set<State>([state]);
  for (let depth = 0; depth < 3 && frontier.length; depth++) {
    const next: typeof frontier = [];
    for (const { at, path } of frontier) {
      for (const rule of moves) {
        const to = rule.to as State;
        if ((rule.from && !rule.from.includes(at)) || visited.has(to)) continue;
        if (wanted.includes(to)) return [...path, rule];
        visited.add(to);
        next.push({ at: to, path: [...path, rule] });
      }
    }
    frontier = next;
  }
  return [];
}

/** Null when the caller may; otherwise why not, and what would do. Anonymous callers are asked to sign in first. */
export function check<State extends string, Standing extends string>(
  rule: Rule<State, Standing>,
  standings: readonly (Standing | 'ANONYMOUS')[],
  subject: Subject<State, Standing>,
  from: readonly State[] | undefined = rule.from,
): Refusal | null {
  if (!standings.some((standing) => (rule.who as readonly string[]).includes(standing))) {
    if (standings.includes('ANONYMOUS')) return { kind: 'UNAUTHENTICATED', message: { zh: '请先登录', en: 'Authentication required' } };
    const who = whoMay(rule, subject.standingNames);
    return {
      kind: 'FORBIDDEN',
      message: {
        zh: `无权对${subject.noun.zh}执行“${rule.name.zh}”${
          who.length
            ? `：只有${anyOf(
                who.map((w) => w.zh),
                'zh',
              )}可以`
            : ''
        }`,
        en: `You may not ${rule.name.en}${
          who.length
            ? `: only ${anyOf(
                who.map((w) => w.en),
                'en',
              )} may`
            : ''
        }`,
      },
    };
  }
  if (from && subject.state !== undefined && !from.includes(subject.state)) {
    const named = (state: State) => `“${subject.stateNames?.[state] ?? state}”(${state})`;
    const steps = subject.rules ? stepsTo(subject.rules, subject.state, from) : [];
    const first = steps.length
      ? {
          zh: `，请先${steps.map((step) => step.name.zh).join('，再')}`,
          en: ` — ${steps.map((step) => step.name.en).join(', then ')} first`,
        }
      : { zh: '', en: '' };
    return {
      kind: 'INVALID_TRANSITION',
      message: {
        zh: `${subject.noun.zh}当前状态为${named(subject.state)}，不能${rule.name.zh}：须处于${anyOf(from.map(named), 'zh')}状态${first.zh}`,
        en: `${capitalise(subject.noun.en)} is ${subject.state}; you cannot ${rule.name.en} in this state: it must be ${anyOf(from, 'en')}${first.en}`,
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
  subject: Subject<State, Standing>,
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
