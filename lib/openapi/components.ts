import { Type } from '@sinclair/typebox'
import type { FastifySchema } from 'fastify'
import * as errors from '../errors.js'
import { HslMessageSchema } from '../hsl/index.js'
import { DetailsSchema, ReplySchema, StringDetailsSchema } from '../reply/reply-schema.js'
import { DetectionSchema, EnvelopeSchema, HaptikUserSchema } from '../wire/request-schema.js'
import { STEP_ERROR_CODES } from './examples.js'

/** Each code's HTTP status, as the constructors in errors.ts make it. */
export const STATUS_OF: Readonly<Record<string, number>> = Object.fromEntries(Object.values(errors).map(Constructor => {
  const { code, statusCode } = new (Constructor as new () => { code: string, statusCode: number })()
  return [code, statusCode]
}))

const STATUS_TEXT: Record<string, string> = {
  400: 'Malformed request', 401: 'Signature check failed', 408: 'Body too slow', 413: 'Body over the limit', 415: 'Not UTF-8 JSON', 500: 'Unexpected error', 503: 'Secret lookup unavailable'
}

/** One response per status of the codes, its description naming them, its content given per group. */
export function errorResponses (codes: readonly string[], content: (codes: string[]) => object): Record<string, object> {
  const groups: Record<string, string[]> = {}
  for (const code of codes) (groups[STATUS_OF[code]] ??= []).push(code)
  return Object.fromEntries(Object.entries(groups).map(([status, group]) => [status, { description: `${STATUS_TEXT[status]}: ${group.join(', ')}`, ...content(group) }]))
}

export const SECURITY_SCHEME = 'haptikSignature'

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })

const withoutTitle = ({ title: _title, ...schema }: Record<string, unknown>): Record<string, unknown> => schema

/** How schemas are written for the document's OpenAPI version. */
export type Dialect = (schema: unknown) => unknown
const asIs: Dialect = schema => schema

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs'])
const SCHEMA_LISTS = new Set(['anyOf', 'allOf', 'oneOf', 'prefixItems'])
const DATA_KEYWORDS = new Set(['default', 'enum', 'example'])

/**
 * A copy of a JSON schema in OpenAPI 3.0's dialect (`examples` → `example`, `const` → `enum`, a null member of `anyOf` → `nullable`,
 * TypeBox records' `patternProperties` → `additionalProperties`), keywords recognised by position, never inside `properties` names.
 */
function toOpenapi30 (schema: unknown): unknown {
  const converted: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema as object)) {
    const others = key === 'anyOf' && Array.isArray(value) ? value.filter(member => member.type !== 'null').map(toOpenapi30) : undefined
    if (key === 'examples' && Array.isArray(value)) converted.example = value[0]
    else if (key === 'const') converted.enum = [value]
    else if (others !== undefined && others.length < value.length) Object.assign(converted, others.length === 1 ? others[0] : { anyOf: others }, { nullable: true })
    else if (key === 'patternProperties') converted.additionalProperties = toOpenapi30(Object.values(value as object)[0])
    else if (SCHEMA_MAPS.has(key)) converted[key] = Object.fromEntries(Object.entries(value as object).map(([name, member]) => [name, toOpenapi30(member)]))
    else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) converted[key] = value.map(toOpenapi30)
    else if (typeof value === 'object' && value !== null && !Array.isArray(value) && !DATA_KEYWORDS.has(key)) converted[key] = toOpenapi30(value)
    else converted[key] = value
  }
  return converted
}

export const dialectOf = (document: OpenapiDocument): Dialect => document.openapi.startsWith('3.0') ? toOpenapi30 : asIs

/** A TypeBox schema as plain JSON, for the document. */
export const json = (schema: object): Record<string, unknown> & { properties: Record<string, unknown> } => JSON.parse(JSON.stringify(schema))

