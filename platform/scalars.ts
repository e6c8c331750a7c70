/**
 * DateTime and Date scalars. Times are stored as UTC instants and shown with Beijing's +08:00
 * offset (China has no daylight saving), so a person reads local time and a machine gets an instant.
 */
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { errors } from './errors.ts';

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const DATE_TIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function formatBeijing(instant: Date): string {
  const shifted = new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString();
  const withoutZone = shifted.endsWith('.000Z') ? shifted.slice(0, -5) : shifted.slice(0, -1);
  return `${withoutZone}+08:00`;
}

export function parseDateTime(value: unknown, field = 'DateTime'): Date {
  if (typeof value !== 'string' || !DATE_TIME_WITH_OFFSET.test(value)) {
    throw errors.badInput(field, {
      zh: '时间须为带时区的 ISO-8601 格式，例如 2023-04-20T09:00:00+08:00',
      en: 'Expected an ISO-8601 date-time with an offset, e.g. 2023-04-20T09:00:00+08:00',
    });
  }
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) {
    throw errors.badInput(field, { zh: `无效时间：${value}`, en: `Invalid date-time: ${value}` });
  }
  return instant;
}

export function isValidDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !isValidDate(value)) {
    throw errors.badInput('Date', { zh: '日期须为 YYYY-MM-DD 格式', en: 'Expected a date as YYYY-MM-DD' });
  }
  return value;
}

function literal(ast: ValueNode, parse: (value: unknown) => unknown): unknown {
  if (ast.kind !== Kind.STRING) return parse(undefined);
  return parse(ast.value);
}

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: '带时区偏移的 ISO-8601 时间 / ISO-8601 date-time with offset, shown in Beijing time (+08:00)',
  serialize: (value) => formatBeijing(value instanceof Date ? value : new Date(value as string)),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => literal(ast, (value) => parseDateTime(value)),
});

export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: '日期 YYYY-MM-DD / calendar date',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value)),
  parseValue: parseDate,
  parseLiteral: (ast) => literal(ast, parseDate),
});

export const scalarResolvers = { DateTime: DateTimeScalar, Date: DateScalar };
