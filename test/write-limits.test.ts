/**
 * Every write the public may make without signing in is limited (issue #20, finding 5). The rules
 * tables say which actions an ANONYMOUS caller may take; each must be one whose limits are known
 * and tested — a new one fails here until it is limited and added below with its test.
 */
import { describe, expect, it } from 'vitest';
import { slices } from '../subgraphs/registry.ts';
import { OBJECTION_LIMIT } from '../subgraphs/policies/deadlines.ts';
import { REVIEW_LIMIT, SURVEY_LIMIT } from '../subgraphs/evaluations/deadlines.ts';
import { limitWindows, refuseOverLimit, writerKey } from '../platform/write-limits.ts';
import type { Viewer } from '../platform/auth.ts';

/** slice → action of its rules tables → where its limits are tested. */
const LIMITED: Record<string, string> = {
  'evaluations.answerPublicSurvey': 'evaluations-surveys.e2e.ts (3 a survey a day, 10 an hour)',
  'evaluations.submitServiceReview': 'evaluations-reviews.e2e.ts (3 a unit a day, 10 an hour)',
  'policies.FILE_OBJECTION': 'policies-objections.e2e.ts (3 a notice a day, 10 an hour)',
};

async function anonymousActions(): Promise<string[]> {
  const found: string[] = [];
  for (const slice of slices) {
    const rules: Record<string, unknown> = await import(`../subgraphs/${slice.name}/rules.ts`);
    for (const table of Object.values(rules)) {
      if (!table || typeof table !== 'object' || Array.isArray(table)) continue;
      for (const [action, rule] of Object.entries(table as Record<string, unknown>)) {
        const who = (rule as { who?: unknown })?.who;
        if (Array.isArray(who) && who.includes('ANONYMOUS')) found.push(`${slice.name}.${action}`);
      }
    }
  }
  return found.sort();
}

describe('the writes of the public', () => {
  it('are each limited: every action the rules tables open to ANONYMOUS callers', async () => {
    expect(await anonymousActions()).toEqual(Object.keys(LIMITED).sort());
  });

  it('are limited the same way in every slice', () => {
    for (const limit of [REVIEW_LIMIT, OBJECTION_LIMIT, SURVEY_LIMIT]) expect(limit).toMatchObject({ perTargetPerDay: 3, perHour: 10 });
  });

  it('count a signed-in writer as the person and the public by address, never one for the other', () => {
    const person = (role: Viewer['role'], issuer: string | null): Viewer => ({
      role,
      subject: 's-1',
      issuer,
      unitId: null,
      enterprise: null,
    });
    const anonymous: Viewer = { role: 'ANONYMOUS', subject: null, unitId: null, enterprise: null };
    const keys = [
      writerKey(person('OBSERVER', null), '203.0.113.9'),
      writerKey(person('ENTERPRISE', null), '203.0.113.9'),
      writerKey(person('OBSERVER', 'https://idp.other.example'), '203.0.113.9'),
      writerKey(anonymous, '203.0.113.9'),
      writerKey(anonymous, '203.0.113.10'),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(writerKey(person('OBSERVER', null), '198.51.100.1')).toBe(keys[0]); // a person is counted wherever they write from
    expect(keys.join('')).not.toContain('203.0.113');
  });

  it('refuse the write over a limit with RATE_LIMITED and when to try again, in both languages', () => {
    const at = new Date('2026-06-01T23:30:00+08:00');
    expect(limitWindows(at).dayStart.toISOString()).toBe('2026-05-31T16:00:00.000Z');
    expect(() => refuseOverLimit(OBJECTION_LIMIT, { targetToday: 2, lastHour: 9 }, at)).not.toThrow();
    const refusal = (counts: { targetToday: number; lastHour: number }) => {
      try {
        refuseOverLimit(OBJECTION_LIMIT, counts, at);
      } catch (error) {
        return (error as { extensions: Record<string, unknown> }).extensions;
      }
      throw new Error('not refused');
    };
    expect(refusal({ targetToday: 3, lastHour: 3 })).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 1800,
      messageZh: expect.stringContaining('同一公示'),
      messageEn: expect.stringContaining('one notice'),
    });
    expect(refusal({ targetToday: 0, lastHour: 10 })).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 3600 });
  });
});
