import { runSubgraph } from '../shared/run-subgraph.ts';

await runSubgraph('issues');
