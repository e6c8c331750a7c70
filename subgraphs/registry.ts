/**
 * The slices of the platform — the only list. Ports, environment variables, composition, the
 * generated types, start scripts, the one-process platform, test helpers and example tests all
 * follow from it. Adding a slice: its own files (docs/ARCHITECTURE.md), one line here, one service
 * in docker-compose.yml, one row in the README, and `npm run deploy:kubernetes`.
 */
import type { SliceDefinition } from '../platform/subgraph.ts';
import { units } from './units/slice.ts';
import { issues } from './issues/slice.ts';
import { policies } from './policies/slice.ts';
import { evaluations } from './evaluations/slice.ts';
import { financing } from './financing/slice.ts';

export const slices: readonly SliceDefinition[] = [units, issues, policies, evaluations, financing];
