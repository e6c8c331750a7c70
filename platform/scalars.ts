/**
 * DateTime and Date scalars. Times are stored as UTC instants and shown with Beijing's +08:00
 * offset (China has no daylight saving), so a person reads local time and a machine gets an instant.
 */
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { errors } from './errors.ts';

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const DATE_TIME_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|([+-])(\d{2}):(\d{2}))$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The years a date of this platform can fall in: enterprises registered since 1900, deadlines and
 * plans to 2199. Year 0 or 9999 is a typing mistake or a probe, and PostgreSQL would refuse some of
 * them mid-query.
 */
export const YEARS = { min: 1900, max: 2199 } as const;

/** The day exists (no 30 February) and its year is in range. */
function isRealDay(year: number, month: number, day: number): boolean {
  if (year < YEARS.min || year > YEARS.max || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const outOfRange = (field: string, value: string) =>
  errors.badInput(field, {
    zh: `不存在的日期或超出 ${YEARS.min}–${YEARS.max} 年的时间：${value}`,
    en: `No such date, or outside the years ${YEARS.min}–${YEARS.max}: ${value}`,
  });

export function formatBeijing(instant: Date): string {
  const shifted = new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString();
  const withoutZone = shifted.endsWith('.000Z') ? shifted.slice(0, -5) : shifted.slice(0, -1);
  return `${withoutZone}+08:00`;
}

function parseDateTime(value: unknown, field = 'DateTime'): Date {
  const match = typeof value === 'string' ? DATE_TIME_WITH_OFFSET.exec(value) : null;
  if (!match) {
    throw errors.badInput(field, {
      zh: '时间须为带时区的 ISO-8601 格式，例如 2023-04-20T09:00:00+08:00',
      en: 'Expected an ISO-8601 date-time with an offset, e.g. 2023-04-20T09:00:00+08:00',
    });
  }
  const [, year, month, day, hour, minute, second = '0', , , , offsetHours = '0', offsetMinutes = '0'] = match;
  // `new Date` would read 2023-02-30 as 2 March and 25:00 as the next day: check each part first.
  const timeIsReal =
    Number(hour) < 24 && Number(minute) < 60 && Number(second) < 60 && Number(offsetHours) <= 14 && Number(offsetMinutes) < 60;
  if (!timeIsReal || !isRealDay(Number(year), Number(month), Number(day))) throw outOfRange(field, String(value));
  const instant = new Date(value as string);
  if (Number.isNaN(instant.getTime())) throw outOfRange(field, String(value));
  return instant;
}

export function isValidDate(value: string): boolean {
  const match = DATE.exec(value);
  return Boolean(match && isRealDay(Number(match[1]), Number(match[2]), Number(match[3])));
}

function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !DATE.test(value)) {
    throw errors.badInput('Date', { zh: '日期须为 YYYY-MM-DD 格式', en: 'Expected a date as YYYY-MM-DD' });
  }
  if (!isValidDate(value)) throw outOfRange('Date', value);
  return value;
}

function literal(ast: ValueNode, parse: (value: unknown) => unknown): unknown {
  if (ast.kind !== Kind.STRING) return parse(undefined);
  return parse(ast.value);
}

const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: '带时区偏移的 ISO-8601 时间 / ISO-8601 date-time with offset, shown in Beijing time (+08:00)',
  serialize: (value) => formatBeijing(value instanceof Date ? value : new Date(value as string)),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => literal(ast, (value) => parseDateTime(value)),
});

const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: '日期 YYYY-MM-DD / calendar date',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value)),
  parseValue: parseDate,
  parseLiteral: (ast) => literal(ast, parseDate),
});

export const scalarResolvers = { DateTime: DateTimeScalar, Date: DateScalar };
