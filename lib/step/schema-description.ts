import type { JsonSchema } from '../schema-reading.js'

type Schema = Record<string, unknown>

function constraints (schema: Schema): string {
  const parts: string[] = []
  if (schema.format !== undefined) parts.push(`format ${String(schema.format)}`)
  if (schema.pattern !== undefined) parts.push(`matching /${String(schema.pattern)}/`)
  if (schema.minLength !== undefined) parts.push(`at least ${String(schema.minLength)} characters`)
  if (schema.maxLength !== undefined) parts.push(`at most ${String(schema.maxLength)} characters`)
  if (schema.minimum !== undefined) parts.push(`>= ${String(schema.minimum)}`)
  if (schema.maximum !== undefined) parts.push(`<= ${String(schema.maximum)}`)
  if (schema.exclusiveMinimum !== undefined) parts.push(`> ${String(schema.exclusiveMinimum)}`)
  if (schema.exclusiveMaximum !== undefined) parts.push(`< ${String(schema.exclusiveMaximum)}`)
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`
}

/** For error messages: `"speaker" | "powerbank"`, `string (format email)`, `{ value: string, unit?: string }`. */
export function describeSchema (schema: JsonSchema, depth = 0): string {
  const s = schema as Schema
  if (s.const !== undefined) return JSON.stringify(s.const)
  if (Array.isArray(s.enum)) return s.enum.map(value => JSON.stringify(value)).join(' | ')
  if (Array.isArray(s.anyOf)) return (s.anyOf as JsonSchema[]).map(member => describeSchema(member, depth)).join(' | ')
  switch (s.type) {
    case 'string': case 'number': case 'integer': case 'boolean': case 'null':
      return s.type + constraints(s)
    case 'array':
      return `a list of ${s.items === undefined ? 'values' : describeSchema(s.items as JsonSchema, depth)}`
    case 'object': {
      const properties = s.properties as Record<string, JsonSchema> | undefined
      if (properties === undefined || depth > 0) return 'an object'
      const required = new Set(s.required as string[] | undefined)
      const fields = Object.entries(properties).map(([key, value]) =>
        `${key}${required.has(key) ? '' : '?'}: ${describeSchema(value, depth + 1)}`)
      return `{ ${fields.join(', ')} }`
    }
    default:
      return 'a value matching the step schema'
  }
}
