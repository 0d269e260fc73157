// Reading JSON that came from elsewhere (a handler's reply) without trusting its shape.

export type JsonObject = Record<string, unknown>

/** A JSON object: not null, not a list. */
export function isJsonObject (value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The objects of a list; nothing when it is not a list. */
export function objectsIn (value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isJsonObject) : []
}
