/** `message_id` → `messageId`. */
function camel (key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())
}

/** `messageId` → `message_id`. */
function snake (key: string): string {
  return key.replace(/[A-Z]/g, letter => `_${letter.toLowerCase()}`)
}

/** An object's own keys in camelCase, one level: the values inside (`custom_data`) are the caller's own keys. */
export function camelKeys (value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [camel(key), inner]))
}

/** `camelKeys` all the way down, for answers whose every key is Haptik's or WhatsApp's (never a user's). */
export function camelKeysDeep (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeysDeep)
  if (!isObject(value)) return value
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [camel(key), camelKeysDeep(inner)]))
}

/** The listed fields of an input that are set, under their snake_case names, in the order listed. */
export function wireFields<T extends object> (input: T, fields: ReadonlyArray<keyof T & string>): Record<string, unknown> {
  const wire: Record<string, unknown> = {}
  for (const field of fields) {
    if (input[field] !== undefined) wire[snake(field)] = input[field]
  }
  return wire
}

export function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
