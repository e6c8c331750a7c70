import { runSlice } from '../../platform/start.ts';
import { slices } from '../registry.ts';

await runSlice('evaluations', slices);
