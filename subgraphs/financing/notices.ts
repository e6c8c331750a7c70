/**
 * What the financing slice tells people (issue #25 §3), without I/O: which steps of a demand become
 * an outbox event, for whom, and the Chinese text of the notice (inbox and SMS). rows.ts
 * `recordDemandStep` emits them in the transaction that records the step; the worker's sweep
 * (use-cases/notices.ts) emits the limit warnings (80%) and lapses time makes.
 *
 * Who hears what:
 * - the enterprise: its demand claimed, chosen (its own choice confirmed), dispatched, approved,
 *   disbursed, declined;
 * - the holder (the institution, and its branch when a branch holds the demand): a demand
 *   dispatched to it or chosen for it, a demand it holds withdrawn, its contact or decision limit
 *   at 80% and overdue;
 * - the regulator (市地方金融监管局, as a unit): a demand's claim limit at 80% and overdue (兜底).
 * Sample demands tell nobody.
 */
import { limitPassedEvent, type NoticeOwner, type OutboxEvent } from '../../platform/outbox.ts';
import type { DemandEventRow, DemandRow, PassedLimit } from './store.ts';

/** The event types of this slice: what a webhook may ask for, and what an owner may choose to get by SMS. */
export const FINANCING_NOTICE_TYPES = [
  'DEMAND_CLAIMED',
  'DEMAND_CHOSEN',
  'DEMAND_DISPATCHED',
  'DEMAND_APPROVED',
  'DEMAND_DISBURSED',
  'DEMAND_DECLINED',
  'DEMAND_WITHDRAWN',
  'LIMIT_WARNING',
  'LIMIT_OVERDUE',
] as const;
export type FinancingNoticeType = (typeof FINANCING_NOTICE_TYPES)[number];

/** Sent by SMS unless the owner chose otherwise: the enterprise hears of its decision, the holder of a dispatched demand and an overdue limit. */
export const FINANCING_SMS_BY_DEFAULT: Partial<Record<NoticeOwner['kind'], FinancingNoticeType[]>> = {
  ENTERPRISE: ['DEMAND_APPROVED', 'DEMAND_DISBURSED', 'DEMAND_DECLINED'],
  INSTITUTION: ['DEMAND_DISPATCHED', 'LIMIT_OVERDUE'],
  BRANCH: ['DEMAND_DISPATCHED', 'LIMIT_OVERDUE'],
};

const DECLINE_REASONS: Record<string, string> = {
  NOT_ELIGIBLE: '不符合准入条件',
  POOR_CREDIT: '信用状况不足',
  INSUFFICIENT_GUARANTEE: '担保不足',
  WEAK_FINANCES: '经营财务状况不足',
  INCOMPLETE_MATERIALS: '材料不全',
  ENTERPRISE_DECLINED: '企业放弃',
  OTHER: '其他原因',
};

const LIMIT_NAMES: Record<PassedLimit['kind'], string> = { CLAIM: '受理', CONTACT: '联系企业', DECISION: '审批' };

const yuan = (amount: unknown) => `${(Number(amount) / 10_000).toLocaleString('zh-CN', { maximumFractionDigits: 2 })} 万元`;
const label = (demand: Pick<DemandRow, 'amount' | 'enterpriseName'>) => `（${demand.enterpriseName}，${yuan(demand.amount)}）`;

/** The institution and the branch a step concerns: the holder's inbox (an institution's token reads both, a branch's its own). */
function holder(event: Pick<DemandEventRow, 'institutionId' | 'branchId'>): NoticeOwner[] {
  const owners: NoticeOwner[] = [];
  if (event.institutionId) owners.push({ kind: 'INSTITUTION', id: event.institutionId });
  if (event.branchId) owners.push({ kind: 'BRANCH', id: event.branchId });
  return owners;
}

