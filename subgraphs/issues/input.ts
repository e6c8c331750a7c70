/**
 * What callers send to the issues subgraph, and how it is checked before anything is written.
 */
import { createHash } from 'node:crypto';
import type { Bilingual } from '../shared/errors.ts';

export { optionalText, requireUuid, text } from '../shared/validation.ts';
import type { IssueListFilter, IssueRow } from './store.ts';

export type Source = IssueRow['source'];
export type Environment = IssueRow['environment'];
export type AppealKind = NonNullable<IssueRow['appealKind']>;
export type RatingValue = NonNullable<IssueRow['rating']>;

export interface SubmitAppealInput {
  clientRequestId: string;
  kind: AppealKind;
  environment: Environment;
  title: string;
  description: string;
  districtCode?: string | null;
}

export interface ReportIssueInput {
  clientRequestId: string;
  source: Source;
  environment: Environment;
  title: string;
  description: string;
  unitId?: string | null;
  receivedAt?: Date | null;
  appealKind?: AppealKind | null;
  enterpriseCreditCode?: string | null;
  districtCode?: string | null;
  responsibleLeader?: string | null;
}

export interface MilestoneInput {
  title: string;
  dueOn: string;
}

export interface AcceptIssueInput {
  rectificationMode?: 'IMMEDIATE' | 'ONGOING' | null;
  immediateWorkingDays?: number | null;
  milestones?: MilestoneInput[] | null;
  responsibleLeader?: string | null;
  note?: string | null;
}

export interface IssueFilterInput extends Omit<IssueListFilter, 'unitIds'> {
  domainCode?: string | null;
}

/** Channels a unit reports through itself; the rest reach the platform via the command office. */
export const UNIT_SOURCES: Source[] = ['SELF_INSPECTION', 'DIRECTOR_IN_HALL', 'SIGNED_NOT_LANDED', 'MONITORING_POINT', 'RECEPTION_ROOM', 'SURVEY'];
export const CLIENT_REQUEST_ID = /^[A-Za-z0-9_.:-]{1,100}$/;
export const ISSUE: Bilingual = { zh: '问题', en: 'Issue' };
export const MAX_MILESTONES = 20;
/** A receipt time may run a little ahead of our clock (another platform's clock), not more. */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

export function fingerprint(input: object): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}

