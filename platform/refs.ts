/**
 * A reference to another slice's entity, as a resolver answers it: `ref('id', row.unitId)` is
 * `{ id }` for federation to resolve, or null when the row names none.
 */
export const ref = <K extends string>(key: K, value: string | null) => (value ? ({ [key]: value } as Record<K, string>) : null);
