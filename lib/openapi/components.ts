import { Type, type TSchema } from '@sinclair/typebox'
import { HslMessageSchema } from '../hsl/index.js'
import { DetailsSchema, ReplySchema, StringDetailsSchema } from '../reply/reply-schema.js'
import { DetectionSchema, EnvelopeSchema, HaptikUserSchema } from '../wire/request-schema.js'

// The components the step routes share in an OpenAPI document (the request,
// the reply, each HSL type, the security scheme), added once, in the
// document's dialect (OpenAPI 3.0 has no JSON Schema 2020-12).

/** Name of the security scheme for `X-Hub-Signature` in `components.securitySchemes`. */
/** The error statuses a route may answer, each with its text and codes. */
export const ERROR_RESPONSES: Record<string, { codes: string[], text: string }> = {
  400: { text: 'Malformed request', codes: ['FST_HAPTIK_INVALID_JSON', 'FST_HAPTIK_INVALID_ENVELOPE', 'FST_HAPTIK_INVALID_ENTITY', 'FST_HAPTIK_STEP_MISMATCH', 'FST_HAPTIK_UNKNOWN_STEP', 'FST_HAPTIK_INVALID_CONTENT_LENGTH'] },
  401: { text: 'Signature check failed', codes: ['FST_HAPTIK_MISSING_SIGNATURE', 'FST_HAPTIK_MALFORMED_SIGNATURE', 'FST_HAPTIK_INVALID_SIGNATURE', 'FST_HAPTIK_SECRET_NOT_FOUND'] },
  413: { text: 'Body over the limit', codes: ['FST_HAPTIK_BODY_TOO_LARGE'] },
  408: { text: 'Body too slow', codes: ['FST_HAPTIK_BODY_TIMEOUT'] },
  415: { text: 'Not UTF-8 JSON', codes: ['FST_HAPTIK_UNSUPPORTED_MEDIA_TYPE'] },
  500: { text: 'Unexpected error', codes: ['FST_HAPTIK_INTERNAL'] },
  503: { text: 'Secret lookup unavailable', codes: ['FST_HAPTIK_SECRET_TIMEOUT', 'FST_HAPTIK_SECRET_BUSY'] }
}

export const SECURITY_SCHEME = 'haptikSignature'

const COMPONENTS = '#/components/schemas/'
export const ref = (name: string) => ({ $ref: COMPONENTS + name })

export function withoutTitle ({ title: _title, ...schema }: Record<string, unknown>): object {
  return schema
}

/** How schemas are written for the document's OpenAPI version. */
export type Dialect = (schema: unknown) => unknown
export const asIs: Dialect = schema => schema

const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs'])
const SCHEMA_LISTS = new Set(['anyOf', 'allOf', 'oneOf', 'prefixItems'])
const DATA_KEYWORDS = new Set(['default', 'enum', 'example'])

/** `anyOf` with a `{ type: 'null' }` member, in 3.0: the other members, `nullable: true`. */
export function nullableOf (members: unknown[]): Record<string, unknown> | undefined {
  const others = members.filter(member => (member as { type?: unknown }).type !== 'null')
  if (others.length === members.length) return undefined
  const converted = others.map(toOpenapi30) as Array<Record<string, unknown>>
  return converted.length === 1 ? { ...converted[0], nullable: true } : { anyOf: converted, nullable: true }
}

/**
 * A copy of a JSON schema in OpenAPI 3.0's dialect: `examples` become
 * `example`, `const` a one-value `enum`, a null member of `anyOf` becomes
 * `nullable`, and `patternProperties` (TypeBox records) `additionalProperties`.
 * Keywords are recognised by position, never inside `properties` names.
 * OpenAPI 3.1 takes JSON Schema as it is.
 */
export function toOpenapi30 (schema: unknown): unknown {
  const converted: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema as object)) {
    if (key === 'examples' && Array.isArray(value)) converted.example = value[0]
    else if (key === 'const') converted.enum = [value]
    else if (key === 'anyOf' && Array.isArray(value) && nullableOf(value) !== undefined) Object.assign(converted, nullableOf(value))
    else if (key === 'patternProperties') converted.additionalProperties = toOpenapi30(Object.values(value as object)[0])
    else if (SCHEMA_MAPS.has(key)) converted[key] = Object.fromEntries(Object.entries(value as object).map(([name, member]) => [name, toOpenapi30(member)]))
    else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) converted[key] = value.map(toOpenapi30)
    else if (typeof value === 'object' && value !== null && !Array.isArray(value) && !DATA_KEYWORDS.has(key)) converted[key] = toOpenapi30(value)
    else converted[key] = value
  }
  return converted
}

