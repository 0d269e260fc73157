export type JsonObject = Record<string, unknown>

/** A JSON object: not null, not a list. */
export function isJsonObject (value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The objects of a list; nothing when it is not a list. */
export function objectsIn (value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : []
}

/** The JSON type of a value, for "got …" in error messages (never the value itself). */
export function describeType (value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return 'a list'
  const type = typeof value
  return type === 'object' ? 'an object' : `a ${type}`
}

/** The fields of an object that are not `undefined`: optional properties stay absent. */
export function definedFields<T extends object> (fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const defined: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) defined[key] = value
  }
  return defined as { [K in keyof T]?: Exclude<T[K], undefined> }
}
