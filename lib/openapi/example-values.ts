import type { JsonSchema } from '../schema-reading.js'

type Schema = Record<string, unknown>

const FORMAT_EXAMPLES: Record<string, string> = { email: 'asha@example.com', uri: 'https://example.com', date: '2026-11-26', 'date-time': '2026-11-26T10:30:00Z', time: '10:30:00' }

/** A plausible value for a JSON schema, for documentation examples: the schema's own `examples` or `default` first, else one built from its type. */
export function exampleOf (schema: JsonSchema, name = 'value'): unknown {
  const s = schema as Schema
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0]
  if (s.default !== undefined) return s.default
  if (s.const !== undefined) return s.const
  if (Array.isArray(s.enum)) return s.enum[0]
  if (Array.isArray(s.anyOf)) return exampleOf(s.anyOf[0] as JsonSchema, name)
  if (s.type === 'string') return FORMAT_EXAMPLES[s.format as string] ?? name.replaceAll('_', ' ')
  if (s.type === 'number' || s.type === 'integer') return typeof s.minimum === 'number' ? s.minimum : 1
  if (s.type === 'boolean') return true
  if (s.type === 'array') return s.items === undefined ? [] : [exampleOf(s.items as JsonSchema, name)]
  if (s.type !== 'object') return null
  const properties = (s.properties ?? {}) as Record<string, JsonSchema>
  const required = new Set((s.required ?? []) as string[])
  const example: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(properties)) if (required.has(key)) example[key] = exampleOf(value, key)
  if (typeof s.additionalProperties === 'object' && Object.keys(example).length === 0) {
    example.key = exampleOf(s.additionalProperties as JsonSchema, 'value')
  }
  return example
}
