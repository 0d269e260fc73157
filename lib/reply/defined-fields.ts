/**
 * The fields of an object that are not `undefined`, so that optional
 * properties stay absent rather than present and `undefined`.
 */
export function present<T extends object> (fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const defined: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) defined[key] = value
  }
  return defined as { [K in keyof T]?: Exclude<T[K], undefined> }
}