/** The event a step of a demand makes, or null when it tells nobody. */
export function demandNotice(demand: DemandRow, event: DemandEventRow): OutboxEvent | null {
  if (demand.sample) return null;
  const enterprise: NoticeOwner[] = [{ kind: 'ENTERPRISE', id: demand.creditCode }];
  const base = {
    recordKey: `demand:${demand.id}`,
    payload: {
      demandId: demand.id,
      step: event.kind,
      status: demand.status,
      creditCode: demand.creditCode,
      amount: demand.amount,
      institutionId: event.institutionId,
      branchId: event.branchId,
    },
  };
  const data = event.data ?? {};
  switch (event.kind) {
    case 'CLAIMED':
      return {
        ...base,
        type: 'DEMAND_CLAIMED',
        audience: enterprise,
        title: '融资需求已被受理',
        body: `您的融资需求${label(demand)}已由金融机构受理，机构将尽快与您联系。`,
      };
    case 'CHOSEN':
      return {
        ...base,
        type: 'DEMAND_CHOSEN',
        audience: [...enterprise, ...holder(event)],
        title: '融资需求已选定金融机构',
        body: `融资需求${label(demand)}已由企业选定金融机构办理，请及时联系企业。`,
      };
    case 'DISPATCHED':
      return {
        ...base,
        type: 'DEMAND_DISPATCHED',
        audience: [...enterprise, ...holder(event)],
        title: '融资需求已指派',
        body: `融资需求${label(demand)}已由监管部门指派金融机构办理，请及时联系企业。`,
      };
    case 'APPROVED':
      return {
        ...base,
        type: 'DEMAND_APPROVED',
        audience: enterprise,
        payload: { ...base.payload, approvedAmount: data.amount },
        title: '融资申请已审批通过',
        body: `您的融资需求${label(demand)}已审批通过，批准金额 ${yuan(data.amount)}。`,
      };
    case 'DISBURSED':
      return {
        ...base,
        type: 'DEMAND_DISBURSED',
        audience: enterprise,
        payload: { ...base.payload, loanId: data.loanId, loanAmount: data.amount },
        title: '贷款已发放',
        body: `您的融资需求${label(demand)}已放款 ${yuan(data.amount)}，请登录平台确认收款并评价。`,
      };
    case 'DECLINED':
      return {
        ...base,
        type: 'DEMAND_DECLINED',
        audience: enterprise,
        payload: { ...base.payload, reasonCode: data.reasonCode },
        title: '融资申请未获通过',
        body: `您的融资需求${label(demand)}未获通过：${DECLINE_REASONS[String(data.reasonCode)] ?? '其他原因'}。`,
      };
    case 'WITHDRAWN':
      if (!event.institutionId) return null;
      return {
        ...base,
        type: 'DEMAND_WITHDRAWN',
        audience: holder(event),
        title: '融资需求已撤回',
        body: `贵机构办理中的融资需求${label(demand)}已由企业撤回，无需继续办理。`,
      };
    default:
      return null;
  }
}

/** A limit that reached its warning (80% of its time) or passed unmet: to its holder, or for the claim limit to the regulator. */
export function limitNotice(limit: PassedLimit, regulatorUnitId: string | null): OutboxEvent | null {
  const audience: NoticeOwner[] = limit.kind === 'CLAIM' ? (regulatorUnitId ? [{ kind: 'UNIT', id: regulatorUnitId }] : []) : holder(limit);
  if (!audience.length) return null;
  const name = LIMIT_NAMES[limit.kind];
  return limitPassedEvent(
    limit,
    { title: `融资需求${name}`, subject: `融资需求${label(limit)}的${name}` },
    {
      recordKey: `demand:${limit.demandId}`,
      onceKey: `limit:${limit.id}:${limit.passed}`,
      audience,
      payload: {
        demandId: limit.demandId,
        limitId: limit.id,
        limitKind: limit.kind,
        institutionId: limit.institutionId,
        branchId: limit.branchId,
        dueAt: limit.dueAt.toISOString(),
      },
    },
  );
}