/** A reply message: plain text, or an HSL message as a JSON string (3.1 can say so in the schema). */
export function messageSchema (dialect: Dialect): object {
  const description = 'Plain text, or a rich message (components.schemas.HslMessage) as a JSON string'
  return dialect === asIs
    ? { description, anyOf: [{ type: 'string' }, { type: 'string', contentMediaType: 'application/json', contentSchema: ref('HslMessage') }] }
    : { type: 'string', description }
}

export type JsonSchema = Record<string, unknown>

/** A core TypeBox schema as plain JSON, for the document. */
export function json (schema: TSchema): JsonSchema & { properties: Record<string, unknown> } {
  return JSON.parse(JSON.stringify(schema))
}

/**
 * A schema with its titled HSL parts (HslText, HslActionable, …) moved to
 * `components`, each replaced by a reference, the outermost kept.
 */
export function hoist (node: unknown, components: Record<string, object>, root = true): unknown {
  if (Array.isArray(node)) return node.map(member => hoist(member, components, false))
  if (typeof node !== 'object' || node === null) return node
  const converted = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, hoist(value, components, false)]))
  const { title } = converted
  if (root || typeof title !== 'string' || !title.startsWith('Hsl')) return converted
  components[title] ??= withoutTitle(converted)
  return ref(title)
}

/** `HslMessage`, one of the HSL types, each a component, as are their parts (actionables, cards, fields). */
export function hslComponents (dialect: Dialect): Record<string, object> {
  const components: Record<string, object> = {}
  const message = hoist(dialect(json(HslMessageSchema)), components) as Record<string, unknown>
  components.HslMessage = { ...withoutTitle(message), description: 'A rich message in Haptik Standard Language (HSL), of one of these types' }
  return components
}

/**
 * The shared schemas, derived from the ones the routes validate with (so the
 * docs cannot drift from them), in the document's dialect.
 */
export function componentSchemas (dialect: Dialect): Record<string, object> {
  const detection = json(DetectionSchema(Type.Unknown({ description: 'The value: a string, or an object whose shape depends on the entity type' })))
  const request = json(EnvelopeSchema(Type.Object({})))
  request.properties.user = ref('HaptikUser')
  request.properties.entities = { type: 'object', description: 'One list of detections per entity', additionalProperties: { type: 'array', items: ref('HaptikDetection') } }
  const reply = dialect(json(ReplySchema(DetailsSchema, StringDetailsSchema))) as ReturnType<typeof json>
  reply.properties.response = { type: 'array', items: messageSchema(dialect), description: 'Messages shown to the user, in order' }
  return {
    HaptikUser: withoutTitle(dialect(json(HaptikUserSchema)) as Record<string, unknown>),
    HaptikDetection: { ...(dialect(detection) as object), description: 'One detection of an entity' },
    HaptikRequest: { ...withoutTitle(dialect(request) as Record<string, unknown>), description: 'What Haptik POSTs to a step integration URL' },
    HaptikReply: { ...withoutTitle(reply), description: 'What the step answers; HTTP 200 always' },
    ...hslComponents(dialect),
    HaptikError: {
      type: 'object',
      description: 'A refused request (Haptik shows a bot break)',
      required: ['statusCode', 'code', 'error', 'message'],
      properties: {
        statusCode: { type: 'integer' },
        code: { type: 'string', enum: Object.values(ERROR_RESPONSES).flatMap(({ codes }) => codes) },
        error: { type: 'string' },
        message: { type: 'string' }
      }
    }
  }
}

export function dialectOf (document: OpenapiDocument): Dialect {
  return document.openapi.startsWith('3.0') ? toOpenapi30 : asIs
}

/** Adds the shared schemas and, for signed routes, the security scheme, once. */
export function addComponents (document: OpenapiDocument, signed: boolean): void {
  for (const [name, component] of Object.entries(componentSchemas(dialectOf(document)))) {
    document.components.schemas[name] ??= component
  }
  if (signed) {
    document.components.securitySchemes ??= {}
    document.components.securitySchemes[SECURITY_SCHEME] ??= {
      type: 'apiKey',
      in: 'header',
      name: 'X-Hub-Signature',
      description: 'Haptik sends `sha1=` and the hex HMAC-SHA1 of the exact request body, keyed with the step secret set in the bot builder. ' +
        'On docs pages set up with `haptikSwaggerUiConfig()`, enter the step secret itself: the page signs each body with it in the browser.'
    }
  }
}

export interface OpenapiDocument {
  openapi: string
  components: { schemas: Record<string, object>, securitySchemes?: Record<string, object> }
  webhooks?: Record<string, object>
}
