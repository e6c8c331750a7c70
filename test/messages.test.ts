/**
 * Every message in both languages, and correct (issue #7, case 9): each error code's description,
 * each error factory, each refusal every registered slice's rules table can give, and the
 * translations of the libraries' messages. Chinese is Chinese throughout; English has no Chinese in
 * it and reads as a sentence.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, errorDescriptions, errors, type Bilingual } from '../platform/errors.ts';
import { requestMessage, syntaxMessage, validationMessage, variableMessage } from '../platform/library-errors.ts';
import { check, type Rule } from '../platform/rules.ts';
import { slices } from '../subgraphs/registry.ts';

const han = /[\u4e00-\u9fff]/;
/** English words a Chinese message must not fall back on (names in quotes, codes and numbers may stay). */
const englishInChinese = /\b(Variable|Expected|Cannot|claim|check failed|must|invalid|not provided|Syntax)\b/;

function expectBilingual(message: Bilingual, where: string) {
  expect(message.zh, where).toMatch(han);
  expect(message.zh, where).not.toMatch(englishInChinese);
  expect(message.en, where).not.toMatch(han);
  expect(message.en.trim(), where).not.toBe('');
  expect(message.en, where).toMatch(/^[A-Z"`(]/);
}

describe('the error registry', () => {
  it('describes every code in Chinese and English', () => {
    for (const code of Object.values(ErrorCode)) expectBilingual(errorDescriptions[code], code);
    expect(Object.keys(errorDescriptions).sort()).toEqual(Object.values(ErrorCode).sort());
  });

  it('gives every factory’s error a code, and a message that is "中文 / English"', () => {
    const made = [
      errors.unauthenticated(),
      errors.forbidden(),
      errors.badInput('title', { zh: '标题不能为空', en: 'Title must not be empty' }),
      errors.notFound({ zh: '单位', en: 'Unit' }, 'x'),
      errors.conflict({ zh: '已被他人修改', en: 'Changed by someone else' }),
      errors.invalidTransition({ zh: '状态不对', en: 'Wrong state' }, 'CLOSED'),
      errors.pageTooLarge(100, 1000),
      errors.serviceUnavailable({ zh: '暂不可用', en: 'Unavailable' }),
      errors.requestTimeout(10_000),
      errors.operationNotFound('Missing'),
      errors.operationNotFound(undefined),
      errors.internal(),
    ];
    for (const error of made) {
      const { code, messageZh, messageEn } = error.extensions as { code: string; messageZh: string; messageEn: string };
      expect(Object.values(ErrorCode)).toContain(code);
      expectBilingual({ zh: messageZh, en: messageEn }, code);
      expect(error.message).toBe(`${messageZh} / ${messageEn}`);
    }
  });
});

/** The rules tables a slice's rules.ts exports: objects whose every value is a Rule. */
async function rulesTablesOf(name: string): Promise<[string, Rule][]> {
  const module = (await import(`../subgraphs/${name}/rules.ts`)) as Record<string, unknown>;
  const isRule = (value: unknown): value is Rule =>
    typeof value === 'object' && value !== null && 'name' in value && 'who' in value && Array.isArray((value as Rule).who);
  return Object.values(module)
    .filter(
      (value): value is Record<string, unknown> =>
        typeof value === 'object' && value !== null && Object.values(value).length > 0 && Object.values(value).every(isRule),
    )
    .flatMap((table) => Object.entries(table as Record<string, Rule>));
}

describe.each(slices.map((slice) => slice.name))('the refusals of the %s slice’s rules', (name) => {
  it('are whole sentences in both languages, for every action', async () => {
    const rules = await rulesTablesOf(name);
    expect(rules.length).toBeGreaterThan(0);
    for (const [action, rule] of rules) {
      const subject = { noun: { zh: '该事项', en: 'the item' }, state: 'SOME_STATE', stateNames: { SOME_STATE: '某状态' } };
      const forbidden = check(rule, ['NOBODY_SPECIAL' as never], subject);
      expect(forbidden?.kind, action).toBe('FORBIDDEN');
      expectBilingual(forbidden!.message, action);
      expect(forbidden!.message.en, action).toMatch(/^You may not \w+ \w+/);
      if (rule.from?.length) {
        const wrongState = check(rule, rule.who, subject);
        expect(wrongState?.kind, action).toBe('INVALID_TRANSITION');
        expectBilingual(wrongState!.message, action);
      }
      // The broken sentences the issue quoted: a verb without its object, or an object without its preposition.
      for (const message of [forbidden!.message.en, check(rule, rule.who, subject)?.message.en ?? '']) {
        expect(message, action).not.toMatch(/feedback it|extension this|\bit in this state/);
      }
    }
  });
});

describe('the libraries’ messages', () => {
  it('translates graphql-js validation messages into whole Chinese sentences', () => {
    for (const english of [
      'Cannot query field "nme" on type "Unit".',
      'Unknown argument "size" on field "Query.units".',
      'Field "unit" argument "id" of type "ID!" is required, but it was not provided.',
      'Variable "$n" of type "String" used in position expecting type "Int".',
      'Fragment "F" is never used.',
      'Expected value of type "Int", found "x".',
      'Something graphql-js may say one day.',
    ]) {
      expectBilingual(validationMessage(english), english);
    }
  });

  it('translates syntax, variable and request errors, naming the variable’s field', () => {
    expectBilingual(syntaxMessage('Syntax Error: Expected Name, found "}".', { line: 1, column: 9 }), 'syntax');
    const variable = variableMessage('Variable "$input" got invalid value "x" at "input.receivedAt"; Expected type "DateTime".');
    expectBilingual(variable, 'variable');
    expect(variable.field).toBe('input.receivedAt');
    expectBilingual(variableMessage('Variable "$id" of required type "ID!" was not provided.'), 'missing variable');
    expectBilingual(requestMessage('GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.'), 'request');
  });
});
