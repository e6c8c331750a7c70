/**
 * The GraphQL context of the issues subgraph, as the generated resolver types name it. (The slice's
 * use cases still live in service.ts; split along the recipe, the typed context they share moves here.)
 */
export type { Context } from './service.ts';