/** A schema with its titled HSL parts (HslText, HslActionable, …) moved to `components`, each replaced by a reference. */
function hoist (node: unknown, components: Record<string, object>, root = true): unknown {
  if (Array.isArray(node)) return node.map(member => hoist(member, components, false))
  if (typeof node !== 'object' || node === null) return node
  const converted = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, hoist(value, components, false)]))
  const { title } = converted
  if (root || typeof title !== 'string' || !title.startsWith('Hsl')) return converted
  components[title] ??= withoutTitle(converted)
  return ref(title)
}

/** The shared schemas, derived from the ones the routes validate with, in the document's dialect. */
function componentSchemas (dialect: Dialect): Record<string, object> {
  const detection = json(DetectionSchema(Type.Unknown({ description: 'The value: a string, or an object whose shape depends on the entity type' })))
  const request = json(EnvelopeSchema(Type.Object({})))
  request.properties.user = ref('HaptikUser')
  request.properties.entities = { type: 'object', description: 'One list of detections per entity', additionalProperties: { type: 'array', items: ref('HaptikDetection') } }
  const reply = dialect(json(ReplySchema(DetailsSchema, StringDetailsSchema))) as ReturnType<typeof json>
  const description = 'Plain text, or a rich message (components.schemas.HslMessage) as a JSON string'
  // Only 3.1 can say that the string holds JSON of a given schema.
  const message = dialect === asIs
    ? { description, anyOf: [{ type: 'string' }, { type: 'string', contentMediaType: 'application/json', contentSchema: ref('HslMessage') }] }
    : { type: 'string', description }
  reply.properties.response = { type: 'array', items: message, description: 'Messages shown to the user, in order' }
  const components: Record<string, object> = {
    HaptikUser: withoutTitle(dialect(json(HaptikUserSchema)) as Record<string, unknown>),
    HaptikDetection: { ...(dialect(detection) as object), description: 'One detection of an entity' },
    HaptikRequest: { ...withoutTitle(dialect(request) as Record<string, unknown>), description: 'What Haptik POSTs to a step integration URL' },
    HaptikReply: { ...withoutTitle(reply), description: 'What the step answers; HTTP 200 always' }
  }
  const hsl = hoist(dialect(json(HslMessageSchema)), components) as Record<string, unknown>
  components.HslMessage = { ...withoutTitle(hsl), description: 'A rich message in Haptik Standard Language (HSL), of one of these types' }
  components.HaptikError = {
    type: 'object',
    description: 'A refused request (Haptik shows a bot break)',
    required: ['statusCode', 'code', 'error', 'message'],
    properties: {
      statusCode: { type: 'integer' },
      code: { type: 'string', enum: [...STEP_ERROR_CODES].sort((a, b) => STATUS_OF[a] - STATUS_OF[b]) },
      error: { type: 'string' },
      message: { type: 'string' }
    }
  }
  return components
}

/** Adds the shared schemas and, for signed routes, the security scheme, once. */
export function addComponents (document: OpenapiDocument, signed: boolean): void {
  for (const [name, component] of Object.entries(componentSchemas(dialectOf(document)))) {
    document.components.schemas[name] ??= component
  }
  if (!signed) return
  document.components.securitySchemes ??= {}
  document.components.securitySchemes[SECURITY_SCHEME] ??= {
    type: 'apiKey',
    in: 'header',
    name: 'X-Hub-Signature',
    description: 'Haptik sends `sha1=` and the hex HMAC-SHA1 of the exact request body, keyed with the step secret set in the bot builder. ' +
      'On docs pages set up with `haptikSwaggerUiConfig()`, enter the step secret itself: the page signs each body with it in the browser.'
  }
}

/** What @fastify/swagger hands a route's `swaggerTransform` (no `openapiObject` in Swagger 2.0). */
export interface TransformInput { schema: FastifySchema, url: string, openapiObject?: unknown }

export interface OpenapiDocument {
  openapi: string
  components: { schemas: Record<string, object>, securitySchemes?: Record<string, object> }
  webhooks?: Record<string, object>
}
