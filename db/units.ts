/**
 * Tables of the units subgraph (owned by the command office), in the Postgres schema `units`.
 * No other subgraph reads these: units, domains and enterprises reach other slices through federation.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const unitsSchema = pgSchema('units');

export const unitKind = unitsSchema.enum('unit_kind', [
  'COMMAND_OFFICE',
  'LEAD',
  'RESPONSIBLE',
  'PARTICIPATING',
  'DISTRICT',
  'FUNCTION_ZONE',
  'OTHER',
]);
export const unitLevel = unitsSchema.enum('unit_level', ['CITY', 'COUNTY', 'TOWN', 'VILLAGE']);
export const districtKind = unitsSchema.enum('district_kind', ['DISTRICT', 'COUNTY_CITY']);
export const sizeClass = unitsSchema.enum('size_class', ['LARGE', 'MEDIUM', 'SMALL', 'MICRO']);
/**
 * An entity's standing in the registry (登记状态): 存续 (ACTIVE), 注销 (DEREGISTERED: deregistered, or
 * absent from a full snapshot of the registry), 吊销 (REVOKED: its business licence revoked).
 */
export const enterpriseStatus = unitsSchema.enum('enterprise_status', ['ACTIVE', 'DEREGISTERED', 'REVOKED']);
/** Qualifications an enterprise holds (资质): what policy items' eligibility criteria ask for. */
export const qualification = unitsSchema.enum('qualification', [
  'HIGH_TECH',
  'TECH_SME',
  'SPECIALIZED_SME',
  'LITTLE_GIANT',
  'GAZELLE',
  'MANUFACTURING_CHAMPION',
]);

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const campaigns = unitsSchema.table('campaigns', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
  startsOn: date('starts_on').notNull(),
  endsOn: date('ends_on').notNull(),
  commandOfficeName: text('command_office_name').notNull(),
  goals: text('goals').array().notNull(),
});

export const campaignSteps = unitsSchema.table('campaign_steps', {
  code: text('code').primaryKey(),
  campaignCode: text('campaign_code')
    .notNull()
    .references(() => campaigns.code),
  position: integer('position').notNull(),
  name: text('name').notNull(),
  aliases: text('aliases')
    .array()
    .notNull()
    .default(sql`'{}'`),
  throughout: boolean('throughout').notNull().default(false),
  notes: text('notes')
    .array()
    .notNull()
    .default(sql`'{}'`),
});

export const stepDeadlines = unitsSchema.table(
  'step_deadlines',
  {
    stepCode: text('step_code')
      .notNull()
      .references(() => campaignSteps.code),
    dueOn: date('due_on').notNull(),
    what: text('what').notNull(),
  },
  (t) => [primaryKey({ columns: [t.stepCode, t.dueOn, t.what] })],
);

export const environments = unitsSchema.table('environments', {
  code: text('code').primaryKey(),
  position: integer('position').notNull(),
  name: text('name').notNull(),
  action: text('action').notNull(),
  targets: text('targets').array().notNull(),
});

export const problemSources = unitsSchema.table('problem_sources', {
  code: text('code').primaryKey(),
  position: integer('position').notNull(),
  name: text('name').notNull(),
});

export const observerTeams = unitsSchema.table('observer_teams', {
  code: text('code').primaryKey(),
  position: integer('position').notNull(),
  name: text('name').notNull(),
  firstIntake: integer('first_intake').notNull(),
});

export const industries = unitsSchema.table('industries', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
});

export const districts = unitsSchema.table('districts', {
  code: text('code').primaryKey(),
  position: integer('position').notNull(),
  name: text('name').notNull(),
  kind: districtKind('kind').notNull(),
  aliases: text('aliases')
    .array()
    .notNull()
    .default(sql`'{}'`),
});

export const domains = unitsSchema.table('domains', {
  code: text('code').primaryKey(),
  position: integer('position').notNull(),
  name: text('name').notNull(),
  aliases: text('aliases')
    .array()
    .notNull()
    .default(sql`'{}'`),
});

export const units = unitsSchema.table(
  'units',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Keyset order: the plan's order for seeded units, creation order after. */
    position: bigserial('position', { mode: 'number' }).notNull(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    aliases: text('aliases')
      .array()
      .notNull()
      .default(sql`'{}'`),
    kind: unitKind('kind').notNull(),
    level: unitLevel('level').notNull(),
    domainCode: text('domain_code').references(() => domains.code),
    districtCode: text('district_code').references(() => districts.code),
    parentId: uuid('parent_id'),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('units_code_key').on(t.code),
    uniqueIndex('units_position_key').on(t.position),
    // One active lead per domain: Domain.leadUnit must be unambiguous.
    uniqueIndex('units_one_lead_per_domain')
      .on(t.domainCode)
      .where(sql`${t.kind} = 'LEAD' and ${t.archivedAt} is null`),
    index('units_kind_idx').on(t.kind),
    index('units_domain_idx').on(t.domainCode),
    index('units_district_idx').on(t.districtCode),
    check('units_code_format', sql`${t.code} ~ '^[A-Z][A-Z0-9_]{1,63}$'`),
  ],
);

export const enterprises = unitsSchema.table(
  'enterprises',
  {
    /** 统一社会信用代码, validated per GB 32100 before it gets here. */
    creditCode: text('credit_code').primaryKey(),
    name: text('name').notNull(),
    districtCode: text('district_code')
      .notNull()
      .references(() => districts.code),
    industryCode: text('industry_code').notNull(),
    sizeClass: sizeClass('size_class').notNull(),
    /** 成立日期: null while the registry owner has not confirmed it. */
    registeredOn: date('registered_on'),
    qualifications: qualification('qualifications')
      .array()
      .notNull()
      .default(sql`'{}'`),
    status: enterpriseStatus('status').notNull().default('ACTIVE'),
    /** Marks rows from `npm run seed:sample`, so sample data can never pass for real data. */
    sample: boolean('sample').notNull().default(false),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (t) => [
    // A district's entities in the directory's order (credit code): its first page reads a few hundred entries.
    index('enterprises_district_code_idx').on(t.districtCode, t.creditCode),
    // The command office's filters at the city's size (2,008,000 entities): district, size, an industry
    // prefix (LIKE 'C34%' as a range of this column: text_pattern_ops, whatever the database's collation).
    index('enterprises_directory_idx').on(t.districtCode, t.sizeClass, t.industryCode.op('text_pattern_ops')),
    check('enterprises_credit_code_format', sql`${t.creditCode} ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'`),
  ],
);

/**
 * Who changed a unit or an enterprise, and how. Append-only: a trigger (see the migration) refuses
 * UPDATE and DELETE, so the record cannot be rewritten by the application or by hand.
 */
export const changeLog = unitsSchema.table(
  'change_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    entity: text('entity').notNull(),
    entityKey: text('entity_key').notNull(),
    action: text('action').notNull(),
    actorSubject: text('actor_subject').notNull(),
    actorRole: text('actor_role').notNull(),
    actorUnitId: uuid('actor_unit_id'),
    before: jsonb('before'),
    after: jsonb('after'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('change_log_entity_idx').on(t.entity, t.entityKey, t.id)],
);
