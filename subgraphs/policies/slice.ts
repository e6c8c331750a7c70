/**
 * The policies slice (青岛政策通), as the registry knows it: 惠企政策 from drafting to money received —
 * policy documents and their revisions, the items enterprises can get, matching and notices, and
 * applications through review, public notice and payment, rated by the enterprises. Owned by the
 * units that issue policies; the command office reads it across all of them.
 */
import type { SliceDefinition } from '../../platform/subgraph.ts';
import { policiesExamples } from './examples.ts';
import { loadPoliciesSampleData } from './sample-data.ts';
import { createPoliciesSubgraph } from './server.ts';

export const policies: SliceDefinition = {
  name: 'policies',
  title: { zh: '惠企政策', en: 'Policies' },
  port: 4003,
  build: createPoliciesSubgraph,
  sampleData: loadPoliciesSampleData,
  examples: policiesExamples,
  batchMutations: ['importApplicationBatch'],
  mappers: {
    Policy: './store.ts#PolicyNode',
    ApplicationFeedEntry: './store.ts#FeedRow',
    ApplicationBatchRecord: '../../platform/batch.ts#RecordResult',
    PolicyRevision: './store.ts#RevisionRow',
    PolicyInterpretation: './store.ts#InterpretationRow',
    PolicyComment: './store.ts#CommentRow',
    PolicyEvent: './store.ts#PolicyEventRow',
    PolicyItem: './store.ts#ItemNode',
    PolicyNews: './store.ts#NewsNode',
    PolicyMatch: './store.ts#MatchNode',
    PolicyNotice: './store.ts#NoticeRow',
    Application: './store.ts#ApplicationRow',
    PublicNotice: './store.ts#ApplicationRow',
    Objection: './store.ts#ObjectionRow',
    ApplicationStep: './store.ts#StepNode',
    LimitOutcome: './store.ts#LimitOutcomeRow',
    ApplicationReview: './store.ts#ReviewRow',
    PolicyStats: './store.ts#PolicyStats',
    AutomaticGrantRun: './store.ts#GrantRunNode',
    Unit: './store.ts#UnitReference',
    Domain: './store.ts#DomainReference',
    Enterprise: './store.ts#EnterpriseReference',
    District: './store.ts#DistrictReference',
  },
};
