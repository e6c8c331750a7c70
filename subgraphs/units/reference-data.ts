/**
 * Applies the plan's structure on every start, after the migrations. Idempotent.
 *
 * The plan's own text (campaign, steps, environments, sources, domains, districts) is upserted, so
 * a corrected transcription ships with the next release. Units are only inserted when missing:
 * the command office edits them through the API, and a restart must never undo its edits.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import {
  campaigns,
  campaignSteps,
  districts,
  domains,
  environments,
  industries,
  observerTeams,
  problemSources,
  stepDeadlines,
  units,
} from '../../db/units.ts';
import { campaign, industrySections, referenceDistricts, referenceUnits } from '../../db/reference/organisation.ts';

/** `excluded.<column>` for every listed column, for ON CONFLICT … DO UPDATE. */
function excluded(...columns: string[]) {
  return Object.fromEntries(columns.map((column) => [column, sql.raw(`excluded."${column.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}"`)]));
}

export async function applyUnitsReferenceData(db: Db): Promise<void> {
  const plan = campaign;
  await db.transaction(async (tx) => {
    await tx
      .insert(campaigns)
      .values({
        code: plan.campaign.code,
        name: plan.campaign.name,
        startsOn: plan.campaign.starts,
        endsOn: plan.campaign.ends,
        commandOfficeName: plan.campaign.commandOffice,
        goals: plan.campaign.goals,
      })
      .onConflictDoUpdate({ target: campaigns.code, set: excluded('name', 'startsOn', 'endsOn', 'commandOfficeName', 'goals') });

    await tx
      .insert(campaignSteps)
      .values(
        plan.steps.map((step) => ({
          code: step.code,
          campaignCode: plan.campaign.code,
          position: step.order,
          name: step.name,
          aliases: step.aliases ?? [],
          throughout: step.throughout ?? false,
          notes: step.notes ?? [],
        })),
      )
      .onConflictDoUpdate({ target: campaignSteps.code, set: excluded('position', 'name', 'aliases', 'throughout', 'notes') });

    const deadlines = plan.steps.flatMap((step) => (step.deadlines ?? []).map((d) => ({ stepCode: step.code, dueOn: d.date, what: d.what })));
    if (deadlines.length) await tx.insert(stepDeadlines).values(deadlines).onConflictDoNothing();

    await tx
      .insert(environments)
      .values(plan.environments.map((e, i) => ({ code: e.code, position: i + 1, name: e.name, action: e.action, targets: e.targets })))
      .onConflictDoUpdate({ target: environments.code, set: excluded('position', 'name', 'action', 'targets') });

    await tx
      .insert(problemSources)
      .values(plan.problemSources.map((s, i) => ({ code: s.code, position: i + 1, name: s.name })))
      .onConflictDoUpdate({ target: problemSources.code, set: excluded('position', 'name') });

    await tx
      .insert(observerTeams)
      .values(plan.threeTeams.map((t, i) => ({ code: t.code, position: i + 1, name: t.name, firstIntake: t.firstIntake })))
      .onConflictDoUpdate({ target: observerTeams.code, set: excluded('position', 'name', 'firstIntake') });

    await tx.insert(industries).values(industrySections).onConflictDoUpdate({ target: industries.code, set: excluded('name') });

    await tx
      .insert(districts)
      .values(referenceDistricts.map((d, i) => ({ code: d.code, position: i + 1, name: d.name, kind: d.kind, aliases: d.aliases })))
      .onConflictDoUpdate({ target: districts.code, set: excluded('position', 'name', 'kind', 'aliases') });

    await tx
      .insert(domains)
      .values(plan.domains.map((d, i) => ({ code: d.code, position: i + 1, name: d.name, aliases: [] })))
      .onConflictDoUpdate({ target: domains.code, set: excluded('position', 'name') });

    // Only the missing ones, in plan order, so seeded units take the first positions and restarts
    // do not burn through the position sequence.
    const present = new Set((await tx.select({ id: units.id }).from(units)).map((row) => row.id));
    const missing = referenceUnits.filter((u) => !present.has(u.id));
    if (missing.length === 0) return;
    await tx
      .insert(units)
      .values(
        missing.map((u) => ({
          id: u.id,
          code: u.code,
          name: u.name,
          aliases: u.aliases,
          kind: u.kind,
          level: u.level,
          domainCode: u.domainCode,
          districtCode: u.districtCode,
        })),
      )
      .onConflictDoNothing();
  });
}
