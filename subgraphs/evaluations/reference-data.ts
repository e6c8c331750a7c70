/**
 * The plan's own dated duties (campaign.json: "3/31 方案备案", "4/20 第一批自查问题清单"), kept as
 * tasks of every unit (no owner), applied on every start through the store, once each.
 */
import type { Db } from '../../db/client.ts';
import { campaign } from '../../db/reference/organisation.ts';
import { taskStore } from './store.ts';

export async function applyEvaluationsReferenceData(db: Db): Promise<void> {
  const duties = campaign.steps.flatMap((step) =>
    (step.deadlines ?? []).map((deadline) => ({
      kind: 'PLAN_DUTY' as const,
      unitId: null,
      domainCode: null,
      title: `${step.name}：${deadline.what}`,
      description: `《${campaign.campaign.name}》方案规定：${deadline.date} 前${deadline.what}`,
      dueOn: deadline.date,
      createdBy: 'reference:campaign.json',
      createdAt: new Date(`${campaign.campaign.starts}T00:00:00+08:00`),
      referenceKey: `${step.code}:${deadline.date}`,
    })),
  );
  await taskStore.ensureReference(db, duties);
}
