/**
 * The plan's structure (campaign.json and the software's unit codes), applied on every start after
 * the migrations. Idempotent: see `applyReference` for what is updated and what only inserted.
 */
import type { Db } from '../../db/client.ts';
import { campaign, industrySections, referenceDistricts, referenceUnits } from '../../db/reference/organisation.ts';
import { applyReference } from './store.ts';

export async function applyUnitsReferenceData(db: Db): Promise<void> {
  const plan = campaign;
  await applyReference(db, {
    campaign: {
      code: plan.campaign.code,
      name: plan.campaign.name,
      startsOn: plan.campaign.starts,
      endsOn: plan.campaign.ends,
      commandOfficeName: plan.campaign.commandOffice,
      goals: plan.campaign.goals,
    },
    steps: plan.steps.map((step) => ({
      code: step.code,
      campaignCode: plan.campaign.code,
      position: step.order,
      name: step.name,
      aliases: step.aliases ?? [],
      throughout: step.throughout ?? false,
      notes: step.notes ?? [],
    })),
    deadlines: plan.steps.flatMap((step) => (step.deadlines ?? []).map((d) => ({ stepCode: step.code, dueOn: d.date, what: d.what }))),
    environments: plan.environments.map((e, i) => ({ code: e.code, position: i + 1, name: e.name, action: e.action, targets: e.targets })),
    problemSources: plan.problemSources.map((s, i) => ({ code: s.code, position: i + 1, name: s.name })),
    observerTeams: plan.threeTeams.map((t, i) => ({ code: t.code, position: i + 1, name: t.name, firstIntake: t.firstIntake })),
    industries: industrySections,
    districts: referenceDistricts.map((d, i) => ({ code: d.code, position: i + 1, name: d.name, kind: d.kind, aliases: d.aliases })),
    domains: plan.domains.map((d, i) => ({ code: d.code, position: i + 1, name: d.name, aliases: [] })),
    units: referenceUnits.map((u) => ({
      id: u.id,
      code: u.code,
      name: u.name,
      aliases: u.aliases,
      kind: u.kind,
      level: u.level,
      domainCode: u.domainCode,
      districtCode: u.districtCode,
    })),
  });
}
